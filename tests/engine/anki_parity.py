"""The differential harness: the same answers at the same wall-clock times in Anki's backend and in studydl.

`run_anki` drives Anki 26.9.3 (the `anki` package) in a subprocess under libfaketime
with TZ set (see anki_driver.py); `run_studydl` answers the same histories through
studydl's real review session on a real SQLite file, with an injected clock and
zone; `compare` checks every answer.

Elapsed days across a daylight-saving change (the one place studydl and Anki count
differently, on purpose; docs/scheduling.md): Anki counts the days between a card's
last review and now as whole 86,400-second periods back from its next day start
(`next_day_at`); studydl counts study days on the local calendar. Across a DST change
the two differ for a last review within an hour of the day start (spring: Anki one
day fewer; autumn: one day more). `compare` recognises exactly that case: it checks
that Anki's new memory state is FSRS's for Anki's own count and studydl's is FSRS's
for the study-day count, and stops comparing that history there (the states differ
from then on). Anything else that differs fails.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from studydl.decks.sync import sync_decks
from studydl.domain.days import StudyDays, zone_named
from studydl.domain.review import CardState, Rating
from studydl.engine.fsrs_model import FsrsModel, MemoryState
from studydl.engine.history import stored_memory
from studydl.engine.session import ReviewSession
from studydl.engine.settings import PRESET_FIELDS, PresetOptions, Settings
from studydl.store.db import Database
from tests.engine.engine_samples import Clock

DRIVER = Path(__file__).with_name("anki_driver.py")
LIBFAKETIME = next(iter(sorted(Path("/usr/lib").glob("*/faketime/libfaketime.so.1"))), Path("/usr/lib/faketime/libfaketime.so.1"))
"""Debian's libfaketime (scripts/test-tools installs the `faketime` package)."""
STABILITY_REL = 0.005
DIFFICULTY_ABS = 0.02


@dataclass
class History:
    """One card's answers: (epoch seconds, rating), oldest first."""

    name: str
    answers: list[tuple[int, int]]
    card_id: int = 0
    deck: str = "Parity"
    note: str = ""
    """Histories with the same note are the two cards of one note (siblings)."""


@dataclass
class Batch:
    """Histories answered in one zone under one configuration (one Anki process)."""

    zone: str
    histories: list[History]
    fuzz: bool = True
    day_start_hour: int = 4
    learning_steps: tuple[float, ...] = (1.0, 10.0)
    relearning_steps: tuple[float, ...] = (10.0,)
    desired_retention: float = 0.9
    parameters: tuple[float, ...] | None = None
    maximum_interval: int = 36500
    load_balancer: bool = False
    easy_days: tuple[float, ...] = (1.0,) * 7
    bury: bool = False
    decks: dict[str, dict[str, object]] = field(default_factory=dict)
    """Deck -> options of its own preset (named after the deck) over the batch's; other decks use Default."""

    def settings(self) -> Settings:
        options = PresetOptions(
            learning_steps_min=self.learning_steps,
            relearning_steps_min=self.relearning_steps,
            desired_retention=self.desired_retention,
            parameters=self.parameters,
            maximum_interval=self.maximum_interval,
            bury_siblings=self.bury,
            leech_suspend=False,
            new_per_day=9999,
            reviews_per_day=9999,
            easy_days=self.easy_days,
        )
        presets = {deck: replace(options, **own) for deck, own in self.decks.items()}  # type: ignore[arg-type]
        return Settings(
            **{name: getattr(options, name) for name in PRESET_FIELDS},
            timezone=self.zone,
            fuzz=self.fuzz,
            day_start_hour=self.day_start_hour,
            load_balancer=self.load_balancer,
            presets=presets,
            deck_presets={deck: deck for deck in presets},
        )


def anki_available() -> bool:
    try:
        import anki.collection  # noqa: F401
    except Exception:
        return False
    return LIBFAKETIME.exists()


def faketime_env(zone: str, workdir: Path, fuzz: bool = True) -> dict[str, str]:
    """The environment Anki's backend runs in: libfaketime preloaded, its clock file, the learner's zone."""
    stamp = workdir / f"faketime-{zone.replace('/', '_')}-{fuzz}.rc"
    stamp.write_text("+0\n")
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("FAKETIME", "ANKI_TEST_MODE", "LD_PRELOAD"))
    }
    env.update(
        TZ=zone,
        LD_PRELOAD=str(LIBFAKETIME),
        FAKETIME_TIMESTAMP_FILE=str(stamp),
        FAKETIME_NO_CACHE="1",
        FAKETIME_DONT_FAKE_MONOTONIC="1",
    )
    if not fuzz:
        # Anki's only switch for fuzz; it also moves Anki's clock back 2 h between 2 and
        # 4 am local time, so fuzz-off batches never answer in those hours.
        env["ANKI_TEST_MODE"] = "1"
    return env


def run_anki(batch: Batch, workdir: Path) -> list[dict]:
    """Anki's record of every answer of the batch, in time order."""
    env = faketime_env(batch.zone, workdir, batch.fuzz)
    job = {
        "config": {
            "learning_steps": list(batch.learning_steps),
            "relearning_steps": list(batch.relearning_steps),
            "maximum_interval": batch.maximum_interval,
            "desired_retention": batch.desired_retention,
            "parameters": list(batch.parameters) if batch.parameters else None,
            "leech_threshold": 8,
            "rollover": batch.day_start_hour,
            "load_balancer": batch.load_balancer,
            "easy_days": list(batch.easy_days),
            "bury": batch.bury,
            "decks": {deck: _anki_options(own) for deck, own in batch.decks.items()},
        },
        "histories": [
            {"card_id": h.card_id, "answers": h.answers, "deck": h.deck, "note": h.note} for h in batch.histories
        ],
    }
    done = subprocess.run(
        [sys.executable, str(DRIVER)], input=json.dumps(job), capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _anki_options(own: dict[str, object]) -> dict[str, object]:
    """A deck's own preset options in the driver's words."""
    names = {"desired_retention": "desired_retention", "easy_days": "easy_days"}
    return {names[k]: list(v) if isinstance(v, tuple) else v for k, v in own.items()}


def _notes(histories: list[History]) -> list[list[History]]:
    """The histories grouped into notes, in order: one card, or the two cards of a `:::` note."""
    notes: dict[str, list[History]] = {}
    for history in histories:
        notes.setdefault(history.note or f"single-{id(history)}", []).append(history)
    return list(notes.values())


def deck_text(deck: str, notes: list[list[History]]) -> str:
    items = [
        f"Q: {deck} question {i}?\nA: Answer {i}." if len(cards) == 1 else f"{deck} term {i} ::: definition {i}"
        for i, cards in enumerate(notes)
    ]
    return f"---\ndeck: {deck}\n---\n\n# {deck}\n\n" + "\n\n".join(items) + "\n"


def assign_cards(db: Database, deck_dir: Path, batch: Batch) -> None:
    """One card per history (two per note for siblings) in real deck files, synced; the histories get the cards' ids."""
    from tests.engine.engine_samples import card_ids

    decks = sorted({h.deck for h in batch.histories})
    paths = []
    deck_dir.mkdir(parents=True, exist_ok=True)
    for deck in decks:
        path = deck_dir / f"{deck.lower().replace(' ', '-')}-{len(batch.histories)}.md"
        path.write_text(deck_text(deck, _notes([h for h in batch.histories if h.deck == deck])), encoding="utf-8")
        paths.append(path)
    report = sync_decks(db, paths, clock=lambda: datetime(2020, 1, 1, tzinfo=UTC))
    assert report.ok, report.errors
    for deck in decks:
        cards = [h for note in _notes([h for h in batch.histories if h.deck == deck]) for h in note]
        for history, card_id in zip(cards, card_ids(db, deck), strict=True):
            history.card_id = card_id


@dataclass
class Ours:
    """studydl's record of one answer."""

    buttons: dict[Rating, timedelta]
    state: int
    stability: float
    difficulty: float
    due: datetime
    reps: int
    lapses: int


def run_studydl(db: Database, batch: Batch) -> dict[tuple[int, int], Ours]:
    """studydl's record of every answer, keyed by (card id, index), through a real review session."""
    clock = Clock(datetime.fromtimestamp(0, UTC))
    session = ReviewSession(db, clock=clock, settings=batch.settings())
    answers = sorted((at, h.card_id, i, r) for h in batch.histories for i, (at, r) in enumerate(h.answers))
    out = {}
    for at, card_id, index, rating in answers:
        clock.now = datetime.fromtimestamp(at, UTC)
        buttons = session.due_card(card_id).intervals
        session.answer(card_id, Rating(rating))
        m = stored_memory(db, card_id)
        assert m.stability is not None and m.difficulty is not None and m.due is not None
        out[(card_id, index)] = Ours(buttons, int(m.state), m.stability, m.difficulty, m.due, m.reps, m.lapses)
    return out


@dataclass
class Report:
    answers: int = 0
    """Answers compared (state, memory, due and all four buttons)."""
    histories: int = 0
    divergences: list[tuple[str, int, int, int]] = field(default_factory=list)
    """(history, answer index, Anki's elapsed days, studydl's study days) where the DST rule differs."""
    stability_rel: float = 0.0
    """The largest relative difference of stability seen (the test allows 0.5 %)."""
    difficulty_abs: float = 0.0
    """The largest difference of difficulty seen (the test allows 0.02)."""

    def __str__(self) -> str:
        return (
            f"{self.answers} answers of {self.histories} histories equal (stability within "
            f"{self.stability_rel:.2e} relative, difficulty within {self.difficulty_abs:.2e}); DST cases {self.divergences}"
        )


def _anki_button(kind_value: list, at: int, next_day_at: int) -> timedelta:
    """An Anki button as studydl shows it: seconds, or whole days once past the next day start."""
    kind, value = kind_value
    if kind == "days":
        return timedelta(days=value)
    until = next_day_at - at
    if value >= until:
        return timedelta(days=(value - until) // 86_400 + 1)
    return timedelta(seconds=value)


def compare(batch: Batch, anki: list[dict], ours: dict[tuple[int, int], Ours]) -> Report:
    """Every answer the same in both, up to a DST divergence as the module docstring describes."""
    days = StudyDays(zone_named(batch.zone), batch.day_start_hour)
    model = FsrsModel(batch.parameters, batch.desired_retention)
    by_card = {h.card_id: h for h in batch.histories}
    names = {h.card_id: h.name for h in batch.histories}
    report = Report(histories=len(batch.histories))
    stopped: set[int] = set()
    previous: dict[int, dict] = {}
    for a in anki:
        card_id, index, at = a["card_id"], a["index"], a["at"]
        if card_id in stopped:
            continue
        o = ours[(card_id, index)]
        where = f"{batch.zone} {names[card_id]} answer {index} at {datetime.fromtimestamp(at, UTC):%Y-%m-%d %H:%M}Z"
        prev = previous.get(card_id)
        if prev is not None:
            anki_days = max(0, a["next_day_at"] - prev["at"]) // 86_400
            our_days = days.days_between(datetime.fromtimestamp(prev["at"], UTC), datetime.fromtimestamp(at, UTC))
            if anki_days != our_days:
                rating = Rating(by_card[card_id].answers[index][1])
                _check_divergence(model, rating, prev, a, ours[(card_id, index - 1)], o, anki_days, our_days, where)
                report.divergences.append((names[card_id], index, anki_days, our_days))
                stopped.add(card_id)
                continue
        previous[card_id] = a
        assert o.state == a["type"], f"{where}: state {o.state} != Anki {a['type']}"
        assert o.stability == pytest.approx(a["stability"], rel=STABILITY_REL), f"{where}: stability"
        assert o.difficulty == pytest.approx(a["difficulty"], abs=DIFFICULTY_ABS), f"{where}: difficulty"
        report.stability_rel = max(report.stability_rel, abs(o.stability - a["stability"]) / a["stability"])
        report.difficulty_abs = max(report.difficulty_abs, abs(o.difficulty - a["difficulty"]))
        assert (o.reps, o.lapses) == (a["reps"], a["lapses"]), f"{where}: reps/lapses"
        expected = [_anki_button(b, at, a["next_day_at"]) for b in a["buttons"]]
        assert [o.buttons[r] for r in Rating] == expected, f"{where}: buttons {o.buttons} != Anki {expected}"
        today = days.day_of(datetime.fromtimestamp(at, UTC))
        if a["queue"] == 1:  # intraday learning: a timestamp (Anki's clock may be up to 1 s past `at`)
            assert 0 <= a["due"] - o.due.timestamp() <= 1.0, f"{where}: due {o.due} != Anki {a['due']}"
        else:  # review or interday learning: a day
            assert days.day_of(o.due) - today == a["due"] - a["today"], f"{where}: due day"
            if a["type"] == int(CardState.REVIEW):
                assert days.day_of(o.due) - today == a["ivl"], f"{where}: interval"
        report.answers += 1
    return report


def _check_divergence(model, rating, prev_anki, anki, prev_ours, ours, anki_days, our_days, where) -> None:  # noqa: ANN001
    """The documented DST case: each side is FSRS for its own count of elapsed days."""
    assert abs(anki_days - our_days) == 1, f"{where}: elapsed days {anki_days} vs {our_days}"
    theirs = model.next_states(MemoryState(prev_anki["stability"], prev_anki["difficulty"]), anki_days)
    mine = model.next_states(MemoryState(prev_ours.stability, prev_ours.difficulty), our_days)
    assert theirs.by_rating(rating).memory.stability == pytest.approx(anki["stability"], rel=STABILITY_REL), (
        f"{where}: Anki's stability is not FSRS's for its own count of {anki_days} days"
    )
    assert mine.by_rating(rating).memory.stability == pytest.approx(ours.stability, rel=STABILITY_REL), (
        f"{where}: studydl's stability is not FSRS's for {our_days} study days"
    )


# -- histories ---------------------------------------------------------------------------


def local(zone: str, *args: int) -> int:
    """Epoch seconds of a local wall-clock time (first occurrence when ambiguous)."""
    return int(datetime(*args, tzinfo=zone_named(zone)).timestamp())


def random_history(rng: random.Random, name: str, zone: str, start: int, avoid_hours: Sequence[int] = ()) -> History:
    """A plausible card: learning steps minutes apart, reviews days apart at any hour, lapses."""
    tz = zone_named(zone)
    at, answers = start, []
    for i in range(rng.randint(6, 14)):
        if i:
            kind = rng.random()
            if kind < 0.35:
                at += rng.randint(60, 30 * 60)
            elif kind < 0.5:
                at += rng.randint(2 * 3600, 20 * 3600)
            else:
                at += int(86_400 * rng.choice((1, 1, 2, 3, 4, 6, 9, 14, 20, 30, 45, 80)) * rng.uniform(0.6, 1.6))
        while datetime.fromtimestamp(at, tz).hour in avoid_hours:
            at += 1800
        rating = rng.choices((1, 2, 3, 4), weights=(15, 10, 60, 15))[0]
        answers.append((at, rating))
    return History(name, answers)


def random_batch(seed: int, zone: str, count: int, **config: object) -> Batch:
    """`count` random histories starting through 2026, half of them in the month before a DST change."""
    rng = random.Random(seed)
    year_start = local(zone, 2026, 1, 1)
    histories = []
    dst_months = (2, 9, 10) if not zone.startswith("Australia") else (3, 9)
    avoid = (2, 3) if config.get("fuzz") is False else ()
    for i in range(count):
        if i % 2:
            start = local(zone, 2026, rng.choice(dst_months), rng.randint(1, 28), rng.randrange(24), rng.randrange(60))
        else:
            start = year_start + rng.randrange(365 * 86_400)
        histories.append(random_history(rng, f"random-{seed}-{i}", zone, start, avoid))
    return Batch(zone, histories, **config)  # type: ignore[arg-type]


def presets_batch(seed: int, zone: str, count: int, window_days: int = 7) -> Batch:
    """Load balancer, Easy Days and siblings kept apart, over two decks with presets of different retention.

    The histories start within a week of each other, so the balancer has busy days to
    weigh (a day with no card due takes any card, whatever its Easy Days load); every
    third pair of cards is the two cards of one note.
    """
    rng = random.Random(seed)
    start = local(zone, 2026, 4, 1)
    histories = []
    for i in range(count):
        history = random_history(rng, f"presets-{seed}-{i}", zone, start + rng.randrange(window_days * 86_400))
        history.deck = "Parity" if i % 2 == 0 else "Parity B"
        histories.append(history)
    for i in range(0, count - 3, 6):  # two cards of one deck (i, i + 2) share a note
        histories[i].note = histories[i + 2].note = f"note-{i}"
    return Batch(
        zone, histories, load_balancer=True, bury=True, easy_days=(1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.0),
        decks={"Parity B": {"desired_retention": 0.8, "easy_days": (1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0)}},
    )
