"""Automatic backups where a learner works: the end of a review session (app and `review --plain`) and the
app closing, at most every 3 hours of the app's (injected) clock."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from studydl.home import Home
from studydl.store.backup import find_backups
from studydl.tui.launch import make_app
from studydl.tui.screens.review import ReviewScreen
from tests.store.conftest import DECK, answer_all, count_reviews, studydl
from tests.tui.conftest import started

START = datetime(2026, 3, 28, 20, 0, tzinfo=UTC)  # the evening before summer time in Europe


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def home(tmp_path: Path) -> Home:
    home = Home(tmp_path / "home").ensure()
    (home.decks_dir / "activations.md").write_text(DECK, encoding="utf-8")
    return home


async def review_one(app, clock: Clock) -> list[datetime]:
    """From the deck list: review the first card (Easy), leave the session with escape, then close the app
    ten minutes later. Returns the times of the backups there were when the session had ended."""
    async with app.run_test(size=(100, 30)) as pilot:
        await started(pilot)
        await pilot.press("down", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        clock.advance(seconds=5)
        await pilot.press("space")
        await app.workers.wait_for_complete()
        await pilot.press("4")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("escape")  # the session ends here
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        at_session_end = [b.taken_at for b in find_backups(app.home.backups_dir)]
        clock.advance(minutes=10)  # then the app stays open a while
    return at_session_end


def build(home: Home, clock: Clock):
    return make_app(home, clock=clock, deck_roots=[home.decks_dir], watch=False)


async def test_session_end_and_app_close_make_backups_at_most_every_three_hours(home: Home) -> None:
    clock = Clock()
    first = build(home, clock)
    assert await review_one(first, clock) == [START + timedelta(seconds=5)]  # made when the session ended
    [made] = find_backups(home.backups_dir)  # closing 10 minutes later made none
    assert count_reviews(made.path) == 1

    clock.advance(hours=1)
    second = build(home, clock)
    assert len(await review_one(second, clock)) == 1
    assert len(find_backups(home.backups_dir)) == 1  # too soon: an hour and ten minutes after the last

    clock.advance(hours=2)  # 3 h 25 min after the first backup
    third = build(home, clock)
    async with third.run_test(size=(100, 30)) as pilot:
        await started(pilot)
    backups = find_backups(home.backups_dir)
    assert [b.taken_at for b in backups] == [START + timedelta(seconds=5), clock.now]  # made when the app closed
    assert count_reviews(backups[-1].path) == 2

    clock.advance(hours=4)
    fourth = build(home, clock)
    async with fourth.run_test(size=(100, 30)) as pilot:
        await started(pilot)
    assert len(find_backups(home.backups_dir)) == 2  # nothing changed since: no copy of the same bytes


async def test_a_session_left_without_answers_makes_no_backup_twice(home: Home, tmp_path: Path) -> None:
    clock = Clock()
    app = build(home, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await started(pilot)
    assert len(find_backups(home.backups_dir)) == 1  # the synced deck is a change
    copy = tmp_path / "copy"
    shutil.copytree(home.backups_dir, copy)
    clock.advance(hours=5)
    again = build(home, clock)
    async with again.run_test(size=(100, 30)) as pilot:
        await started(pilot)
    assert sorted(p.name for p in home.backups_dir.iterdir()) == sorted(p.name for p in copy.iterdir())


def test_plain_review_makes_a_backup_when_it_ends(home: Home) -> None:
    assert studydl(home, "sync", str(home.decks_dir / "activations.md")).exit_code == 0
    assert not home.backups_dir.exists()
    done = answer_all(home, "4")
    assert "Traceback" not in done.output
    [made] = find_backups(home.backups_dir)
    assert count_reviews(made.path) == 5
    answer_all(home, "4")  # a second session at once: within 3 hours, no second backup
    assert [b.path for b in find_backups(home.backups_dir)] == [made.path]


def test_plain_review_warns_when_no_backup_can_be_made(home: Home) -> None:
    assert studydl(home, "sync", str(home.decks_dir / "activations.md")).exit_code == 0
    home.backups_dir.write_text("a file where the folder should be")
    done = answer_all(home, "4")
    assert "warning: no automatic backup:" in done.output and "Traceback" not in done.output
