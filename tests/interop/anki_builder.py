"""Build Anki collections and packages the way Anki itself stores them (schema 11 and schema 18)."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from studydl.interop.anki_proto import encode_varint

SCHEMA_11 = """
CREATE TABLE col (id integer primary key, crt integer not null, mod integer not null, scm integer not null,
  ver integer not null, dty integer not null, usn integer not null, ls integer not null, conf text not null,
  models text not null, decks text not null, dconf text not null, tags text not null);
CREATE TABLE notes (id integer primary key, guid text not null, mid integer not null, mod integer not null,
  usn integer not null, tags text not null, flds text not null, sfld integer not null, csum integer not null,
  flags integer not null, data text not null);
CREATE TABLE cards (id integer primary key, nid integer not null, did integer not null, ord integer not null,
  mod integer not null, usn integer not null, type integer not null, queue integer not null, due integer not null,
  ivl integer not null, factor integer not null, reps integer not null, lapses integer not null, left integer not null,
  odue integer not null, odid integer not null, flags integer not null, data text not null);
CREATE TABLE revlog (id integer primary key, cid integer not null, usn integer not null, ease integer not null,
  ivl integer not null, lastIvl integer not null, factor integer not null, time integer not null, type integer not null);
CREATE TABLE graves (usn integer not null, oid integer not null, type integer not null);
"""

SCHEMA_18_EXTRA = """
CREATE TABLE notetypes (id integer NOT NULL PRIMARY KEY, name text NOT NULL, mtime_secs integer NOT NULL,
  usn integer NOT NULL, config blob NOT NULL);
CREATE TABLE fields (ntid integer NOT NULL, ord integer NOT NULL, name text NOT NULL COLLATE unicase,
  config blob NOT NULL, PRIMARY KEY (ntid, ord)) without rowid;
CREATE TABLE templates (ntid integer NOT NULL, ord integer NOT NULL, name text NOT NULL COLLATE unicase,
  mtime_secs integer NOT NULL, usn integer NOT NULL, config blob NOT NULL, PRIMARY KEY (ntid, ord)) without rowid;
CREATE TABLE decks (id integer PRIMARY KEY NOT NULL, name text NOT NULL COLLATE unicase, mtime_secs integer NOT NULL,
  usn integer NOT NULL, common blob NOT NULL, kind blob NOT NULL);
CREATE UNIQUE INDEX idx_decks_name ON decks (name);
CREATE TABLE config (KEY text NOT NULL PRIMARY KEY, usn integer NOT NULL, mtime_secs integer NOT NULL,
  val blob NOT NULL) without rowid;
"""

CRT = 1_704_081_600  # 2024-01-01 04:00 UTC


def proto_string(number: int, text: str) -> bytes:
    data = text.encode()
    return encode_varint(number << 3 | 2) + encode_varint(len(data)) + data


def proto_int(number: int, value: int) -> bytes:
    return encode_varint(number << 3) + encode_varint(value)


@dataclass
class NoteTypeSpec:
    id: int
    name: str
    fields: list[str]
    templates: list[tuple[str, str]]
    cloze: bool = False


BASIC = NoteTypeSpec(1001, "Basic", ["Front", "Back"], [("{{Front}}", "{{FrontSide}}<hr id=answer>{{Back}}")])
REVERSED = NoteTypeSpec(
    1002,
    "Basic (and reversed card)",
    ["Front", "Back"],
    [("{{Front}}", "{{FrontSide}}<hr id=answer>{{Back}}"), ("{{Back}}", "{{FrontSide}}<hr id=answer>{{Front}}")],
)
CLOZE = NoteTypeSpec(1003, "Cloze", ["Text", "Back Extra"], [("{{cloze:Text}}", "{{cloze:Text}}<br>{{Back Extra}}")], cloze=True)
TYPED = NoteTypeSpec(
    1004, "Basic (type in the answer)", ["Front", "Back"], [("{{Front}}\n\n{{type:Back}}", "{{Front}}\n\n<hr id=answer>\n\n{{type:Back}}")]
)
"""Anki's stock type-in note type (its templates as Anki 26.9 writes them)."""
TYPED_CLOZE = NoteTypeSpec(
    1005, "Cloze (type in)", ["Text", "Back Extra"], [("{{cloze:Text}}\n{{type:cloze:Text}}", "{{cloze:Text}}\n{{type:cloze:Text}}")], cloze=True
)


@dataclass
class Collection:
    """Rows to write; `card()` and `review()` return ids for chaining."""

    decks: dict[int, str] = field(default_factory=lambda: {1: "Default"})
    notetypes: list[NoteTypeSpec] = field(default_factory=lambda: [BASIC, REVERSED, CLOZE, TYPED, TYPED_CLOZE])
    notes: list[tuple] = field(default_factory=list)
    cards: list[tuple] = field(default_factory=list)
    revlog: list[tuple] = field(default_factory=list)
    sched_ver: int = 2
    crt: int = CRT
    creation_offset: int | None = None
    """Anki's `creationOffset`: minutes west of UTC where the collection was made (None: an older collection without it)."""

    def note(self, nid: int, notetype: NoteTypeSpec, fields: list[str], tags: str = "") -> int:
        self.notes.append((nid, f"g{nid}", notetype.id, 0, -1, f" {tags} " if tags else "", "\x1f".join(fields), fields[0], 0, 0, ""))
        return nid

    def card(self, cid: int, nid: int, did: int, ord: int = 0, *, type: int = 0, queue: int = 0, due: int = 0, ivl: int = 0,
             factor: int = 0, reps: int = 0, lapses: int = 0, flags: int = 0, data: str = "{}", odue: int = 0, odid: int = 0) -> int:
        self.cards.append((cid, nid, did, ord, 0, -1, type, queue, due, ivl, factor, reps, lapses, 0, odue, odid, flags, data))
        return cid

    def review(self, at_ms: int, cid: int, ease: int, ivl: int, last_ivl: int, factor: int, time_ms: int, type: int) -> None:
        self.revlog.append((at_ms, cid, -1, ease, ivl, last_ivl, factor, time_ms, type))

    def write(self, path: Path, schema: int = 11) -> Path:
        con = sqlite3.connect(path)
        con.execute("pragma synchronous=off")  # a test fixture: no fsync per table
        con.create_collation("unicase", lambda a, b: (a.lower() > b.lower()) - (a.lower() < b.lower()))
        con.executescript(SCHEMA_11 + (SCHEMA_18_EXTRA if schema == 18 else ""))
        if schema == 18:
            models = decks = ""
            for nt in self.notetypes:
                con.execute("insert into notetypes values (?,?,0,0,?)", (nt.id, nt.name, proto_int(1, 1 if nt.cloze else 0) + proto_string(3, ".card {}")))
                for i, name in enumerate(nt.fields):
                    con.execute("insert into fields values (?,?,?,?)", (nt.id, i, name, b""))
                for i, (q, a) in enumerate(nt.templates):
                    con.execute("insert into templates values (?,?,?,0,0,?)", (nt.id, i, f"Card {i + 1}", proto_string(1, q) + proto_string(2, a)))
            for did, name in self.decks.items():
                con.execute("insert into decks values (?,?,0,0,?,?)", (did, name.replace("::", "\x1f"), b"", b""))
            con.execute("insert into config values ('schedVer', 0, 0, ?)", (json.dumps(self.sched_ver).encode(),))
            if self.creation_offset is not None:
                con.execute("insert into config values ('creationOffset', 0, 0, ?)", (json.dumps(self.creation_offset).encode(),))
            conf = ""
            ver = 18
        else:
            models = json.dumps({
                str(nt.id): {
                    "id": nt.id, "name": nt.name, "type": 1 if nt.cloze else 0,
                    "flds": [{"name": n, "ord": i} for i, n in enumerate(nt.fields)],
                    "tmpls": [{"name": f"Card {i + 1}", "ord": i, "qfmt": q, "afmt": a} for i, (q, a) in enumerate(nt.templates)],
                }
                for nt in self.notetypes
            })
            decks = json.dumps({str(did): {"id": did, "name": name} for did, name in self.decks.items()})
            conf = json.dumps({"schedVer": self.sched_ver} | ({"creationOffset": self.creation_offset} if self.creation_offset is not None else {}))
            ver = 11
        con.execute("insert into col values (1,?,0,0,?,0,0,0,?,?,?,'{}','{}')", (self.crt, ver, conf, models, decks))
        con.executemany("insert into notes values (?,?,?,?,?,?,?,?,?,?,?)", self.notes)
        con.executemany("insert into cards values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", self.cards)
        con.executemany("insert into revlog values (?,?,?,?,?,?,?,?,?)", self.revlog)
        con.commit()
        con.close()
        return path


def package(out: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out


def meta(version: int) -> bytes:
    return proto_int(1, version)
