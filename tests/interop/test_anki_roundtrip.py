"""Packages checked against the real thing: Anki's own backend (the `anki` package) imports ours and exports its own.

studydl -> Anki: a home studied in New York (tests/interop/studied_home.py) is exported, and
Anki 26.9.3 imports the package with scheduling; Anki then shows the same decks, typed
cards as type-in notes, each card's state, reps, lapses, flag, suspension, FSRS memory
state and due date, and every answer in its revlog.

Anki -> studydl: Anki answers notes of its stock note types with FSRS on (its clock
faked to each answer's time), suspends and flags, exports with scheduling (the newest
package format, zstd); studydl imports it and shows the same.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import genanki
from sqlalchemy import select

from studydl.decks.parser import parse_file
from studydl.domain.days import StudyDays
from studydl.engine.settings import save_setting
from studydl.home import Home
from studydl.interop.apkg_write import to_html
from studydl.interop.export_notes import export_notes
from studydl.store.models import CardRow, DeckRow, ReviewRow
from studydl.store.queries import list_cards
from tests.interop.anki_io import needs_anki, run_anki
from tests.interop.studied_home import NY, ZONE, ny, run, studied_home

pytestmark = needs_anki
DAYS = StudyDays(NY, 4)
NOW = int(ny(2026, 12, 6, 12).timestamp())
GOOD, HARD, AGAIN, EASY = 3, 2, 1, 4


def _rows(home: Home) -> tuple[dict[int, CardRow], dict[int, list[ReviewRow]], dict[int, str]]:
    db = home.open_db()
    try:
        with db.read() as s:
            cards = {row.id: row for row in s.scalars(select(CardRow).where(CardRow.retired.is_(False)))}
            logs: dict[int, list[ReviewRow]] = {}
            for review in s.scalars(select(ReviewRow).order_by(ReviewRow.reviewed_at, ReviewRow.id)):
                logs.setdefault(review.card_id, []).append(review)
            decks = dict(s.execute(select(DeckRow.id, DeckRow.name)).all())
            notes = export_notes(list_cards(s, None, include_retired=False))
    finally:
        db.dispose()
    anki_ids = {(genanki.guid_for("studydl", n.uid), ordinal): cid for n in notes for ordinal, cid in enumerate(n.card_ids)}
    return cards, logs, {**{k: str(v) for k, v in anki_ids.items()}, "decks": decks}  # type: ignore[dict-item]


def _ms(at: datetime) -> int:
    return int((at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp() * 1000)


def _utc(at: datetime | None) -> datetime | None:
    return None if at is None else (at if at.tzinfo else at.replace(tzinfo=UTC))


def test_a_package_studydl_exports_is_what_ankis_own_import_shows(tmp_path: Path) -> None:
    studied = studied_home(tmp_path / "home")
    apkg = tmp_path / "studydl.apkg"
    assert run(studied.home, "export", "--apkg", str(apkg)).exit_code == 0

    anki = run_anki({"action": "import", "package": str(apkg), "now": NOW}, ZONE, tmp_path)

    cards, logs, index = _rows(studied.home)
    deck_names = index.pop("decks")  # type: ignore[arg-type]
    assert anki["decks"] == [
        "Default", "Optimizers", "Optimizers::Momentum",
        "Recurrent networks", "Recurrent networks::LSTM", "Recurrent networks::LSTM::Gates",
    ]
    assert len(anki["cards"]) == len(cards) == 15
    assert sum(len(c["revlog"]) for c in anki["cards"]) == studied.reviews == 20
    for shown in anki["cards"]:
        row = cards[int(index[(shown["guid"], shown["ord"])])]
        where = f"{row.question!r} in Anki as {shown['notetype']} card {shown['ord'] + 1}"
        assert shown["deck"] == "::".join([deck_names[row.deck_id], *filter(None, row.section.split(" / "))]), where
        typed = '"typed"' in (row.answer_check or "")
        assert ("{{type:" in shown["qfmt"]) == typed and ("type in the answer" in shown["notetype"]) == typed, where
        if row.kind in ("basic", "term"):
            assert shown["fields"]["Front"] == to_html(row.question), where
        assert (shown["type"], shown["reps"], shown["lapses"], shown["flags"]) == (row.state, row.reps, row.lapses, row.flag), where
        assert (shown["queue"] == -1) == row.suspended, where
        log = logs.get(row.id, [])
        assert [(r[0], r[1], r[5]) for r in shown["revlog"]] == [(_ms(r.reviewed_at), r.rating, r.duration_ms) for r in log], where
        assert [r[6] == 3 for r in shown["revlog"]] == [r.kind == "cram" for r in log], where
        if row.state == 0:
            assert shown["due_shown"] is None and shown["stability"] is None, where
            continue
        assert math.isclose(shown["stability"], row.stability, rel_tol=1e-4), where
        assert math.isclose(shown["difficulty"], row.difficulty, abs_tol=1e-3), where
        due = _utc(row.due)
        if row.state == 2:
            assert shown["due_shown"] == DAYS.date_of(due).isoformat(), where
        else:
            assert shown["due_shown"] == due.astimezone(NY).replace(tzinfo=None, microsecond=0).isoformat(), where


ANKI_NOTES = [
    {
        "deck": "Deep Learning::CNN", "notetype": "Basic (type in the answer)",
        "fields": {"Front": "Which layer shares weights across positions?", "Back": "convolution"},
        "answers": {"0": [
            [int(ny(2026, 10, 20, 21, 0).timestamp()), GOOD, 4000], [int(ny(2026, 10, 20, 21, 10).timestamp()), GOOD, 3000],
            [int(ny(2026, 10, 23, 8, 0).timestamp()), GOOD, 5000], [int(ny(2026, 11, 2, 3, 50).timestamp()), AGAIN, 9000],
            [int(ny(2026, 11, 2, 4, 5).timestamp()), GOOD, 2000], [int(ny(2026, 11, 12, 22, 30).timestamp()), HARD, 6000],
        ]},
    },
    {
        "deck": "Deep Learning::RNN", "notetype": "Basic (and reversed card)",
        "fields": {"Front": "LSTM", "Back": "long short-term memory"},
        "answers": {
            "0": [[int(ny(2026, 10, 25, 9, 0).timestamp()), EASY, 2500]],
            "1": [[int(ny(2026, 12, 6, 11, 0).timestamp()), AGAIN, 7000]],
        },
    },
    {
        "deck": "Deep Learning", "notetype": "Cloze",
        "fields": {"Text": "A {{c1::kernel}} slides over the {{c2::input}}"},
        "answers": {"0": [[int(ny(2026, 11, 3, 12, 0).timestamp()), GOOD, 3100], [int(ny(2026, 11, 3, 12, 10).timestamp()), GOOD, 2900]]},
        "suspend": ["1"],
    },
    {
        "deck": "Optimizers", "notetype": "Basic",
        "fields": {"Front": "SGD", "Back": "stochastic gradient descent"},
        "answers": {"0": [[int(ny(2026, 10, 21, 10, 0).timestamp()), GOOD, 1000], [int(ny(2026, 10, 21, 10, 11).timestamp()), GOOD, 1200]]},
        "flag": {"0": 2},
    },
    {"deck": "Optimizers", "notetype": "Basic", "fields": {"Front": "Adam", "Back": "adaptive moments"}, "answers": {}},
]
QUESTIONS = {
    ("Which layer shares weights across positions?", 0): "Which layer shares weights across positions?",
    ("LSTM", 0): "LSTM", ("LSTM", 1): "long short-term memory",
    ("A {{c1::kernel}} slides over the {{c2::input}}", 0): "A [...] slides over the input",
    ("A {{c1::kernel}} slides over the {{c2::input}}", 1): "A kernel slides over the [...]",
    ("SGD", 0): "SGD", ("Adam", 0): "Adam",
}


def test_a_package_anki_exports_with_scheduling_comes_into_studydl_the_same(tmp_path: Path) -> None:
    apkg = tmp_path / "anki.apkg"
    anki = run_anki({"action": "export", "package": str(apkg), "now": NOW, "notes": ANKI_NOTES}, ZONE, tmp_path)
    assert sum(len(c["revlog"]) for c in anki["cards"]) == 12

    home = Home(tmp_path / "home").ensure()
    db = home.open_db()
    save_setting(db, "timezone", ZONE)
    db.dispose()
    done = run(home, "import", str(apkg))
    assert done.exit_code == 0, done.output

    assert sorted(p.name for p in home.decks_dir.iterdir()) == ["deep-learning.md", "optimizers.md"]
    parsed = {c.question: c for p in home.decks_dir.iterdir() for c in parse_file(p).cards}
    assert {q: c.section for q, c in parsed.items()} == {
        "Which layer shares weights across positions?": "CNN", "LSTM": "RNN", "long short-term memory": "RNN",
        "A [...] slides over the input": "", "A kernel slides over the [...]": "", "SGD": "", "Adam": "",
    }
    assert parsed["Which layer shares weights across positions?"].check.typed
    assert parsed["Which layer shares weights across positions?"].answer == "convolution"
    cards, logs, _ = _rows(home)
    by_question = {row.question: row for row in cards.values()}
    for shown in anki["cards"]:
        row = by_question[QUESTIONS[(next(iter(shown["fields"].values())), shown["ord"])]]
        where = f"{row.question!r} from Anki's {shown['notetype']} card {shown['ord'] + 1}"
        assert (row.state, row.reps, row.lapses, row.flag) == (shown["type"], shown["reps"], shown["lapses"], shown["flags"]), where
        assert row.suspended == (shown["queue"] == -1), where
        log = logs.get(row.id, [])
        assert [(_ms(r.reviewed_at), r.rating, r.duration_ms) for r in log] == [(r[0], r[1], r[5]) for r in shown["revlog"]], where
        if shown["type"] == 0:
            assert row.due is None, where
            continue
        assert math.isclose(row.stability, shown["stability"], rel_tol=1e-6), where
        assert math.isclose(row.difficulty, shown["difficulty"], rel_tol=1e-6), where
        due = _utc(row.due)
        if shown["type"] == 2:
            assert DAYS.date_of(due).isoformat() == shown["due_shown"] and due == DAYS.start_of(DAYS.day_of(due)), where
        else:
            assert due.astimezone(NY).replace(tzinfo=None).isoformat() == shown["due_shown"], where
