"""The review CLI end to end: plain review over a pipe, stats, settings, optimize (too few)."""

from __future__ import annotations

import json
from datetime import timedelta

from click.testing import CliRunner

from studydl.cli import cli as studydl_cli
from studydl.engine.history import card_history
from studydl.engine.settings import load_settings
from tests.backends import cli_args
from tests.engine.engine_samples import START, card_ids


def run(home, *args: str):
    return CliRunner().invoke(studydl_cli, [*cli_args(home), *args], catch_exceptions=False)


def test_plain_review_over_a_pipe(synced, home, cli) -> None:
    synced.dispose()
    script = "\n3\n\n1\nu\n4\ns\n2\n"  # show+Good, show+Again, undo, Easy, suspend, Hard; then EOF
    # at midday: within ten minutes of the 4 am rollover a 10m learning step becomes 1d (as in Anki)
    result = cli("review", "--plain", "--deck", "Other", home=home, input=script, at=START + timedelta(hours=1))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    first, second, third = card_ids(synced, "Other")
    assert "Q: What is a tensor?" in out and "A: An n-dimensional array." in out
    assert "1 Again 1m   2 Hard 6m   3 Good 10m" in out
    saved = [line.split()[1:3] for line in out.splitlines() if line.startswith("saved ")]
    assert saved == [[str(first), "good"], [str(second), "again"], [str(second), "easy"], [str(first), "hard"]]
    assert f"undone {second} (answer)" in out and f"suspended {third}" in out
    assert out.rstrip().splitlines()[-1].startswith("Reviewed 3 cards")
    assert [e.rating.name for e in card_history(synced, second)] == ["EASY"]
    assert result.stderr == ""


def test_plain_review_of_an_unknown_deck_is_one_line(synced, home) -> None:
    result = CliRunner().invoke(studydl_cli, [*cli_args(home), "review", "--plain", "--deck", "Nope"], input="")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == ["Error: no deck named 'Nope' (decks: Basics, Other)"]


def test_stats_json(synced, home) -> None:
    run(home, "review", "--plain", "--deck", "Other")  # stdin empty in CliRunner: ends at once
    result = CliRunner().invoke(
        studydl_cli, [*cli_args(home), "review", "--plain", "--deck", "Other"], input="3\n3\n1\n"
    )
    assert result.exit_code == 0, result.output
    assert "; 2 of 3 answers correct today (67%)." in result.output.splitlines()[-1]
    data = json.loads(run(home, "stats", "--json").output)
    assert data["reviews_today"] == data["reviews_total"] == 3
    assert len(data["forecast"]) == 30 and sum(data["forecast"]) == 3
    assert data["state_counts"]["new"] == 9 and data["state_counts"]["learning"] == 3
    text = run(home, "stats").output
    # Three answers, all of new cards: the day's figure, and no "no reviews yet" after three reviews.
    assert "Reviews today:      3 (0.0 min), 2 correct (67%)" in text
    assert "Retention (30 days): none yet (it counts review cards;" in text and "no reviews" not in text


def test_settings_show_and_set(synced, home) -> None:
    assert "desired_retention      0.9" in run(home, "settings").output
    changed = run(home, "settings", "retention", "0.85").output.splitlines()
    assert changed[0] == "desired_retention = 0.85"
    assert changed[1].startswith("Approximate workload: 0.") and changed[1].endswith("x (compared to 90% desired retention)")
    assert run(home, "settings", "new", "5").output.strip() == "new_per_day = 5"
    assert run(home, "settings", "bury", "off").output.strip() == "bury_siblings = off"
    settings = load_settings(synced)
    assert (settings.desired_retention, settings.new_per_day, settings.bury_siblings) == (0.85, 5, False)
    bad = CliRunner().invoke(studydl_cli, [*cli_args(home), "settings", "day_start", "25"])
    assert bad.exit_code == 1 and "day_start_hour: 25 is out of range; enter an hour from 0 to 23" in bad.output
    unknown = CliRunner().invoke(studydl_cli, [*cli_args(home), "settings", "colour"])
    assert unknown.exit_code == 1 and "unknown setting 'colour'" in unknown.output


def test_settings_checks_every_value_as_the_app_does_and_saves_none_when_one_is_bad(synced, home) -> None:
    result = CliRunner().invoke(
        studydl_cli, [*cli_args(home), "settings", "retention", "", "new", "x", "reviews", "150", "zone", "Europe/Berln"]
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: desired_retention: empty: enter a number from 0.70 to 0.99 (e.g. 0.90)",
        "Error: new_per_day: 'x' is not a whole number; enter a whole number of cards (0 or more)",
        "Error: timezone: 'Europe/Berln' is not a time zone name; enter one (did you mean Europe/Berlin?), or leave it empty for this computer's",
    ]
    assert load_settings(synced).reviews_per_day == 200  # the good value waits for the bad ones
    done = run(home, "settings", "learning_steps", "30s 5m 1h", "leech_action", "tag", "deck_limits", "Other=5/50")
    assert done.output.splitlines() == ["learning_steps_min = 30s 5m 1h", "leech_suspend = tag", "deck_limits = Other=5/50"]
    settings = load_settings(synced)
    assert (settings.learning_steps_min, settings.leech_suspend, settings.deck_limits) == ((0.5, 5.0, 60.0), False, {"Other": (5, 50)})


def test_optimize_with_too_few_reviews_keeps_the_defaults(synced, home) -> None:
    CliRunner().invoke(studydl_cli, [*cli_args(home), "review", "--plain"], input="3\n" * 10)
    result = run(home, "optimize")
    assert (
        "Only 10 reviews were found. You must have at least 400 reviews for this operation (390 more needed)."
        " Keeping the current parameters."
    ) in result.output
    assert load_settings(synced).parameters is None
