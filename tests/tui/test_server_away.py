"""The app on a PostgreSQL server that goes away in the middle of a review, and comes back."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from studydl.home import Home
from studydl.store.models import ReviewRow
from studydl.tui.launch import make_app
from tests.conftest import started_server
from tests.tui.conftest import BASICS, SECOND, FakeClock, press, settle, write
from tests.tui.test_review import start_review


async def test_an_answer_while_the_server_is_down_is_reported_and_can_be_given_again(tmp_path: Path, clock: FakeClock) -> None:
    with started_server() as server:
        home = Home(tmp_path / "home", db_url=server.new_collection()).ensure()
        write(home.decks_dir / "basics.md", BASICS.replace("demo: xor-mlp\n", ""))  # (no demo: no torch warm-up)
        write(home.decks_dir / "second.md", SECOND)
        app = make_app(home, clock=clock, deck_roots=[home.decks_dir], watch=False)
        app.monotonic = clock.monotonic
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await start_review(pilot)
            await press(pilot, "space", "3")
            shown = screen.due.card.id
            await press(pilot, "space")
            server.stop("immediate")
            await press(pilot, "3")
            errors = [n for n in app._notifications if n.severity == "error"]
            assert [n.message for n in errors] == [
                f"cannot reach the PostgreSQL server 127.0.0.1:{server.port}, database studydl_tests: Connection refused"
            ]
            assert screen.due.card.id == shown and not screen.busy  # the card stays, the keys work again
            server.restart()
            await press(pilot, "3")
            await settle(pilot)
            assert screen.due.card.id != shown
        db = home.open_db()
        try:
            with db.read() as s:
                assert len(s.scalars(select(ReviewRow.id)).all()) == 2  # the first answer, and the one given again
        finally:
            db.dispose()
