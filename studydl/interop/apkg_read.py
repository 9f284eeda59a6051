"""Open an Anki package (.apkg/.colpkg zip, or a bare collection file) down to its SQLite collection.

Package layouts, newest first: `collection.anki21b` (zstd-compressed SQLite,
with a `meta` entry saying version 3), `collection.anki21` (SQLite, version 2)
and `collection.anki2` (SQLite, version 1). A package with `anki21b` also holds
a stub `anki2` that only says "please update Anki": it is never read.
"""

from __future__ import annotations

import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path

from studydl.interop.anki_proto import ProtoError, first_int, parse_fields
from studydl.interop.result import ImportFailed

KNOWN_VERSIONS = {1: "collection.anki2", 2: "collection.anki21", 3: "collection.anki21b"}
MAX_COLLECTION_BYTES = 2 * 1024**3


@contextmanager
def open_collection(path: Path, data: bytes) -> Iterator[tuple[sqlite3.Connection, int]]:
    """The package's collection as a read-only SQLite connection, and how many media files it carried."""
    if data.startswith(b"SQLite format 3\x00"):
        collection, media = data, 0
    else:
        collection, media = _from_zip(path, data)
    with tempfile.TemporaryDirectory(prefix="studydl-apkg-") as tmp:
        db_path = Path(tmp) / "collection.sqlite"
        db_path.write_bytes(collection)
        try:
            con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
            con.create_collation("unicase", _unicase)
            con.execute("select count(*) from notes").fetchone()
        except sqlite3.DatabaseError as exc:
            raise ImportFailed(f"{path}: not a readable Anki collection ({exc})") from exc
        try:
            yield con, media
        finally:
            con.close()


def _unicase(a: str, b: str) -> int:
    x, y = a.casefold(), b.casefold()
    return (x > y) - (x < y)


def _from_zip(path: Path, data: bytes) -> tuple[bytes, int]:
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFailed(f"{path}: not a readable Anki package (broken zip: {exc})") from exc
    with archive:
        version = _meta_version(path, archive, names)
        if version is not None and version not in KNOWN_VERSIONS:
            raise ImportFailed(
                f"{path}: Anki package version {version} is newer than studydl understands (1-3); "
                "export it from Anki with 'Support older Anki versions' checked"
            )
        media = sum(1 for name in names if name.isdigit())
        try:
            if "collection.anki21b" in names:
                return _decompress(path, archive.read("collection.anki21b")), media
            for name in ("collection.anki21", "collection.anki2"):
                if name in names:
                    info = archive.getinfo(name)
                    if info.file_size > MAX_COLLECTION_BYTES:
                        raise ImportFailed(f"{path}: collection is {info.file_size / 1024**3:.1f} GB; too large")
                    return archive.read(name), media
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ImportFailed(f"{path}: not a readable Anki package (broken zip: {exc})") from exc
    raise ImportFailed(f"{path}: not an Anki package: no collection.anki2, .anki21 or .anki21b inside")


def _meta_version(path: Path, archive: zipfile.ZipFile, names: set[str]) -> int | None:
    if "meta" not in names:
        return None
    try:
        return first_int(parse_fields(archive.read("meta")), 1, 0)
    except (ProtoError, zipfile.BadZipFile, OSError) as exc:
        raise ImportFailed(f"{path}: not a readable Anki package (bad meta entry: {exc})") from exc


def _decompress(path: Path, blob: bytes) -> bytes:
    """Inflate a zstd-compressed collection (Anki 2.1.50+ packages)."""
    import zstandard

    try:
        return zstandard.ZstdDecompressor().decompress(blob, max_output_size=MAX_COLLECTION_BYTES)
    except zstandard.ZstdError as exc:
        raise ImportFailed(f"{path}: broken compressed collection: {exc}") from exc
