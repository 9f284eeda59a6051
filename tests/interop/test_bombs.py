"""The issue's measured cases, under the same 1.5 GB address-space cap: each is refused with the file's name,
exit status 1, no traceback, and nothing written (no deck file, the store's dump unchanged).

Before the fix each ended in a MemoryError traceback: the YAML bomb (396 bytes,
`deck: *i`) after 20 s at 1.27 GB, the zip bomb at 1.1 GB, the zstd frame at once.
"""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from studydl.cli import cli
from studydl.home import Home
from studydl.interop.apkg_read import open_collection
from studydl.interop.result import ImportFailed
from tests.interop.hostile import (
    GB,
    Member,
    deflated_zeros,
    run_capped,
    stored,
    write_zip,
    yaml_alias_bomb,
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


def refused(home: Home, args: list[str], path: Path) -> str:
    before, decks = dump(home), sorted(home.decks_dir.iterdir())
    done = run_capped(args, home.root)
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
