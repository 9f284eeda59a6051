"""Refuse a zip whose central directory is too big to parse, before `zipfile` parses it.

`zipfile.ZipFile` reads the whole central directory and makes one object per
entry: a package of a million empty entries costs seconds and hundreds of MB
before a single byte of the collection is read. The end-of-central-directory
record (and its zip64 form) says how many entries there are and how many bytes
the directory takes, so both are checked first, from at most 64 KB at the end.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

from studydl.interop.result import ImportFailed

MAX_ENTRIES = 200_000
"""An Anki package is a collection, a media map and one entry per media file; big media decks hold tens of thousands."""
MAX_DIRECTORY_BYTES = 32 * 1024 * 1024
"""The central directory of MAX_ENTRIES entries with names of a few characters is about 10 MB."""
_END = struct.Struct("<4s4H2LH")  # signature, disk, cd disk, entries here, entries, cd size, cd offset, comment length
_END64_LOCATOR = struct.Struct("<4sLQL")  # signature, disk, offset of the zip64 record, disks
_END64 = struct.Struct("<4sQ2H2L4Q")  # signature, size, versions, disks, entries here, entries, cd size, cd offset
_TAIL = _END.size + 0xFFFF  # the record and the longest comment


def check_directory(path: Path, source: BinaryIO) -> None:
    """Raise ImportFailed when the zip declares more than MAX_ENTRIES entries or a directory over MAX_DIRECTORY_BYTES.

    A file without an end record is left to `zipfile` (it reports a broken zip).
    """
    source.seek(0, 2)
    size = source.tell()
    start = max(0, size - _TAIL)
    source.seek(start)
    tail = source.read(size - start)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _END.size:
        return
    _, _, _, _, entries, directory, _, _ = _END.unpack_from(tail, at)
    if at >= _END64_LOCATOR.size and tail[at - _END64_LOCATOR.size : at - _END64_LOCATOR.size + 4] == b"PK\x06\x07":
        _, _, offset, _ = _END64_LOCATOR.unpack_from(tail, at - _END64_LOCATOR.size)
        source.seek(offset)
        record = source.read(_END64.size)
        if len(record) == _END64.size and record[:4] == b"PK\x06\x06":
            _, _, _, _, _, _, _, entries, directory, _ = _END64.unpack(record)
    if entries > MAX_ENTRIES:
        raise ImportFailed(f"{path}: the package lists {entries:,} files; studydl reads packages of up to {MAX_ENTRIES:,}")
    if directory > MAX_DIRECTORY_BYTES:
        raise ImportFailed(
            f"{path}: the package's file list takes {directory / 1024**2:.0f} MB; studydl reads lists of up to"
            f" {MAX_DIRECTORY_BYTES // 1024**2} MB"
        )
