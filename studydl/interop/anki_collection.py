"""Read an Anki collection (SQLite) into plain values: note types, decks, notes, cards, review log.

Handles both schemas: the legacy one (schema 11: note types and decks as JSON
in `col`) and the newer one (schema 18: `notetypes`, `fields`, `templates`,
`decks` tables, with protobuf configs).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from studydl.interop.anki_proto import ProtoError, first_int, first_str, parse_fields
from studydl.interop.result import ImportFailed


@dataclass(frozen=True)
class NoteType:
    id: int
    name: str
    cloze: bool
    fields: list[str]
    templates: list[tuple[str, str]]
    """(question format, answer format) by template ordinal."""


@dataclass(frozen=True)
class AnkiNote:
    id: int
    mid: int
    tags: tuple[str, ...]
    fields: list[str]


@dataclass(frozen=True)
class AnkiCard:
    id: int
    nid: int
    did: int
    ord: int
    type: int
    queue: int
    due: int
    ivl: int
    factor: int
    reps: int
    lapses: int
    left: int
    """Learning steps still to go (`left % 1000`; older schedulers kept a count for today in the thousands)."""
    odue: int
    odid: int
    flags: int
    data: str


@dataclass(frozen=True)
class RevlogEntry:
    id: int
    """Milliseconds since the epoch: when the answer was given."""
    cid: int
    ease: int
    ivl: int
    last_ivl: int
    factor: int
    time: int
    type: int


@dataclass
class Collection:
    crt: int
    """Collection creation time (seconds); review due numbers count days from it."""
    sched_ver: int
    notetypes: dict[int, NoteType]
    decks: dict[int, str]
    notes: list[AnkiNote]
    cards: dict[int, list[AnkiCard]] = field(default_factory=dict)
    """By note id, in ordinal order."""
    revlog: dict[int, list[RevlogEntry]] = field(default_factory=dict)
    """By card id, oldest first."""
    creation_offset: int | None = None
    """`creationOffset`: minutes west of UTC where the collection was made (its `crt` is read there); None in older ones."""


def read_collection(path: Path, con: sqlite3.Connection) -> Collection:
    """The whole collection; a layout we cannot read is one ImportFailed message.

    `con` comes from apkg_read.open_collection, which has vetted the schema and
    turns SQLite's errors into messages.
    """
    try:
        tables = {row[0] for row in con.execute("select name from sqlite_master where type='table'")}
        crt, conf, models, decks = con.execute("select crt, conf, models, decks from col").fetchone()
        if "notetypes" in tables and not _json(models):
            notetypes = _notetypes_v18(con)
            deck_names = {did: name.replace("\x1f", "::") for did, name in con.execute("select id, name from decks")}
            config = _config_table(con, tables)
        else:
            notetypes = _notetypes_legacy(_json(models))
            deck_names = {int(did): str(d.get("name", "")) for did, d in _json(decks).items()}
            config = _json(conf) | {"schedVer": _json(conf).get("schedVer", 1)}
        offset = config.get("creationOffset")
        notes = [
            AnkiNote(nid, mid, tuple(tags.split()), flds.split("\x1f"))
            for nid, mid, tags, flds in con.execute("select id, mid, tags, flds from notes order by id")
        ]
        collection = Collection(int(crt), int(config.get("schedVer", 2)), notetypes, deck_names, notes)
        collection.creation_offset = int(offset) if isinstance(offset, int | float) and not isinstance(offset, bool) else None
        for row in con.execute(
            "select id, nid, did, ord, type, queue, due, ivl, factor, reps, lapses, left, odue, odid, flags, data "
            "from cards order by nid, ord"
        ):
            collection.cards.setdefault(row[1], []).append(AnkiCard(*row))
        if "revlog" in tables:
            for row in con.execute("select id, cid, ease, ivl, lastIvl, factor, time, type from revlog order by id"):
                collection.revlog.setdefault(row[1], []).append(RevlogEntry(*row))
    except (TypeError, ValueError, ProtoError) as exc:
        raise ImportFailed(f"{path}: Anki collection in a layout studydl does not understand ({exc})") from exc
    return collection


def _json(text: object) -> dict:
    if not text:
        return {}
    value = json.loads(text) if isinstance(text, str | bytes) else {}
    return value if isinstance(value, dict) else {}


def _notetypes_legacy(models: dict) -> dict[int, NoteType]:
    types: dict[int, NoteType] = {}
    for mid, model in models.items():
        fields = [f["name"] for f in sorted(model.get("flds", []), key=lambda f: f.get("ord", 0))]
        templates = [(t.get("qfmt", ""), t.get("afmt", "")) for t in sorted(model.get("tmpls", []), key=lambda t: t.get("ord", 0))]
        types[int(mid)] = NoteType(int(mid), str(model.get("name", "")), model.get("type", 0) == 1, fields, templates)
    return types


def _notetypes_v18(con: sqlite3.Connection) -> dict[int, NoteType]:
    types: dict[int, NoteType] = {}
    fields: dict[int, list[str]] = {}
    for ntid, _ord, name in con.execute("select ntid, ord, name from fields order by ntid, ord"):
        fields.setdefault(ntid, []).append(name)
    templates: dict[int, list[tuple[str, str]]] = {}
    for ntid, _ord, config in con.execute("select ntid, ord, config from templates order by ntid, ord"):
        parsed = parse_fields(bytes(config))
        templates.setdefault(ntid, []).append((first_str(parsed, 1), first_str(parsed, 2)))
    for ntid, name, config in con.execute("select id, name, config from notetypes"):
        kind = first_int(parse_fields(bytes(config)), 1, 0)
        types[ntid] = NoteType(ntid, name, kind == 1, fields.get(ntid, []), templates.get(ntid, []))
    return types


def _config_table(con: sqlite3.Connection, tables: set[str]) -> dict:
    """The few keys of schema 18's `config` table we read (JSON values), schedVer 2 when absent."""
    config: dict = {"schedVer": 2}
    if "config" in tables:
        for key, val in con.execute("select KEY, val from config where KEY in ('schedVer', 'creationOffset')"):
            with contextlib.suppress(ValueError, UnicodeDecodeError, TypeError):
                config[key] = json.loads(bytes(val).decode())
    return config
