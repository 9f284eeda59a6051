"""Item 6: deck files stay files on each device; a card is known by its identity, wherever its file is.

Each device draws its own uid for a card without an `id:`, so the shared log finds a
card by uid, then by a uid it matched before, then by its deck's root and path and its
content. An answer for a card a device does not have yet (its deck not synced there,
or an edit not pulled yet: an event names the card's content as it was when its
device synced) waits, and is taken when the card is there.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from studydl.decks.sync import sync_decks
from studydl.home import Home
from studydl.replica.sync import sync_answers
from tests.pg_server import PgServer
from tests.replica.devices import DECK, QUESTIONS, Device, converged

REPO = "---\ndeck: Repo\n---\n# Repo\n\nQ: What is a stride?\nA: The step of the filter.\n\nQ: Named?\nA: Yes.\nid: named-card\n"


def checkout(root: Path, text: str = REPO) -> Path:
    folder = root / "dl-decks"  # known as dir:dl-decks wherever it is
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "repo.md").write_text(text, encoding="utf-8")
    return folder


def uids(device: Device) -> dict[str, str]:
    with device.db.raw_read() as con:
        return dict(con.execute("SELECT question, uid FROM cards").fetchall())


def test_the_same_card_at_other_paths_with_other_uids_is_one_card(tmp_path: Path, pg_server: PgServer) -> None:
    url = pg_server.new_shared_log()
    laptop = Device(tmp_path / "home/ann/.local/share/studydl", url)
    desktop = Device(tmp_path / "Users/ann/Library/studydl", url)
    for device, where in ((laptop, tmp_path / "home/ann/src"), (desktop, tmp_path / "work/checkouts")):
        sync_decks(device.db, [checkout(where)], roots=device.home.named_roots())
    assert uids(laptop)[QUESTIONS[0]] != uids(desktop)[QUESTIONS[0]]  # drawn on each device
    assert uids(laptop)["Named?"] == uids(desktop)["Named?"] == "named-card"
    for question in (QUESTIONS[0], "What is a stride?", "Named?"):
        laptop.answer(question, 3)
        desktop.answer(question, 1)
    laptop.sync()
    desktop.sync()
    laptop.sync()
    converged(url, [laptop, desktop], given=6)
    laptop.close()
    desktop.close()


def test_an_answer_waits_for_a_card_this_device_has_not_synced_yet(tmp_path: Path, pg_server: PgServer) -> None:
    url = pg_server.new_shared_log()
    laptop = Device(tmp_path / "laptop", url)
    laptop_repo = checkout(tmp_path / "laptop-src")
    sync_decks(laptop.db, [laptop_repo], roots=laptop.home.named_roots())
    laptop.answer("What is a stride?", 3)
    laptop.answer(QUESTIONS[0], 3)
    # the laptop rewords a card and answers it; the desktop has not pulled the edit yet
    laptop_repo.joinpath("repo.md").write_text(REPO.replace("The step of the filter.", "How far the filter moves."), encoding="utf-8")
    sync_decks(laptop.db, [laptop_repo], roots=laptop.home.named_roots())
    laptop.answer("What is a stride?", 4)
    laptop.sync()

    desktop = Device(tmp_path / "desktop", url)  # its decks folder only: no dl-decks yet
    first = desktop.sync()
    assert (first.merged.answers, first.merged.waiting) == (1, 2)
    desktop_repo = checkout(tmp_path / "desktop-src")  # the old text: not the card the laptop's answers name
    sync_decks(desktop.db, [desktop_repo], roots=desktop.home.named_roots())
    assert desktop.sync().merged.waiting == 2
    shutil.copy(laptop_repo / "repo.md", desktop_repo / "repo.md")  # the desktop pulls the edit: now it is
    sync_decks(desktop.db, [desktop_repo], roots=desktop.home.named_roots())
    taken = desktop.sync().merged
    assert (taken.answers, taken.waiting) == (2, 0)
    converged(url, [laptop, desktop], given=3)
    laptop.close()
    desktop.close()


def test_a_copied_home_pushes_nothing_twice(tmp_path: Path, pg_server: PgServer) -> None:
    """A synced store copied to another folder keeps its answers' ids (and its device id): it pushes nothing twice.

    (Two copies studied apart would share one device id: docs/devices.md says to start
    another device with a home of its own.)"""
    url = pg_server.new_shared_log()
    laptop = Device(tmp_path / "laptop", url)
    laptop.answer(QUESTIONS[0], 3)
    laptop.sync()
    laptop.close()
    copy = tmp_path / "copy"
    shutil.copytree(laptop.home.root, copy)
    (copy / "decks" / "drill.md").write_text(DECK, encoding="utf-8")
    report = sync_answers(Home(copy, db_url=url).open_db(), Home(copy, db_url=url).shared_log)
    assert report.pushed == 0 and report.waiting == 0

