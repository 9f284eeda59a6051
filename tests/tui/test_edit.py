"""Edit as text: the editor at the card's line, re-sync, the new text on screen, history kept."""

from __future__ import annotations

import shutil
import stat
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from studydl.domain.errors import StudyError
from studydl.home import Home
from studydl.store.models import ReviewRow
from studydl.tui.editor import editor_command
from studydl.tui.launch import make_app
from studydl.tui.screens.errors import DeckErrorsScreen
from studydl.tui.screens.review import ReviewScreen
from studydl.tui.watch import poll_changes, watch_changes
from studydl.tui.widgets.card_view import CardPanel
from studydl.tui.widgets.deck_tree import DeckTree
from tests.tui.conftest import press, screen_text, settle, write

EDITOR = """\
#!{python}
import pathlib, sys
args = sys.argv[1:]
pathlib.Path({log!r}).write_text(" ".join(args))
path = pathlib.Path(args[-1])
path.write_text(path.read_text().replace({old!r}, {new!r}))
"""


def fake_editor(tmp_path: Path, old: str, new: str, name: str = "vim") -> tuple[Path, Path]:
    """An executable called `vim` that swaps one string in the file it is given and logs its arguments."""
    log = tmp_path / "editor-args.txt"
    script = tmp_path / "bin" / name
    script.parent.mkdir(exist_ok=True)
    script.write_text(EDITOR.format(python=sys.executable, log=str(log), old=old, new=new))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, log


def test_editor_command_puts_the_line_where_each_editor_wants_it() -> None:
    assert editor_command("d.md", 7, {"EDITOR": "vim"}) == ["vim", "+7", "d.md"]
    assert editor_command("d.md", 7, {"VISUAL": "nvim -p", "EDITOR": "nano"}) == ["nvim", "-p", "+7", "d.md"]
    assert editor_command("d.md", 3, {"EDITOR": "/usr/bin/hx"}) == ["/usr/bin/hx", "+3", "d.md"]
    assert editor_command("d.md", 3, {"EDITOR": "code"}) == ["code", "--wait", "-g", "d.md:3"]
    assert editor_command("d.md", 3, {"EDITOR": "code -w"}) == ["code", "-w", "-g", "d.md:3"]
    assert editor_command("d.md", 3, {"EDITOR": "subl"}) == ["subl", "--wait", "d.md:3"]
    assert editor_command("d.md", 3, {"EDITOR": "kate"}) == ["kate", "-l", "3", "d.md"]


def test_an_editor_outside_the_list_gets_plus_line_and_the_user_can_set_the_form() -> None:
    assert editor_command("d.md", 3, {"EDITOR": "gedit"}) == ["gedit", "+3", "d.md"]
    assert editor_command("d.md", 3, {"EDITOR": "/opt/bin/myedit --new"}) == ["/opt/bin/myedit", "--new", "+3", "d.md"]
    form = {"EDITOR": "myedit -x", "STUDYDL_EDITOR_LINE": "{editor} --goto '{file}:{line}'"}
    assert editor_command("my decks/d.md", 12, form) == ["myedit", "-x", "--goto", "my decks/d.md:12"]
    assert editor_command("d.md", 12, {"EDITOR": "vim", "STUDYDL_EDITOR_LINE": "{editor} {file}"}) == ["vim", "d.md"]
    with pytest.raises(StudyError, match="STUDYDL_EDITOR_LINE must contain {file}"):
        editor_command("d.md", 12, {"EDITOR": "vim", "STUDYDL_EDITOR_LINE": "{editor} +{line}"})


async def test_edit_opens_the_editor_and_the_card_changes_keeping_its_history(app, clock, study_home, tmp_path, monkeypatch) -> None:
    # An editor studydl has no entry for still gets the line (`+LINE FILE`, the common form).
    script, log = fake_editor(tmp_path, "What is a tensor?", "What is the tensor?", name="myedit")  # the same question
    monkeypatch.setenv("VISUAL", str(script))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "down", "enter")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        card_id = screen.due.card.id
        await press(pilot, "space", "1")  # Again: it comes back in a minute
        clock.advance(120)
        await press(pilot, "space", "4")
        assert screen.due.card.id == card_id

        await press(pilot, "e")
        deck = study_home.decks_dir / "basics.md"
        assert log.read_text() == f"+7 {deck}"
        assert screen.due.card.id == card_id
        assert screen.due.card.question == "What is the tensor?"
        assert "the tensor" in screen.query_one(CardPanel).question_source
        assert "the tensor" in screen_text(app)[4]  # and on screen
        with app.db.read() as s:
            assert s.scalar(select(func.count()).where(ReviewRow.card_id == card_id)) == 1


async def test_an_editor_that_cannot_run_is_a_notification(app, monkeypatch) -> None:
    monkeypatch.setenv("VISUAL", "/nonexistent/editor")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "down", "enter", "e")
        assert isinstance(app.screen, ReviewScreen)
        assert any("Cannot run" in n.message for n in app._notifications)


async def test_a_broken_deck_shows_file_line_problems_and_keeps_its_cards(app, study_home, tmp_path, monkeypatch) -> None:
    script, _ = fake_editor(tmp_path, "A: An n-dimensional array.", "")
    monkeypatch.setenv("VISUAL", str(script))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "down", "enter", "e")
        screen = app.screen
        assert screen.due.card.question == "What is a tensor?"
        assert "n-dimensional" in screen.due.card.answer
        deck = study_home.decks_dir / "basics.md"
        assert [str(p) for p in app.deck_errors] == [
            f"{deck}:7: `Q:` without an `A:` (write the answer on a line starting with `A:`)"
        ]
        [note] = [n for n in app._notifications if "ctrl+e" in n.message]
        assert note.title == "1 problem in 1 deck file: it was not synced"
        assert note.message.endswith("press ctrl+e to see it.")
        await press(pilot, "ctrl+e")
        assert app.screen.query_one("#errors-title").render().plain.startswith("1 problem in 1 deck file (it keeps its")
        assert isinstance(app.screen, DeckErrorsScreen)
        assert "decks/basics.md:7: `Q:` without" in str(app.screen.query_one("#errors-list").get_option_at_index(0).prompt)
        await press(pilot, "escape", "escape")
        assert app.screen.query_one("#progress").render().plain.endswith("4 left")


def test_polling_sees_a_deck_change(tmp_path) -> None:
    deck = tmp_path / "a.md"
    deck.write_text("a :: b\n")
    stop = threading.Event()
    changes = poll_changes([tmp_path], stop, interval=0.01)
    (tmp_path / ".hidden.md.swp").write_text("x")
    deck.write_text("a :: c, longer\n")
    assert next(changes) == {deck}
    stop.set()
    assert list(changes) == []


def test_watching_yields_deck_files_and_stops_when_told(tmp_path) -> None:
    stop = threading.Event()
    seen: list[set[Path]] = []
    ready = threading.Event()

    def run() -> None:
        ready.set()
        for batch in watch_changes([tmp_path], stop):
            seen.append(batch)
            stop.set()

    thread = threading.Thread(target=run)
    thread.start()
    ready.wait()
    for _ in range(100):  # until the watcher has started and sees a write
        (tmp_path / "deck.md").write_text("a :: b\n")
        thread.join(0.1)
        if not thread.is_alive():
            break
    stop.set()
    thread.join(5)
    assert not thread.is_alive()
    assert seen and seen[0] == {tmp_path / "deck.md"}


async def test_the_app_watches_the_deck_folder_and_stops_on_exit(build_app, study_home) -> None:
    app = build_app(watch=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        deck = study_home.decks_dir / "third.md"
        for _ in range(100):
            deck.write_text("# Extra\n\nAdam :: an optimizer\n")
            await pilot.pause(0.1)
            if "third" in app.deck_names:
                break
        await settle(pilot)
        assert "third" in app.deck_names
        watcher = next(w for w in app.workers if w.group == "watch")
    assert watcher.is_finished


async def test_e_on_a_bundled_card_edits_your_copy_which_keeps_the_cards_history(tmp_path, empty_db, clock, monkeypatch) -> None:
    bundled = tmp_path / "bundled"
    write(bundled / "cnn.md", "---\ndeck: CNN\n---\n\nQ: What does a pooling layer do?\nA: It downsamples.\n")
    home = Home(tmp_path / "home", bundled=bundled).ensure()
    shutil.copy(empty_db, home.db_path)
    script, log = fake_editor(tmp_path, "It downsamples.", "It downsamples the feature map.")
    monkeypatch.setenv("VISUAL", str(script))
    app = make_app(home, clock=clock, watch=False)  # the bundled decks and the home's, as `studydl` opens them
    app.monotonic = clock.monotonic
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "CNN · bundled" in str(app.screen.query_one(DeckTree).root.children[0].label)
        await press(pilot, "down", "enter")
        screen = app.screen
        card_id = screen.due.card.id
        await press(pilot, "space", "1")  # Again: it comes back in a minute
        clock.advance(120)
        await press(pilot, "space", "3")
        await press(pilot, "e")
        copy = home.decks_dir / "cnn.md"
        assert log.read_text() == f"+5 {copy}"
        assert "feature map" in copy.read_text() and "feature map" not in (bundled / "cnn.md").read_text()
        assert screen.due.card.id == card_id and screen.due.card.answer == "It downsamples the feature map."
        with app.db.read() as s:
            assert s.scalar(select(func.count()).where(ReviewRow.card_id == card_id)) == 2
        assert any("Your copy" in (n.title or "") for n in app._notifications)
        await press(pilot, "escape")
        assert "CNN · bundled" not in str(app.screen.query_one(DeckTree).root.children[0].label)
