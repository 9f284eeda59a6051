"""The issue's measured cases, under the same 1.5 GB address-space cap: each is refused with the file's name,
exit status 1, no traceback, and nothing written (no deck file, the store's dump unchanged).

Before the fix each ended in a MemoryError traceback: the YAML bomb (396 bytes,
`deck: *i`) after 20 s at 1.27 GB, the zip bomb at 1.1 GB, the zstd frame at once.
"""

from __future__ import annotations

import re
import sqlite3
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from studydl.cli import cli
from studydl.home import Home
from studydl.interop.apkg_read import open_collection
from studydl.interop.result import ImportFailed
from tests.interop.anki_builder import BASIC, Collection, package
from tests.interop.hostile import (
    GB,
    Member,
    deflated_zeros,
    endless_view_package,
    many_entries_package,
    run_capped,
    stored,
    write_zip,
    yaml_alias_bomb,
    zeroblob_package,
    zstd_zeros,
)

MB = 1024 * 1024


@pytest.fixture
def stocked(tmp_path: Path) -> Home:
    """A home with one synced deck (set up in-process: only the command under test runs capped)."""
    home = Home(tmp_path / "home").ensure()
    deck = tmp_path / "good.md"
    deck.write_text("ReLU :: max(0, x)\n", encoding="utf-8")
    done = CliRunner().invoke(cli, ["--home", str(home.root), "sync", str(deck)], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    return home


@pytest.fixture(scope="module")
def zeros_1_6_gb() -> Member:
    return deflated_zeros(1638 * MB, chunk=MB)  # 1.6 GB of zeros in 1.6 MB


def dump(home: Home) -> list[str]:
    con = sqlite3.connect(home.db_path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def refused(home: Home, args: list[str], path: Path, timeout: float = 120) -> str:
    before, decks = dump(home), sorted(home.decks_dir.iterdir())
    done = run_capped(args, home.root, timeout=timeout)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr, done.stderr
    assert str(path) in done.stderr
    assert sorted(home.decks_dir.iterdir()) == decks and dump(home) == before
    return done.stderr


def test_yaml_alias_bomb_in_deck_front_matter(stocked: Home, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.md"
    bomb.write_text(yaml_alias_bomb(), encoding="utf-8")
    assert bomb.stat().st_size < 500  # `deck: *i` is 9**9 = 387 million strings; its str() is gigabytes
    for command in ("check", "sync"):
        stderr = refused(stocked, [command, str(bomb)], bomb)
        assert f"{bomb.resolve()}:3: front matter: YAML alias *a is not allowed" in stderr


def test_yaml_alias_bomb_in_an_obsidian_note(stocked: Home, tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_text(yaml_alias_bomb().replace("ReLU :: max(0, x)", "#flashcards\n\nReLU::max(0, x)"), encoding="utf-8")
    stderr = refused(stocked, ["import", str(note)], note)
    assert f"{note}:3: front matter: YAML alias *a is not allowed" in stderr


def test_zip_bomb_posing_as_an_apkg(stocked: Home, tmp_path: Path, zeros_1_6_gb: Member) -> None:
    zeros = zeros_1_6_gb
    apkg = write_zip(tmp_path / "bomb.apkg", [Member("collection.anki21", zeros.data, zeros.crc, zeros.size)])
    assert apkg.stat().st_size < 2 * MB
    stderr = refused(stocked, ["import", str(apkg)], apkg)
    assert f"{apkg}: collection.anki21 says it is 1.6 GB uncompressed; studydl imports collections up to 1.0 GB" in stderr


def test_zip_bomb_that_lies_about_its_size(stocked: Home, tmp_path: Path, zeros_1_6_gb: Member) -> None:
    """The central directory says 100 KB; the deflate stream holds 1.6 GB: reading stops at the declared size."""
    zeros = zeros_1_6_gb
    apkg = write_zip(tmp_path / "liar.apkg", [Member("collection.anki21", zeros.data, zeros.crc, 100_000)])
    refused(stocked, ["import", str(apkg)], apkg)


def test_zstd_frame_of_four_gigabytes_of_zeros(stocked: Home, tmp_path: Path) -> None:
    frame = zstd_zeros(4 * GB, claimed=4 * GB)
    apkg = write_zip(tmp_path / "new.apkg", [stored("collection.anki21b", frame), stored("meta", b"\x08\x03")])
    stderr = refused(stocked, ["import", str(apkg)], apkg)
    assert f"{apkg}: collection.anki21b says it inflates to 4.0 GB" in stderr


def test_zstd_frame_that_declares_no_size(stocked: Home, tmp_path: Path) -> None:
    """No content size in the header: decompression is a stream, stopped at its first bytes (not SQLite's)."""
    frame = zstd_zeros(4 * GB, claimed=None)
    apkg = write_zip(tmp_path / "new.apkg", [stored("collection.anki21b", frame), stored("meta", b"\x08\x03")])
    stderr = refused(stocked, ["import", str(apkg)], apkg)
    assert "collection.anki21b is not an SQLite database" in stderr


def test_zstd_output_is_capped_whatever_the_header_claims(tmp_path: Path) -> None:
    """SQLite's header, then zeros, claiming a small size or none: the bytes that come out are counted."""
    for claimed in (None, 1000):
        frame = zstd_zeros(8 * MB, claimed=claimed, prefix=b"SQLite format 3\x00")
        apkg = write_zip(tmp_path / "new.apkg", [stored("collection.anki21b", frame), stored("meta", b"\x08\x03")])
        with pytest.raises(ImportFailed) as refusal, open_collection(apkg, cap=MB):
            pass
        assert str(refusal.value).startswith(f"{apkg}: ")
        assert "more than 1.0 MB" in str(refusal.value) or "broken compressed collection" in str(refusal.value)


def test_zip_member_sizes_are_checked_declared_and_actual(tmp_path: Path) -> None:
    data = b"SQLite format 3\x00" + bytes(3 * MB)
    apkg = write_zip(tmp_path / "big.apkg", [stored("collection.anki21", data)])
    declared = r"collection.anki21 says it is 3.0 MB uncompressed; studydl imports collections up to 1.0 MB"
    with pytest.raises(ImportFailed, match=declared), open_collection(apkg, cap=MB):
        pass
    small = Member("collection.anki21", data, zlib.crc32(data[:1000]), 1000, method=0)  # declares 1000 bytes
    liar = write_zip(tmp_path / "liar.apkg", [small])
    with pytest.raises(ImportFailed, match=r"liar.apkg: not a readable Anki collection"), open_collection(liar, cap=MB):
        pass


# SQL stored in a package runs when it is queried: each is refused before any query on its tables.
# (Before: the view hung `studydl import` for good, the generated column grew past 3.4 GB.)


def test_a_notes_view_over_an_endless_recursive_query_is_refused(stocked: Home, tmp_path: Path) -> None:
    apkg = endless_view_package(tmp_path / "endless.apkg")
    assert apkg.stat().st_size < 2000
    stderr = refused(stocked, ["import", str(apkg)], apkg, timeout=60)
    assert stderr.strip().splitlines() == [
        f"{apkg}: the collection holds a view ('notes'); an Anki collection has none, refused",
        "nothing was written",
    ]


def test_a_generated_column_of_zeroblobs_is_refused(stocked: Home, tmp_path: Path) -> None:
    apkg = zeroblob_package(tmp_path / "zeroblob.apkg")
    assert apkg.stat().st_size < 2000
    stderr = refused(stocked, ["import", str(apkg)], apkg, timeout=60)
    assert stderr.startswith(f"{apkg}: column notes.flds of the collection is generated or hidden; refused\n")


def test_a_package_of_a_million_entries_is_refused_before_its_directory_is_parsed(stocked: Home, tmp_path: Path) -> None:
    apkg = many_entries_package(tmp_path / "million.apkg")
    stderr = refused(stocked, ["import", str(apkg)], apkg, timeout=60)
    assert stderr.startswith(f"{apkg}: the package lists 1,000,000 files; studydl reads packages of up to 200,000\n")


@pytest.mark.parametrize(
    "sql, message",
    [
        ("create trigger t after insert on cards begin delete from notes; end", "holds a trigger ('t')"),
        ("create view v as select 1", "holds a view ('v')"),
        ("alter table cards add column junk text generated always as (hex(zeroblob(10))) virtual", "column cards.junk of the collection is generated"),
        ("alter table revlog rename column time to taken", "table revlog has no column time"),
    ],
)
def test_any_view_trigger_generated_column_or_missing_column_is_refused(tmp_path: Path, sql: str, message: str) -> None:
    path = Collection().write(tmp_path / "c.anki2")
    con = sqlite3.connect(path)
    con.execute(sql)
    con.commit()
    con.close()
    apkg = package(tmp_path / "x.apkg", {"collection.anki2": path.read_bytes()})
    with pytest.raises(ImportFailed, match=re.escape(f"{apkg}: ")) as refusal, open_collection(apkg):
        pass
    assert message in str(refusal.value)


def test_every_query_draws_on_one_step_budget(tmp_path: Path) -> None:
    """A plain collection read with a budget too small for it: the query is stopped and named as such."""
    col = Collection()
    for nid in range(1, 2001):
        col.note(nid, BASIC, [f"q{nid}", "a"])
        col.card(nid * 10, nid, 1)
    apkg = package(tmp_path / "x.apkg", {"collection.anki2": col.write(tmp_path / "c.anki2").read_bytes()})
    with open_collection(apkg) as (con, _):
        assert con.execute("select count(*) from notes").fetchone() == (2000,)
    with pytest.raises(ImportFailed) as refusal, open_collection(apkg, budget=20_000) as (con, _):
        con.execute("select * from notes order by flds").fetchall()
    assert str(refusal.value) == f"{apkg}: reading the collection took more work than a collection of its size needs; refused"
    with pytest.raises(ImportFailed, match="string or blob too big"), open_collection(apkg) as (con, _):
        con.execute("select zeroblob(100000000)").fetchone()
