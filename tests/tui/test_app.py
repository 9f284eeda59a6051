"""The app shell: start-up, errors, the command palette, help, quitting; and one whole session end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import func, select
from textual.command import CommandPalette
from textual.widgets import Input

from studydl.domain.review import Rating
from studydl.store.models import ReviewRow
from studydl.tui.screens.help import HelpScreen
from studydl.tui.screens.home import HomeScreen
from studydl.tui.screens.review import ReviewScreen
from studydl.tui.screens.summary import SummaryScreen
from studydl.tui.widgets.answer_bar import AnswerBar, Showing
from tests.tui.conftest import HANG_S, press, settle


async def test_first_paint_comes_before_the_store_opens_then_counts_fill_in(app) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one("#progress").render().plain == "Opening your decks…"
        await settle(pilot)
        assert app.db is not None and app.synced
        assert app.screen.query_one("#progress").render().plain == "Today  0 reviewed · 4 left"
        assert app.deck_names == ["Basics", "second"]


async def test_worker_failure_is_a_notification_and_a_log_line(app, study_home, monkeypatch) -> None:
    def boom(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("studydl.decks.sync.sync_decks", boom)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        [note] = [n for n in app._notifications if n.severity == "error"]
        assert note.title == "Deck sync failed"
        assert note.message.startswith("RuntimeError: disk on fire")
    log = study_home.log_path.read_text()
    assert "Deck sync failed" in log and "Traceback" in log and "disk on fire" in log


async def test_an_uncaught_error_ends_with_one_line_and_the_traceback_in_the_log(app, study_home, monkeypatch, capfd) -> None:
    monkeypatch.setattr(HomeScreen, "_progress", staticmethod(lambda data: 1 / 0))
    with pytest.raises(ZeroDivisionError):
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
    printed = capfd.readouterr().err
    assert "studydl stopped on an unexpected error: ZeroDivisionError" in printed
    assert "Traceback" not in printed
    assert "Traceback" in study_home.log_path.read_text()


async def test_help_lists_the_keys_of_every_screen_from_their_bindings(app) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        titles = [str(label.render()) for label in app.screen.query(".help-section")]
        assert titles[:4] == ["Everywhere", "Deck list", "Review", "Session summary"]
        assert "Settings" in titles and "Deck problems" in titles
        await press(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)
        await press(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        await press(pilot, "escape")


async def test_the_command_palette_offers_every_action(app) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        from studydl.tui.commands import app_commands, screen_commands

        titles = [c.title for c in app_commands(app)] + [c.title for c in screen_commands(app, app.screen)]
        for wanted in ("Review all decks", "Review deck: Basics", "Review deck: second", "Browse cards", "Statistics", "Settings", "Sync decks now", "Help"):
            assert wanted in titles
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        app.screen.query_one(Input).value = "review deck second"
        await pilot.pause(0.3)  # the palette searches in its own worker
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen) and app.screen.deck == "second"
        await press(pilot, "ctrl+p")
        app.screen.query_one(Input).value = "Reveal"
        await pilot.pause(0.3)
        await press(pilot, "enter")
        assert app.screen.revealed


async def test_q_quits_on_the_deck_list_but_not_while_reviewing(app) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "a", "q")
        assert isinstance(app.screen, ReviewScreen) and app.is_running
        await press(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)
        await press(pilot, "q")
    assert not app.is_running


async def test_ctrl_q_quits_from_any_screen(app) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "a", "ctrl+q")
    assert not app.is_running


STARTUP_PROBE = """
import asyncio, json, sys
from studydl.home import Home
from studydl.tui.launch import make_app

async def main():
    home = Home.resolve(sys.argv[1])
    app = make_app(home, deck_roots=[home.decks_dir], watch=False)
    async with app.run_test() as pilot:
        while not app.synced or app.screen.data is None:
            await pilot.pause(0.05)
        # studydl.demos.runner is left out: the sync needs the catalogue's demo ids, and the
        # studydl.demos package __init__ re-exports the runner (torch-free, ~35 ms, after the paint).
        heavy = ("torch", "plotext", "textual_plotext", "studydl.engine.optimize", "fsrs.optimizer", "studydl.engine.session")
        print(json.dumps([name for name in heavy if name in sys.modules]))

asyncio.run(main())
"""


def test_start_up_imports_no_torch_plotext_optimizer_or_demo_runner(study_home) -> None:
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(STARTUP_PROBE), str(study_home.root)], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


async def test_end_to_end_review_undo_edit_demo_stats_quit_and_reopen(build_app, clock, study_home, tmp_path, monkeypatch) -> None:
    from tests.tui.test_edit import fake_editor

    script, _ = fake_editor(tmp_path, "max(0, x)", "max(0, x), elementwise")
    monkeypatch.setenv("VISUAL", str(script))
    app = build_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "down", "enter")  # Basics
        review = app.screen
        await press(pilot, "space", "4")
        await press(pilot, "u")  # undo it, then answer again
        assert review.due.card.question == "What is a tensor?"
        await press(pilot, "space", "3")
        assert review.due.card.question == "ReLU"
        await press(pilot, "e")
        assert review.due.card.answer == "max(0, x), elementwise"
        await press(pilot, "space", "4")
        assert review.due.card.demo_id == "xor-mlp"
        await press(pilot, "d")
        if app.screen is not review:
            await press(pilot, "escape")
        assert app.screen is review
        await press(pilot, "space", "4")
        clock.advance(600)  # the Good card's 10-minute step comes due
        await press(pilot, "space", "4")
        assert isinstance(app.screen, SummaryScreen) and app.screen.summary.reviewed == 4
        await press(pilot, "enter", "s")
        if not isinstance(app.screen, HomeScreen):  # the stats screen exists
            assert type(app.screen).__name__ == "StatsScreen"
            await press(pilot, "escape")
        await press(pilot, "q")
    reopened = build_app()
    async with reopened.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert reopened.screen.query_one("#progress").render().plain == "Today  4 reviewed · 1 left"
        with reopened.db.read() as s:
            assert s.scalar(select(func.count()).select_from(ReviewRow)) == 4


async def test_a_deck_added_while_the_app_was_closed_is_in_the_first_counts_however_slow_the_sync(build_app, study_home, monkeypatch) -> None:
    """Start-up is one ordered step: open, sync, then the first deck-list load.

    The sync is held (a slow disk) while the test looks at the screen: no counts may be
    shown before it ends (those would lack the new deck, and a load racing the sync could
    land last), and the first counts shown hold the deck added while the app was closed.
    """
    import asyncio
    import threading

    import studydl.decks.sync as sync_module
    from studydl.decks.sync import sync_decks
    from studydl.tui.widgets.deck_tree import DeckTree
    from tests.tui.conftest import write

    db = study_home.open_db()  # the app ran before: Basics and second are in the store
    sync_decks(db, [study_home.decks_dir], roots=study_home.named_roots())
    db.dispose()
    write(study_home.decks_dir / "third.md", "# Later\n\nGELU :: x * Phi(x)\n")  # added while it was closed
    entered, release = threading.Event(), threading.Event()

    def slow_sync(*args, **kwargs):
        entered.set()
        assert release.wait(HANG_S)
        return sync_decks(*args, **kwargs)

    monkeypatch.setattr(sync_module, "sync_decks", slow_sync)
    app = build_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert await asyncio.to_thread(entered.wait, HANG_S)
        for _ in range(5):  # time for any load that would race the sync to land
            await pilot.pause(0.05)
        home = app.screen
        assert isinstance(home, HomeScreen)
        assert home.query_one("#progress").render().plain == "Opening your decks…"
        assert len(home.query_one(DeckTree).root.children) == 0 and app.db is None
        release.set()
        await settle(pilot)
        assert [str(n.data.deck) for n in home.query_one(DeckTree).root.children] == ["Basics", "second", "third"]
        assert home.query_one("#progress").render().plain == "Today  0 reviewed · 5 left"


async def test_a_daily_session_at_80x24_reaches_every_action_without_scrolling(app, clock) -> None:
    """Deck list, a whole review, summary, browse, stats, settings, help: each screen's keys in its
    footer and its buttons on screen at 80x24; scrollbars one column wide on a visible track."""
    from textual.widgets import Button

    from tests.tui.conftest import screen_text

    def footer() -> str:
        return " ".join(screen_text(app)[-1].split())

    def on_screen(*selectors: str) -> bool:
        whole = app.screen.region
        return all(whole.contains_region(w.region) for s in selectors for w in app.screen.query(s) if w.display)

    def buttons_on_screen(bar: AnswerBar, ratings: list[Rating | None]) -> bool:
        return all(app.screen.region.contains_region(bar.button_region(r)) and bar.button_region(r).width >= 12 for r in ratings)

    def thin_scrollbars() -> bool:
        return all(w.styles.scrollbar_size_vertical == 1 for w in app.screen.query("*") if w.show_vertical_scrollbar)

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert all(k in footer() for k in ("⏎ Study", "a Study all", "b Browse", "s Stats", "o Settings", "? Help", "q Quit"))
        await press(pilot, "a")
        while isinstance(app.screen, ReviewScreen):
            bar = app.screen.query_one(AnswerBar)
            assert "s Suspend" in footer() and bar.showing is Showing.REVEAL and buttons_on_screen(bar, [None])
            assert any("Show answer  (space)" in row for row in screen_text(app))
            clock.advance(20)
            await press(pilot, "space")
            assert bar.showing is Showing.ANSWERS and buttons_on_screen(bar, list(Rating))
            await press(pilot, "3")
            clock.advance(700)  # learning steps come due
        assert isinstance(app.screen, SummaryScreen) and "esc Back to decks" in footer()
        await press(pilot, "enter", "b")
        assert all(k in footer() for k in ("tab To the card", "/ Search", "s Suspend", "f Flag")) and thin_scrollbars()
        await press(pilot, "escape", "s")
        assert "esc Back" in footer() and thin_scrollbars()
        await press(pilot, "escape", "o")
        assert on_screen("#save", "#cancel") and "^s Save" in footer() and thin_scrollbars()
        assert all(isinstance(b, Button) for b in app.screen.query("#settings-buttons Button"))
        await press(pilot, "escape", "question_mark")
        assert isinstance(app.screen, HelpScreen) and thin_scrollbars()
        assert any("escape closes" in row for row in screen_text(app))
        await press(pilot, "escape", "q")
    assert app.return_code == 0
