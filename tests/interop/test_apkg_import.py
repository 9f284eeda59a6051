"""Anki packages in: genanki-built, and as Anki itself stores them (schema 11 and 18), with history."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import genanki
import pytest
from sqlalchemy import select

from studydl.decks.parser import parse_file
from studydl.engine.settings import save_setting
from studydl.home import Home
from studydl.interop.importer import read_source
from studydl.store.models import CardRow, ReviewRow
from tests.interop.anki_builder import (
    BASIC,
    CLOZE,
    CRT,
    REVERSED,
    TYPED,
    TYPED_CLOZE,
    Collection,
    meta,
    package,
)

DAY_MS = 86_400_000
T0 = 1_710_000_000_000  # 2024-03-09, milliseconds


def anki_collection() -> Collection:
    """Basic, reversed and cloze notes in `Deep Learning::CNN`, with review history."""
    col = Collection(decks={1: "Default", 50: "Deep Learning::CNN"})
    col.note(1, BASIC, ["What does <b>ReLU</b> compute?", "max(0, x)<br>elementwise &amp; cheap"], tags="activation")
    col.card(11, 1, 50, type=2, queue=2, due=200, ivl=30, factor=2300, reps=5, lapses=1)
    for i, (ease, ivl, last, kind) in enumerate([(3, -600, 0, 0), (3, 1, -600, 0), (3, 4, 1, 1), (1, -600, 4, 1), (3, 30, -600, 2)]):
        col.review(T0 + i * DAY_MS, 11, ease, ivl, last, 2300 if kind else 0, 8000 + i, kind)
    col.review(T0 + 9 * DAY_MS, 11, 0, 30, 30, 2300, 0, 4)  # a manual reschedule: not an answer
    col.note(2, REVERSED, ["Kernel", "a small weight matrix"])
    col.card(21, 2, 50, 0, type=1, queue=1, due=1_710_500_000, ivl=0, reps=1)
    col.review(T0 + 500, 21, 3, -600, 0, 0, 5000, 0)
    col.card(22, 2, 50, 1)
    col.note(3, CLOZE, ["A {{c1::convolution}} slides a {{c2::kernel::small matrix}} over the input", ""])
    col.card(31, 3, 50, 0, type=2, queue=2, due=190, ivl=12, factor=2500, reps=3, data=json.dumps({"s": 42.5, "d": 3.2}))
    col.card(32, 3, 50, 1, queue=-1, flags=2)
    col.note(4, BASIC, ['<img src="diagram.png">', "only a picture on the front"])
    col.card(41, 4, 50)
    col.note(5, BASIC, ["Q: tricky<div>demo: lstm</div>", "uses {{ braces }} and ends #notatag"])
    col.card(51, 5, 50)
    return col


NY = ZoneInfo("America/New_York")


def _learner_zone(home: Home, name: str) -> None:
    db = home.open_db()
    try:
        save_setting(db, "timezone", name)
    finally:
        db.dispose()


def _at(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone)


def _store(home: Home) -> tuple[list[CardRow], list[ReviewRow]]:
    db = home.open_db()
    try:
        with db.read() as s:
            return list(s.scalars(select(CardRow))), list(s.scalars(select(ReviewRow).order_by(ReviewRow.reviewed_at)))
    finally:
        db.dispose()


@pytest.mark.parametrize("layout", ["anki2", "anki21", "anki21-schema18"])
def test_anki_package_as_anki_stores_it(tmp_path: Path, home: Home, run, layout: str) -> None:
    schema = 18 if layout.endswith("schema18") else 11
    collection = anki_collection().write(tmp_path / "collection.sqlite", schema=schema)
    name = "collection.anki2" if layout == "anki2" else "collection.anki21"
    entries = {name: collection.read_bytes(), "media": json.dumps({"0": "diagram.png"}).encode(), "0": b"\x89PNG"}
    if layout != "anki2":
        entries["meta"] = meta(2)
    apkg = package(tmp_path / "dl.apkg", entries)
    _learner_zone(home, "UTC")

    result = run("import", str(apkg))

    assert result.exit_code == 0, result.output
    deck_file = home.decks_dir / "deep-learning.md"
    assert f"-> {deck_file}" in result.stdout
    assert f"{apkg}:note 4: skipped: card 1 (Basic): question is empty once media is left out" in result.stdout
    assert "media" in result.stdout
    deck = parse_file(deck_file)
    assert deck.errors == [] and deck.name == "Deep Learning"
    by_question = {c.question: c for c in deck.cards}
    relu = by_question["What does **ReLU** compute?"]
    assert (relu.kind, relu.answer, relu.section, relu.tags) == ("basic", "max(0, x)\nelementwise & cheap", "CNN", ("activation",))
    assert by_question["Kernel"].kind == "term" and by_question["a small weight matrix"].kind == "reverse"
    assert by_question["A [...] slides a kernel over the input"].kind == "cloze"
    assert "A convolution slides a [small matrix] over the input" in by_question
    tricky = next(c for c in deck.cards if c.question.startswith("Q"))
    assert tricky.question.replace("\\", "") == "Q: tricky\ndemo: lstm"
    assert tricky.answer.replace("\\", "") == "uses {{ braces }} and ends #notatag" and tricky.tags == ()

    rows, reviews = _store(home)
    assert len(rows) == 6
    row = {r.question: r for r in rows}
    crt = datetime.fromtimestamp(CRT, UTC)
    relu_row = row["What does **ReLU** compute?"]
    assert (relu_row.state, relu_row.reps, relu_row.lapses) == (2, 5, 1)
    assert relu_row.due == crt + timedelta(days=200)
    assert relu_row.stability == 30 and 5 < relu_row.difficulty < 7  # from ivl 30 and ease 230 %
    assert relu_row.last_review == datetime.fromtimestamp((T0 + 4 * DAY_MS) / 1000, UTC)
    relu_log = [r for r in reviews if r.card_id == relu_row.id]
    assert [r.rating for r in relu_log] == [3, 3, 3, 1, 3]
    assert [r.duration_ms for r in relu_log] == [8000, 8001, 8002, 8003, 8004]
    states = [(json.loads(r.state_before)["state"], json.loads(r.state_after)["state"]) for r in relu_log]
    assert states == [(0, 1), (1, 2), (2, 2), (2, 3), (3, 2)]
    last = json.loads(relu_log[-1].state_after)
    assert set(last) >= {"state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses"}
    assert (last["reps"], last["lapses"], last["stability"]) == (5, 1, 30.0)
    assert datetime.fromisoformat(last["due"]) == datetime(2024, 4, 12, 4, tzinfo=UTC)  # the study day 30 days after 13 March

    kernel = row["Kernel"]
    assert (kernel.state, kernel.due) == (1, datetime.fromtimestamp(1_710_500_000, UTC))
    assert row["a small weight matrix"].state == 0
    first_gap = row["A [...] slides a kernel over the input"]
    assert (first_gap.state, first_gap.stability, first_gap.difficulty) == (2, 42.5, 3.2)
    second_gap = row["A convolution slides a [small matrix] over the input"]
    assert (second_gap.state, second_gap.suspended, second_gap.flag) == (0, True, 2)
    assert len(reviews) == 6


def test_genanki_package(tmp_path: Path, home: Home, run) -> None:
    model = genanki.Model(
        7001,
        "Basic (and reversed card)",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[
            {"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"},
            {"name": "Card 2", "qfmt": "{{Back}}", "afmt": "{{FrontSide}}<hr id=answer>{{Front}}"},
        ],
    )
    deck = genanki.Deck(7002, "Optimizers")
    deck.add_note(genanki.Note(model=model, fields=["SGD", "stochastic gradient descent"], tags=["basics"]))
    deck.add_note(genanki.Note(model=genanki.BASIC_MODEL, fields=["Adam update?", "<ul><li>m: first moment</li><li>v: second moment</li></ul>"]))
    deck.add_note(genanki.Note(model=genanki.CLOZE_MODEL, fields=["{{c1::Momentum}} adds a fraction of the last step", ""]))
    genanki.Package(deck).write_to_file(tmp_path / "opt.apkg")

    result = run("import", str(tmp_path / "opt.apkg"))

    assert result.exit_code == 0, result.output
    parsed = parse_file(home.decks_dir / "optimizers.md")
    assert parsed.errors == []
    cards = {(c.kind, c.question): c for c in parsed.cards}
    assert cards[("term", "SGD")].tags == ("basics",)
    assert ("reverse", "stochastic gradient descent") in cards
    assert cards[("basic", "Adam update?")].answer.replace("\\", "") == "- m: first moment\n- v: second moment"
    assert ("cloze", "[...] adds a fraction of the last step") in cards
    assert "4 added" in result.stdout


def _schema18_anki21b(tmp_path: Path) -> Path:
    raw = anki_collection().write(tmp_path / "c18.sqlite", schema=18)
    compressed = subprocess.run(["zstd", "-q", "-c", str(raw)], capture_output=True, check=True).stdout
    stub = Collection()
    stub.note(1, BASIC, ["Please update to the latest Anki version, then import the .colpkg/.apkg file again.", ""])
    stub.card(1, 1, 1)
    return package(
        tmp_path / "new.apkg",
        {"collection.anki2": stub.write(tmp_path / "stub.sqlite").read_bytes(), "collection.anki21b": compressed, "meta": meta(3)},
    )


@pytest.mark.skipif(shutil.which("zstd") is None, reason="needs the zstd program to build the package")
def test_latest_package_anki21b(tmp_path: Path) -> None:
    result = read_source(_schema18_anki21b(tmp_path))
    assert result.deck_name == "Deep Learning"
    assert not any("Please update" in c.front for c in result.cards)
    assert {c.front for c in result.cards} >= {"What does **ReLU** compute?", "Kernel"}


@pytest.mark.skipif(shutil.which("zstd") is None, reason="needs the zstd program to build the package")
def test_imported_log_reads_as_the_engines_own(tmp_path: Path, home: Home, run) -> None:
    """The engine's Memory reads every imported state back unchanged."""
    scheduler = pytest.importorskip("studydl.engine.scheduler")
    apkg = package(tmp_path / "dl.apkg", {"collection.anki2": anki_collection().write(tmp_path / "c.sqlite").read_bytes()})
    assert run("import", str(apkg)).exit_code == 0
    _, reviews = _store(home)
    for review in reviews:
        for raw in (review.state_before, review.state_after):
            data = json.loads(raw)
            assert data.pop("imported") is True  # the one extra key (for `studydl doctor`)
            memory = scheduler.Memory.from_dict(data)
            assert json.loads(memory.to_json()) == data


@pytest.mark.parametrize(
    ("schema", "created_in", "offset"),
    [(11, "America/New_York", 240), (18, "America/New_York", 240), (11, "Asia/Tokyo", -540), (18, "America/New_York", None)],
    ids=["schema11-ny", "schema18-ny", "made-in-tokyo", "no-creation-offset"],
)
def test_anki_due_days_are_local_calendar_days_from_the_creation_day(
    tmp_path: Path, home: Home, run, schema: int, created_in: str, offset: int | None
) -> None:
    """Issue 21.8: `crt + N x 86400 s` in UTC put a July collection's card due in 200 days on 2027-01-16 in New York.

    Anki counts local calendar days from the collection's creation day (its `crt` is the
    rollover hour local, read in `creationOffset` when the collection has one), and a due
    day begins at the learner's day start: here 4 am in New York, across both DST changes.
    """
    _learner_zone(home, "America/New_York")
    crt = _at(ZoneInfo(created_in), 2026, 7, 10, 4)
    col = Collection(decks={1: "Default", 7: "Dates"}, crt=int(crt.timestamp()), creation_offset=offset)
    for nid, (due, queue, filtered) in enumerate([(200, 2, False), (250, 2, False), (201, 3, False), (199, 2, True)], start=1):
        col.note(nid, BASIC, [f"card {nid}", "a"])
        ctype = 1 if queue == 3 else 2
        if filtered:
            col.card(nid * 10, nid, 7, type=ctype, queue=queue, due=-100_000, odue=due, odid=7, ivl=9, factor=2500)
        else:
            col.card(nid * 10, nid, 7, type=ctype, queue=queue, due=due, ivl=9, factor=2500)
    answered = _at(NY, 2026, 7, 20, 23, 30)  # 03:30 UTC the next day: still 20 July's study day in New York
    col.review(int(answered.timestamp() * 1000), 10, 3, 5, 0, 2500, 4000, 0)
    apkg = package(tmp_path / "dates.apkg", {"collection.anki2": col.write(tmp_path / "c.sqlite", schema=schema).read_bytes()})

    assert run("import", str(apkg)).exit_code == 0
    rows, reviews = _store(home)
    due = {r.question: r.due for r in rows}
    assert due == {
        "card 1": _at(NY, 2027, 1, 26, 4).astimezone(UTC),  # EST: 09:00 UTC
        "card 2": _at(NY, 2027, 3, 17, 4).astimezone(UTC),  # after spring forward: 08:00 UTC
        "card 3": _at(NY, 2027, 1, 27, 4).astimezone(UTC),
        "card 4": _at(NY, 2027, 1, 25, 4).astimezone(UTC),
    }
    after = json.loads(reviews[0].state_after)
    assert datetime.fromisoformat(after["due"]) == _at(NY, 2026, 7, 25, 4)  # 5 study days after 20 July


def test_a_revlog_factor_under_1100_is_fsrs_difficulty_not_ease() -> None:
    """With FSRS on, Anki's revlog `factor` is (D - 1) / 9 + 0.1 in thousandths; an SM-2 ease is 1300 or more."""
    from studydl.interop.estimates import difficulty_from_revlog_factor, revlog_factor

    assert [difficulty_from_revlog_factor(f) for f in (100, 600, 1100, 2500, 1300, 0)] == [1.0, 5.5, 10.0, 5.0, 10.0, None]
    assert [revlog_factor(d) for d in (1.0, 5.5, 10.0)] == [100, 600, 1100]


def test_typed_notes_come_in_typed_and_each_top_level_deck_is_its_own_deck_file(tmp_path: Path, home: Home, run) -> None:
    """Issue 21.7: `{{type:Back}}` was read as an empty answer, and eleven decks became one named after the file."""
    col = Collection(decks={1: "Default", 50: "Deep Learning::CNN", 51: "Deep Learning::CNN::Pooling", 52: "Deep Learning", 60: "Optimizers"})
    col.note(1, TYPED, ["Which gate drops cell state?", "forget"])
    col.card(11, 1, 50)
    col.note(2, TYPED_CLOZE, ["A {{c1::kernel}} slides over the {{c2::input}}", ""])
    col.card(21, 2, 51, 0)
    col.card(22, 2, 51, 1)
    col.note(3, BASIC, ["Receptive field", "the input region one unit sees"])
    col.card(31, 3, 52)
    col.note(4, BASIC, ["SGD", "stochastic gradient descent"])
    col.card(41, 4, 60)
    col.note(5, BASIC, ["Loose card", "in the Default deck"])
    col.card(51, 5, 1)
    apkg = package(tmp_path / "export.apkg", {"collection.anki2": col.write(tmp_path / "c.sqlite").read_bytes()})

    result = run("import", str(apkg))

    assert result.exit_code == 0, result.output
    assert "skipped" not in result.stdout
    decks = {p.name: parse_file(p) for p in sorted(home.decks_dir.iterdir())}
    assert {name: deck.name for name, deck in decks.items()} == {
        "deep-learning.md": "Deep Learning", "optimizers.md": "Optimizers", "export.md": "export",
    }
    cards = {(c.question, c.section): (str(c.kind), c.answer, c.check.typed) for d in decks.values() for c in d.cards}
    assert cards == {
        ("Which gate drops cell state?", "CNN"): ("basic", "forget", True),
        ("A [...] slides over the input", "CNN / Pooling"): ("cloze", "A **kernel** slides over the input", True),
        ("A kernel slides over the [...]", "CNN / Pooling"): ("cloze", "A kernel slides over the **input**", True),
        ("Receptive field", ""): ("basic", "the input region one unit sees", False),
        ("SGD", ""): ("basic", "stochastic gradient descent", False),
        ("Loose card", ""): ("basic", "in the Default deck", False),
    }
    assert "synced: 6 added" in result.stdout and run("sync", "--quiet").exit_code == 0


def test_dash_o_names_one_deck_file_so_a_package_of_several_decks_needs_none(tmp_path: Path, home: Home, run) -> None:
    col = Collection(decks={1: "Default", 50: "Deep Learning", 60: "Optimizers"})
    for nid, did in ((1, 50), (2, 60)):
        col.note(nid, BASIC, [f"q{nid}", "a"])
        col.card(nid * 10, nid, did)
    apkg = package(tmp_path / "two.apkg", {"collection.anki2": col.write(tmp_path / "c.sqlite").read_bytes()})
    refused = run("import", str(apkg), "-o", str(home.decks_dir / "one.md"))
    assert refused.exit_code == 1 and list(home.decks_dir.iterdir()) == []
    assert refused.stderr.splitlines()[0] == (
        f"{apkg}: holds 2 decks (Deep Learning, Optimizers), each its own deck file; leave out -o to write them to {home.decks_dir.resolve()}"
    )


def test_scheduling_outside_the_calendar_is_left_out_with_a_remark(tmp_path: Path, home: Home, run) -> None:
    col = Collection(decks={1: "Default", 7: "Dates"})
    col.note(1, BASIC, ["far", "a"])
    col.card(10, 1, 7, type=2, queue=2, due=2**31 - 1, ivl=9, factor=2500)
    col.note(2, BASIC, ["near", "a"])
    col.card(20, 2, 7, type=2, queue=2, due=10, ivl=9, factor=2500)
    apkg = package(tmp_path / "far.apkg", {"collection.anki2": col.write(tmp_path / "c.sqlite").read_bytes()})
    done = run("import", str(apkg))
    assert done.exit_code == 0, done.output
    assert f"{apkg}: note: 1 cards have dates outside the calendar: they came in new, without their history" in done.stdout
    rows, _ = _store(home)
    assert {r.question: r.state for r in rows} == {"far": 0, "near": 2}
    broken = Collection(crt=10**15)
    broken.note(1, BASIC, ["q", "a"])
    broken.card(10, 1, 1)
    bad = package(tmp_path / "crt.apkg", {"collection.anki2": broken.write(tmp_path / "b.sqlite").read_bytes()})
    refused = run("import", str(bad))
    assert refused.exit_code == 1 and refused.stderr.startswith(f"{bad}: the collection's creation time (1000000000000000) is not a date")
