"""Open an Anki package (.apkg/.colpkg zip, or a bare collection file) down to its SQLite collection.

Package layouts, newest first: `collection.anki21b` (zstd-compressed SQLite,
with a `meta` entry saying version 3), `collection.anki21` (SQLite, version 2)
and `collection.anki2` (SQLite, version 1). A package with `anki21b` also holds
a stub `anki2` that only says "please update Anki": it is never read.

A package is a file from someone else, so nothing in it is trusted: the zip is
read from disk (never whole into memory), the collection is streamed into a
temporary file in 1 MB chunks, and every size is capped three ways: the size
the zip declares, the size the zstd frame header declares, and the bytes that
actually come out (a zip bomb or a zstd frame of 4 GB of zeros stops at the
cap, or at its first bytes when they are not SQLite's). The zip's entry count
and directory size are checked before `zipfile` parses the directory
(zip_guard), and the collection is opened so that no SQL stored in it runs
(collection_guard).
"""

from __future__ import annotations

import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from studydl.interop.anki_proto import ProtoError, first_int, parse_fields
from studydl.interop.collection_guard import open_guarded, refusal
from studydl.interop.result import ImportFailed
from studydl.interop.zip_guard import check_directory

KNOWN_VERSIONS = {1: "collection.anki2", 2: "collection.anki21", 3: "collection.anki21b"}
MAX_COLLECTION_BYTES = 1024**3
"""The largest collection read (uncompressed). Anki collections of heavy users are a few hundred MB."""
MAX_META_BYTES = 64 * 1024
"""The `meta` entry is a few bytes of protobuf."""
MAX_ZSTD_WINDOW = 1 << 27
"""zstd's own default limit (128 MB); a frame asking for a larger window is refused."""
CHUNK = 1024 * 1024
SQLITE_MAGIC = b"SQLite format 3\x00"

_ZIP_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    ValueError,
    RuntimeError,  # an encrypted member
    NotImplementedError,  # a compression method zipfile lacks
    zlib.error,
)


@contextmanager
def open_collection(
    path: Path, cap: int = MAX_COLLECTION_BYTES, budget: int | None = None
) -> Iterator[tuple[sqlite3.Connection, int]]:
    """The package's collection as a read-only, vetted SQLite connection (collection_guard), and its media count.

    `budget` overrides the step budget of the queries (tests).
    """
    with tempfile.TemporaryDirectory(prefix="studydl-apkg-") as tmp:
        db_path = Path(tmp) / "collection.sqlite"
        try:
            with path.open("rb") as source:
                if source.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC:
                    source.seek(0)
                    _copy_capped(path, path.name, source, db_path, cap)
                    media = 0
                else:
                    source.seek(0)
                    media = _from_zip(path, source, db_path, cap)
        except OSError as exc:
            raise ImportFailed(f"{path}: cannot read file: {exc.strerror or exc}") from exc
        try:
            con, steps = open_guarded(path, db_path, budget)
        except sqlite3.DatabaseError as exc:  # not SQLite at all
            raise ImportFailed(f"{path}: not a readable Anki collection ({exc})") from exc
        try:
            yield con, media
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            raise refusal(path, steps, exc) from exc
        finally:
            con.close()


def _from_zip(path: Path, source: BinaryIO, target: Path, cap: int) -> int:
    """Stream the package's collection into `target`; returns the number of media files."""
    check_directory(path, source)
    try:
        archive = zipfile.ZipFile(source)
        names = {info.filename: info for info in archive.infolist()}
    except _ZIP_ERRORS as exc:
        raise ImportFailed(f"{path}: not a readable Anki package (broken zip: {exc})") from exc
    with archive:
        version = _meta_version(path, archive, names)
        if version is not None and version not in KNOWN_VERSIONS:
            raise ImportFailed(
                f"{path}: Anki package version {version} is newer than studydl understands (1-3); "
                "export it from Anki with 'Support older Anki versions' checked"
            )
        media = sum(1 for name in names if name.isdigit())
        for name in ("collection.anki21b", "collection.anki21", "collection.anki2"):
            if name not in names:
                continue
            info = names[name]
            if info.flag_bits & 0x1:
                raise ImportFailed(f"{path}: {name} is encrypted; export the package from Anki again (without a password)")
            _check_declared(path, name, info.file_size, cap)
            try:
                if name.endswith("b"):
                    _unzstd_capped(path, name, lambda info=info: archive.open(info), target, cap)
                else:
                    with archive.open(info) as member:
                        _copy_capped(path, name, member, target, cap, declared=info.file_size)
            except _ZIP_ERRORS as exc:
                raise ImportFailed(f"{path}: not a readable Anki package (broken zip: {exc})") from exc
            return media
    raise ImportFailed(f"{path}: not an Anki package: no collection.anki2, .anki21 or .anki21b inside")


def _check_declared(path: Path, name: str, size: int, cap: int) -> None:
    if size > cap:
        raise ImportFailed(f"{path}: {name} says it is {_size(size)} uncompressed; studydl imports collections up to {_size(cap)}")


def _copy_capped(path: Path, name: str, stream: BinaryIO, target: Path, cap: int, declared: int | None = None) -> None:
    """Copy `stream` to `target` in chunks: SQLite's header first, never more than `cap` (or `declared`) bytes."""
    limit = cap if declared is None else min(cap, declared)
    written = 0
    with target.open("wb") as out:
        while chunk := stream.read(CHUNK):
            if written == 0 and not chunk.startswith(SQLITE_MAGIC[: len(chunk)]):
                raise ImportFailed(f"{path}: not a readable Anki collection ({name} is not an SQLite database)")
            written += len(chunk)
            if written > limit:
                what = f"more than it declared ({_size(declared)})" if declared is not None and declared < cap else f"more than {_size(cap)}"
                raise ImportFailed(f"{path}: {name} holds {what}; refused")
            out.write(chunk)
    if declared is not None and written != declared:
        raise ImportFailed(f"{path}: not a readable Anki package ({name} declares {declared} bytes but holds {written})")


def _unzstd_capped(path: Path, name: str, open_member: Callable[[], BinaryIO], target: Path, cap: int) -> None:
    """Decompress a zstd frame into `target`, stopping at `cap` bytes whatever its header claims."""
    import zstandard

    with open_member() as member:
        head = member.read(18)  # the longest frame header
    try:
        claimed = zstandard.frame_content_size(head)
    except zstandard.ZstdError as exc:
        raise ImportFailed(f"{path}: broken compressed collection: {exc}") from exc
    if claimed > cap:
        raise ImportFailed(f"{path}: {name} says it inflates to {_size(claimed)}; studydl imports collections up to {_size(cap)}")
    decompressor = zstandard.ZstdDecompressor(max_window_size=MAX_ZSTD_WINDOW)
    try:
        with open_member() as member, decompressor.stream_reader(member, read_across_frames=False) as reader:
            _copy_capped(path, name, reader, target, cap)
    except zstandard.ZstdError as exc:
        raise ImportFailed(f"{path}: broken compressed collection: {exc}") from exc


def _meta_version(path: Path, archive: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo]) -> int | None:
    if "meta" not in names:
        return None
    info = names["meta"]
    try:
        if info.file_size > MAX_META_BYTES:
            raise ProtoError(f"{_size(info.file_size)}, a meta entry is a few bytes")
        with archive.open(info) as member:
            data = member.read(MAX_META_BYTES + 1)
        return first_int(parse_fields(data[:MAX_META_BYTES]), 1, 0)
    except (ProtoError, *_ZIP_ERRORS) as exc:
        raise ImportFailed(f"{path}: not a readable Anki package (bad meta entry: {exc})") from exc


def _size(n: int | None) -> str:
    n = n or 0
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} GB"
    if n >= 1024**2:
        return f"{n / 1024**2:.1f} MB"
    return f"{n} bytes"
