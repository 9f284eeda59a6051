"""Item 1 in the app: it syncs at start, studies with the server away, and its footer says what waits.

With a shared log the app pulls the other devices' answers when the store is open and
never waits for a server that is away: the review goes on, the footer says "offline,
N answers waiting" and counts each answer; the next sync (here asked for; in use every
few minutes, at the end of a session and on close) pushes them.
"""

from __future__ import annotations

from pathlib import Path

from studydl.home import Home
from studydl.tui.launch import make_app
from studydl.tui.widgets.footer import StudyFooter
from tests.conftest import started_server
from tests.replica.devices import DECK, QUESTIONS, Device, server_answers
from tests.tui.conftest import FakeClock, press, screen_text, settle
from tests.tui.test_review import start_review


def footer_status(app) -> str:  # noqa: ANN001
    footer = app.screen.query_one(StudyFooter)
    labels = footer.query(".sync-status")
    return str(labels.first().render()) if labels else ""


async def test_the_app_pulls_at_start_and_counts_the_answers_waiting_while_offline(tmp_path: Path) -> None:
    clock = FakeClock()
    with started_server() as server:
        url = server.new_shared_log()
        desktop = Device(tmp_path / "desktop", url, clock=clock)
        desktop.answer(QUESTIONS[0], 4)
        desktop.sync()
        home = Home(tmp_path / "laptop", db_url=url).ensure()
        (home.decks_dir / "drill.md").write_text(DECK, encoding="utf-8")
        app = make_app(home, clock=clock, deck_roots=[home.decks_dir], watch=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            with app.db.raw_read() as con:  # the desktop's answer, pulled at start
                assert con.execute("SELECT count(*) FROM review_log").fetchone() == (1,)
            assert footer_status(app) == ""
            server.stop("fast")
            await start_review(pilot)
            await press(pilot, "space", "3")
            assert footer_status(app) == "1 answer waiting"  # for the sync at the end of the session
            await press(pilot, "escape")  # the session ends: its sync finds the server away
            assert footer_status(app) == "offline, 1 answer waiting"
            screen = await start_review(pilot)
            await press(pilot, "space", "1")
            assert footer_status(app) == "offline, 2 answers waiting"
            assert "offline, 2 answers waiting" in screen_text(app)[-1]
            assert screen.due is not None  # studying goes on
            server.restart()
            app.sync_answers()
            await settle(pilot)
            assert footer_status(app) == ""
        assert len(server_answers(url)[0]) == 3
        desktop.close()
