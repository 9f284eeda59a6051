"""Hostile files, built small and fast: YAML alias bombs, zip bombs, zstd frames of gigabytes of zeros.

Each is written byte by byte, so a 1.6 GB zip bomb takes milliseconds to make
(deflate restarts after a full flush, so every further megabyte of zeros
compresses to the same 989 bytes) and a 4 GB zstd frame is 32,768 RLE blocks
of 4 bytes. Nothing big is ever on disk or in memory.
"""

from __future__ import annotations

import os
import sqlite3
import struct
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

GB = 1024**3
MEMORY_CAP = int(1.5 * GB)
"""The issue's measurements were made under a 1.5 GB address-space limit."""


def yaml_alias_bomb(key: str = "deck") -> str:
    """A deck whose front matter is the classic "billion laughs": nine anchors of nine aliases each.

    `key: *i` stands for 9**9 = 387 million strings; `str()` of it (the deck name) is gigabytes.
    """
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{','.join([f'*{previous}'] * 9)}]")
    return "---\n" + "\n".join(lines) + f"\n{key}: *i\n---\n\n# Billion laughs\n\nReLU :: max(0, x)\n"


@dataclass(frozen=True)
class Member:
    """One zip entry as raw bytes: what the central directory declares may differ from what is there."""

    name: str
    data: bytes
    """Already compressed with `method` (8: raw deflate, 0: stored)."""
    crc: int
    size: int
    """The uncompressed size the zip declares."""
    method: int = 8
    flags: int = 0


@lru_cache(maxsize=4)
def deflated_zeros(total: int, chunk: int = 1_000_000) -> Member:
    """A raw deflate stream of `total` zero bytes (a multiple of `chunk`) and its CRC, in about 0.4 s per GB."""
    assert total % chunk == 0
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = comp.compress(bytes(chunk)) + comp.flush(zlib.Z_FULL_FLUSH)
    again = comp.compress(bytes(chunk)) + comp.flush(zlib.Z_FULL_FLUSH)
    body = first + again * (total // chunk - 1) + comp.flush(zlib.Z_FINISH)
    crc, zeros = 0, bytes(chunk)
    for _ in range(total // chunk):
        crc = zlib.crc32(zeros, crc)
    return Member("", body, crc, total)


def stored(name: str, data: bytes) -> Member:
    return Member(name, data, zlib.crc32(data), len(data), method=0)


def write_zip(path: Path, members: list[Member]) -> Path:
    """A zip file with exactly these entries and declarations (no zip64: sizes under 4 GB)."""
    local, central = bytearray(), bytearray()
    for member in members:
        name = member.name.encode()
        offset = len(local)
        fields = (20, member.flags, member.method, 0, 0x21, member.crc, len(member.data), member.size, len(name), 0)
        local += struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields) + name + member.data
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, offset) + name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))
    return path


def zstd_zeros(total: int, claimed: int | None, prefix: bytes = b"") -> bytes:
    """A zstd frame of `prefix` then zero bytes up to `total`, as RLE blocks (4 bytes per 128 KB).

    `claimed` is the content size the frame header declares (None: none declared).
    The window is 1 MB, so a decoder needs no more than that whatever the size.
    """
    block = 128 * 1024
    descriptor = 0xC0 if claimed is not None else 0x00  # 8-byte content size, or none; not single-segment
    out = bytearray(struct.pack("<I", 0xFD2FB528) + bytes([descriptor, 0x50]))  # window 2**20
    if claimed is not None:
        out += struct.pack("<Q", claimed)
    if prefix:
        out += (0 | (len(prefix) << 3)).to_bytes(3, "little") + prefix  # a raw block
    left = total - len(prefix)
    while left > 0:
        size = min(block, left)
        left -= size
        out += ((1 if left == 0 else 0) | (1 << 1) | (size << 3)).to_bytes(3, "little") + b"\x00"
    return bytes(out)


def run_capped(args: list[str], home: Path, cap: int = MEMORY_CAP, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real `studydl` entry point in a subprocess whose address space is capped (RLIMIT_AS)."""
    code = (
        "import resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))\n"
        "from studydl.cli import main\n"
        f"sys.argv = ['studydl', *{args!r}]\n"
        "main()\n"
    )
    env = {**os.environ, "STUDYDL_HOME": str(home)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=timeout)


MB = 1024 * 1024
META_V3 = b"\x08\x03"


def _zip_bomb(path: Path) -> None:
    zeros = deflated_zeros(1638 * MB, chunk=MB)
    write_zip(path, [Member("collection.anki21", zeros.data, zeros.crc, zeros.size)])


def _lying_zip(path: Path) -> None:
    zeros = deflated_zeros(64 * MB, chunk=MB)
    write_zip(path, [Member("collection.anki21", zeros.data, zeros.crc, 4096)])


def _big_text(path: Path) -> None:
    with path.open("wb") as out:  # sparse: 25 MB on paper, a few bytes on disk
        out.write(b"ReLU :: max(0, x)\n")
        out.truncate(25 * MB)


HOSTILE_IMPORTS: list[tuple[str, str, object, str]] = [
    # (id, file name, builder(path), what stderr says right after the path)
    ("zip-bomb", "bomb.apkg", _zip_bomb, ": collection.anki21 says it is 1.6 GB uncompressed; studydl imports collections up to 1.0 GB"),
    ("zip-size-lie", "liar.apkg", _lying_zip, ": not a readable Anki"),
    (
        "zstd-4gb",
        "zstd.apkg",
        lambda p: write_zip(p, [stored("collection.anki21b", zstd_zeros(4 * GB, 4 * GB)), stored("meta", META_V3)]),
        ": collection.anki21b says it inflates to 4.0 GB; studydl imports collections up to 1.0 GB",
    ),
    (
        "zstd-4gb-no-size",
        "zstd-nosize.apkg",
        lambda p: write_zip(p, [stored("collection.anki21b", zstd_zeros(4 * GB, None)), stored("meta", META_V3)]),
        ": not a readable Anki collection (collection.anki21b is not an SQLite database)",
    ),
    (
        "zstd-huge-window",
        "window.apkg",
        lambda p: write_zip(p, [stored("collection.anki21b", b"\x28\xb5\x2f\xfd\x00\xf8" + bytes(16)), stored("meta", META_V3)]),
        ": broken compressed collection",
    ),
    (
        "meta-bomb",
        "meta.apkg",
        lambda p: write_zip(p, [Member("meta", deflated_zeros(64 * MB, chunk=MB).data, 0, 64 * MB), stored("collection.anki21", b"x")]),
        ": not a readable Anki package (bad meta entry: 64.0 MB, a meta entry is a few bytes)",
    ),
    (
        "zip-encrypted",
        "locked.apkg",
        lambda p: write_zip(p, [Member("collection.anki21", b"x" * 100, 0, 100, method=0, flags=1)]),
        ": collection.anki21 is encrypted; export the package from Anki again (without a password)",
    ),
    (
        "zip-unknown-method",
        "ppmd.apkg",
        lambda p: write_zip(p, [Member("collection.anki21", b"x" * 100, 0, 100, method=98)]),
        ": not a readable Anki package (broken zip: That compression method is not supported",
    ),
    (
        "obsidian-alias-bomb",
        "note.md",
        lambda p: p.write_text(yaml_alias_bomb().replace("ReLU :: max(0, x)", "#flashcards\n\nReLU::max(0, x)")),
        ":3: front matter: YAML alias *a is not allowed here",
    ),
    (
        "obsidian-deep-yaml",
        "deep.md",
        lambda p: p.write_text("---\ntags: " + "[" * 5000 + "]" * 5000 + "\n---\n#flashcards\n\nReLU::the positive part\n"),
        ":2: front matter: nested deeper than 32 levels",
    ),
    ("text-25-mb", "big.txt", _big_text, ": file is over 20 MB; text imports are limited to 20 MB"),
]


# ---------------------------------------------------------------- SQL inside a package


def _collection(path: Path, replace_notes: str, rows: int = 0) -> bytes:
    """A schema-11 collection whose `notes` is replaced by `replace_notes` (SQL), with `rows` notes inserted."""
    from tests.interop.anki_builder import Collection

    Collection().write(path)
    con = sqlite3.connect(path)
    con.executescript(f"drop table notes; {replace_notes}")
    for nid in range(1, rows + 1):
        con.execute("insert into notes (id, guid, mid, mod, usn, tags, sfld, csum, flags, data) values (?,?,1001,0,0,'','q',0,0,'')", (nid, f"g{nid}"))
    con.commit()
    con.close()
    data = path.read_bytes()
    path.unlink()
    return data


ENDLESS_VIEW = """
create view notes as with recursive forever(n) as (select 1 union all select n + 1 from forever)
select n as id, 'g' as guid, 1001 as mid, 0 as mod, 0 as usn, '' as tags, 'q' || char(31) || 'a' as flds,
       'q' as sfld, 0 as csum, 0 as flags, '' as data from forever;
"""
ZEROBLOB_COLUMN = """
create table notes (id integer primary key, guid text not null, mid integer not null, mod integer not null,
  usn integer not null, tags text not null, flds text generated always as (hex(zeroblob(50000000))) virtual,
  sfld integer not null, csum integer not null, flags integer not null, data text not null);
"""


def endless_view_package(path: Path) -> Path:
    """About 1 KB: `notes` is a view over a recursive query that never ends (the issue's first package)."""
    collection = _collection(path.with_suffix(".tmp"), ENDLESS_VIEW)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("collection.anki2", collection)
    return path


def zeroblob_package(path: Path) -> Path:
    """About 1 KB: `notes.flds` is a generated column of 100 MB per row, 40 rows (the issue's second package)."""
    collection = _collection(path.with_suffix(".tmp"), ZEROBLOB_COLUMN, rows=40)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("collection.anki2", collection)
    return path


def many_entries_package(path: Path, entries: int = 1_000_000) -> Path:
    """A real collection and `entries - 1` empty media entries named 0, 1, 2... (zip64 end records: over 65,535).

    Every entry has its own local header and directory record, as a zip tool writes them
    (about 80 bytes each: 80 MB for a million, written in one pass).
    """
    from tests.interop.anki_builder import BASIC, Collection

    col = Collection()
    col.note(1, BASIC, ["ReLU", "max(0, x)"])
    col.card(11, 1, 1)
    tmp = col.write(path.with_suffix(".tmp"))
    first = tmp.read_bytes()
    tmp.unlink()
    local, central = struct.Struct("<4s5H3L2H"), struct.Struct("<4s6H3L5H2L")
    head = b"collection.anki2"
    fields = (20, 0, 0, 0, 0x21, zlib.crc32(first), len(first), len(first), len(head), 0)
    locals_ = [local.pack(b"PK\x03\x04", *fields) + head + first]
    records = [central.pack(b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0) + head]
    offset = len(locals_[0])
    for index in range(entries - 1):
        name = str(index).encode()
        fields = (20, 0, 0, 0, 0x21, 0, 0, 0, len(name), 0)
        locals_.append(local.pack(b"PK\x03\x04", *fields) + name)
        records.append(central.pack(b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, offset) + name)
        offset += local.size + len(name)
    directory = b"".join(records)
    end64_at = offset + len(directory)
    with path.open("wb") as out:
        out.write(b"".join(locals_))
        out.write(directory)
        out.write(struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, entries, entries, len(directory), offset))
        out.write(struct.pack("<4sLQL", b"PK\x06\x07", 0, end64_at, 1))
        out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, len(directory), offset, 0))
    return path
