"""Presets (Anki's deck-options presets): decks share a named group of options, a deck may override retention alone."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine

from studydl.cli import cli as studydl_cli
from studydl.domain.review import CardState, Rating
from studydl.engine.fsrs_model import DEFAULT_PARAMETERS
from studydl.engine.history import stored_memory
from studydl.engine.optimize import previous_parameters
from studydl.engine.scheduler import CardScheduler
from studydl.engine.session import ReviewSession
from studydl.engine.settings import DECKS_KEY, PRESETS_KEY, load_settings, save_changes
from studydl.store import schema
from studydl.store.db import Database
from tests.backends import cli_args
from tests.engine.engine_samples import card_ids


def test_0008_keeps_the_settings_as_the_default_preset_with_its_fsrs_model(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    schema.upgrade(create_engine(f"sqlite:///{path}"), "0007")
    fitted = [round(x * 1.1, 4) for x in DEFAULT_PARAMETERS]
    con = sqlite3.connect(path)
    rows = {
        "desired_retention": "0.85", "new_per_day": "5", "learning_steps_min": "[2.0]", "theme": '"nord"',
        "parameters": json.dumps(fitted), "parameters_previous": "null", "fuzz": "false",
    }  # fmt: skip
    con.executemany("insert into settings (key, value) values (?, ?)", rows.items())
    con.commit()
    con.close()
    db = Database(path)
    try:
        settings = load_settings(db)
        assert (settings.desired_retention, settings.new_per_day, settings.learning_steps_min) == (0.85, 5, (2.0,))
        assert settings.parameters == pytest.approx(fitted) and settings.preset == "Default"
        assert (settings.theme, settings.fuzz, settings.load_balancer) == ("nord", False, True)
        assert previous_parameters(db) == (True, None)  # the defaults, restorable as before
    finally:
        db.dispose()
    con = sqlite3.connect(path)
    left = {key for (key,) in con.execute("select key from settings")}
    assert left == {"theme", "fuzz"}
    assert con.execute("select name, fsrs_version, parameter_count from presets").fetchall() == [("Default", 6, 21)]


def test_decks_are_scheduled_with_their_preset_and_their_own_retention(synced, clock) -> None:
    save_changes(
        synced,
        {
            PRESETS_KEY: {"Fast": {"desired_retention": 0.8, "learning_steps_min": ()}},
            DECKS_KEY: {"Other": {"preset": "Fast"}, "Basics": {"retention": 0.95}},
        },
    )
    settings = load_settings(synced)
    assert settings.preset_names() == ["Default", "Fast"]
    assert (settings.for_deck("Other").desired_retention, settings.for_deck("Other").learning_steps_min) == (0.8, ())
    assert (settings.for_deck("Basics").desired_retention, settings.for_deck("Basics").learning_steps_min) == (0.95, (1.0, 10.0))
    assert settings.desired_retention == 0.9  # the Default preset itself is unchanged
    session = ReviewSession(synced, clock=clock)
    other, basics = card_ids(synced, "Other")[0], card_ids(synced, "Basics")[0]
    session.answer(other, Rating.GOOD)  # no learning steps in Fast: straight to review
    session.answer(basics, Rating.GOOD)
    assert stored_memory(synced, other).state == CardState.REVIEW
    assert stored_memory(synced, basics).state == CardState.LEARNING
    clock.advance(days=30)
    for card_id, deck in ((other, "Other"), (basics, "Basics")):
        shown = session.due_card(card_id).intervals
        expected = CardScheduler(settings.for_deck(deck)).preview(card_id, stored_memory(synced, card_id), clock.now)
        assert shown == expected
    assert session.due_card(other).intervals != CardScheduler(settings).preview(other, stored_memory(synced, other), clock.now)


def run(home, *args: str, code: int = 0):  # noqa: ANN001, ANN201
    result = CliRunner().invoke(studydl_cli, [*cli_args(home), *args])
    assert result.exit_code == code, result.output
    return result


def test_settings_command_adds_presets_assigns_decks_and_prints_json(synced, home) -> None:
    added = run(home, "settings", "--preset", "Languages", "retention", "0.8", "easy_days", "Sun=minimum Sat=reduced")
    assert added.output.splitlines() == [
        "Added preset 'Languages' (Anki's defaults, with the options given).",
        "desired_retention = 0.8",
        "easy_days = Sat=reduced Sun=minimum",
    ]
    assert run(home, "settings", "--deck", "other", "preset", "Languages").output.strip() == (
        "Other: preset 'Languages', desired retention 0.8 (the preset's)"
    )
    own = run(home, "settings", "--deck", "Basics", "retention", "0.93").output.splitlines()
    assert own[0] == "Basics: preset 'Default', desired retention 0.93 (its own)"
    assert own[1].startswith("Approximate workload: ") and own[1].endswith("(compared to 90% desired retention)")
    data = json.loads(run(home, "settings", "--json").output)
    assert data["settings"]["load_balancer"] is True and set(data["presets"]) == {"Default", "Languages"}
    languages = data["presets"]["Languages"]
    assert (languages["desired_retention"], languages["easy_days"], languages["decks"]) == (0.8, [1, 1, 1, 1, 1, 0.5, 0], ["Other"])
    assert (languages["fsrs_version"], languages["parameter_count"], languages["parameters"]) == (6, None, None)
    assert data["decks"]["Basics"] == {"preset": "Default", "desired_retention": 0.93, "own_retention": 0.93}
    assert data["decks"]["Other"] == {"preset": "Languages", "desired_retention": 0.8, "own_retention": None}
    one = json.loads(run(home, "settings", "--preset", "Languages", "--json").output)
    assert one["preset"] == "Languages" and one["review_order"] == "due"
    assert "shared by every preset" in run(home, "settings", "--preset", "Languages", "fuzz", "off", code=2).output
    assert "no preset named 'Nope'" in run(home, "settings", "--deck", "Other", "preset", "Nope", code=1).output
    assert "retention: 1.5 is out of range" in run(home, "settings", "--deck", "Other", "retention", "1.5", code=1).output
    assert run(home, "settings", "--preset", "Languages", "--remove").output.strip() == (
        "Removed preset 'Languages'; 1 deck(s) back on Default."
    )
    settings = load_settings(synced)
    assert settings.preset_names() == ["Default"] and settings.preset_of("Other") == "Default"
    assert settings.for_deck("Basics").desired_retention == 0.93
