"""The Anki side of the answer-latency bench (issue 8), through Anki's own backend.

    .venv/bin/python bench/anki_backend.py [--cards 10000] [--reviews 100000] [--answers 200] [--decks 1]

Builds, with the `anki` package from PyPI (an optional bench dependency), a collection of
the same shape as `bench/answer_latency.py` builds for studydl, then times what Anki's
reviewer does for one answer: `get_queued_cards()` → take the top card → `build_answer`
→ `answer_card`. Used as a module by `bench/answer_latency.py`:

    anki_available() -> bool
    build_anki_collection(folder, cards, reviews, due_today, seed) -> Path   # the .anki2 file
    time_anki_answers(path, answers) -> list[float]                          # seconds per answer
    time_anki_session(path, answers) -> AnkiTimings                          # the same, split up
    AnkiReviewer(path).start() / .step() / .close()                          # one answer at a time

The shape (20 % new, 5 % in learning, 75 % in review with FSRS memory states, intervals
of 1-300 days, `due_today` reviews due now and the rest due over the next 120 days, the
review log round-robin over the review cards) mirrors studydl's `build_collection`. All
cards are Basic notes, in one deck or (`decks=N`, as studydl's bench: one deck per 1,000
cards) in N child decks of one parent, with FSRS switched on (`col.set_config("fsrs", True)`,
the collection-wide switch the deck-options screen flips) and each deck's limits at
`new_per_day`/`reviews_per_day` (100 / 9999, as studydl's bench).

Durability in Anki (26.x): there is nothing to call. `col.save()`/`autosave()` are
deprecated no-ops ("saving is automatic"). The Rust backend wraps every operation in
`SAVEPOINT rust` … `RELEASE rust` (rslib `Collection::transact`), and with no outer
transaction open that release is a commit, so each `answer_card` is its own SQLite
transaction. The connection is opened `journal_mode=WAL`, `locking_mode=EXCLUSIVE` and
leaves `synchronous` at SQLite's default, FULL (2): every commit fsyncs the WAL, so an
answer is on disk when `answer_card` returns, as with studydl's synchronous=FULL commit.
Checked with strace (exactly one fsync of the `-wal` file per `answer_card`, none for
`get_queued_cards`) and by `kill -9` straight after answering (the rows are there on
reopen).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from anki.collection import Collection

DAY_SECS = 86_400
HISTORY_DAYS = 365  # the review log covers the past year
BACKDATE_DAYS = 800  # the collection was "created" this long ago, so day numbers stay positive
NOTE_BATCH = 10_000
FSRS_DECAY = 0.1542  # FSRS-6 default decay, what Anki writes into card data with default params
MAX_LIMIT = 9999  # Anki resets a larger daily limit to its default (20 new, 200 reviews)
THINK_SECS = 3.0  # time "taken" per answer in the review log, as studydl's bench passes 3000 ms
QUEUE_NAMES = {0: "new", 1: "learning", 2: "review"}  # QueuedCards.Queue


def anki_available() -> bool:
    """True if Anki's backend (the `anki` package with its Rust `_rsbridge`) can be imported."""
    if importlib.util.find_spec("anki") is None:
        return False
    try:
        import anki.collection  # noqa: F401
    except Exception:  # a broken/partial install (e.g. missing the native module)
        return False
    return True


def anki_version() -> str:
    """Version of the installed `anki` package."""
    from anki.buildinfo import version

    return version


@dataclass
class AnkiTimings:
    """Per-answer wall-clock seconds of one timed Anki session.

    `start` is the first `get_queued_cards()` (it builds the queues), kept out of the
    per-answer lists, as studydl's bench reports its session start apart.
    """

    start: float = 0.0
    next_card: list[float] = field(default_factory=list)  # get_queued_cards() + take the top card
    answer: list[float] = field(default_factory=list)  # build_answer() + answer_card() (committed)
    total: list[float] = field(default_factory=list)  # next_card + answer
    cpu: list[float] = field(default_factory=list)  # process CPU time of next_card + answer
    ratings: dict[str, int] = field(default_factory=dict)
    queues: dict[str, int] = field(default_factory=dict)  # answered cards by queue: new / learning / review
    pragmas: dict[str, object] = field(default_factory=dict)


def _fsrs_data(stability: float, difficulty: float, last_review: int) -> str:
    """The cards.data JSON Anki keeps for a card with an FSRS memory state."""
    return json.dumps(
        {
            "s": round(stability, 4),
            "d": round(difficulty, 3),
            "dr": 0.9,
            "decay": FSRS_DECAY,
            "lrt": last_review,
        },
        separators=(",", ":"),
    )


def _configure(col: Collection, decks: int, new_per_day: int, reviews_per_day: int) -> list[int]:
    """Backdate the collection, switch on FSRS, create the bench deck(s); their ids.

    One deck: "Bench" with the given limits. Several (studydl's bench has one deck per
    1,000 cards): children "Bench::Deck 000", … with the given limits each, under a
    parent with its own options whose limits are the sums, capped at 9,999 (Anki applies a selected parent's limits too, and in v3 the review limit also
    caps new cards; studydl's all-decks session has no parent to cap it).
    """
    col.db.execute("update col set crt = crt - ?", BACKDATE_DAYS * DAY_SECS)
    col.set_config("fsrs", True)
    parent = int(col.decks.id("Bench", create=True))
    conf = col.decks.config_dict_for_deck_id(parent)  # the default options group
    conf["new"]["perDay"] = new_per_day
    conf["rev"]["perDay"] = reviews_per_day
    col.decks.update_config(conf)
    ids = [parent]
    if decks > 1:
        ids = [int(col.decks.id(f"Bench::Deck {d:03d}", create=True)) for d in range(decks)]
        parent_conf_id = col.decks.add_config_returning_id("Bench parent", clone_from=conf)
        parent_conf = col.decks.get_config(parent_conf_id)
        assert parent_conf is not None
        parent_conf["new"]["perDay"] = min(MAX_LIMIT, new_per_day * decks)
        parent_conf["rev"]["perDay"] = min(MAX_LIMIT, reviews_per_day * decks)
        col.decks.update_config(parent_conf)
        deck = col.decks.get(parent)
        assert deck is not None
        col.decks.set_config_id_for_deck_dict(deck, parent_conf_id)
    col.decks.select(parent)  # the v3 queues are built for the current deck and its children
    return ids


def _add_notes(col: Collection, deck_ids: Sequence[int], cards: int) -> list[int]:
    """Add `cards` Basic notes through `col.add_notes` in batches; their card ids in order.

    Card i (from 1) goes to deck (i - 1) // per_deck, as studydl's bench fills its decks.
    """
    from anki.collection import AddNoteRequest

    basic = col.models.by_name("Basic")
    assert basic is not None
    per_deck = -(-cards // len(deck_ids))
    for start in range(0, cards, NOTE_BATCH):
        requests = []
        for i in range(start + 1, min(cards, start + NOTE_BATCH) + 1):
            note = col.new_note(basic)
            note["Front"] = f"Question {i}?"
            note["Back"] = f"Answer {i}."
            requests.append(AddNoteRequest(note=note, deck_id=deck_ids[(i - 1) // per_deck]))
        col.add_notes(requests)
    return [int(cid) for cid in col.db.list("select id from cards order by id")]


def build_anki_collection(
    folder: Path,
    cards: int = 100_000,
    reviews: int = 1_000_000,
    due_today: int = 2_000,
    seed: int = 0,
    *,
    decks: int = 1,
    new_per_day: int = 100,
    reviews_per_day: int = 9999,
) -> Path:
    """Build the bench collection in `folder` and return the path of its `.anki2` file.

    Notes go in through `col.add_notes` (10,000 per call: real guids, checksums, sort
    fields, card generation). With the collection closed, the scheduling state and the
    review log are then written in Anki's schema with sqlite3 `executemany` in one
    transaction, as studydl's bench loads its rows (about twice as fast as
    `col.db.executemany`, which sends every row through JSON into the Rust backend).
    `due_today` review cards are due today or up to 5 days overdue; the other review
    cards fall due over the next 120 days. `decks` > 1 spreads the cards over that many
    child decks in order (see `_configure`). The file is self-contained (no WAL left
    behind), so copying it gives a fresh start for another timed run.
    """
    from anki.collection import Collection

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench.anki2"
    if path.exists():
        raise FileExistsError(path)
    rng = random.Random(seed)
    col = Collection(str(path))
    try:
        deck_ids = _configure(col, decks, new_per_day, reviews_per_day)
        card_ids = _add_notes(col, deck_ids, cards)
        today = col.sched.today
        day_end = col.sched.day_cutoff  # epoch seconds at which `today` ends
    finally:
        col.close()
    now = int(time.time())

    rolls = [rng.random() for _ in card_ids]
    states = ["new" if roll < 0.2 else "learn" if roll < 0.25 else "review" for roll in rolls]
    review_ids = [cid for cid, state in zip(card_ids, states, strict=True) if state == "review"]
    due_now = set(rng.sample(review_ids, min(due_today, len(review_ids))))
    updates: list[tuple[object, ...]] = []
    for cid, state in zip(card_ids, states, strict=True):
        if state == "learn":  # the 1m step answered, the 10m step pending
            data = _fsrs_data(rng.uniform(0.3, 1.0), rng.uniform(4, 7), now - 300)
            updates.append((1, 1, now + rng.randint(-1800, 36_000), 0, 0, 1, 0, 1, data, cid))
        elif state == "review":
            ivl = rng.randint(1, 300)
            due = today - rng.randint(0, 5) if cid in due_now else today + rng.randint(1, 120)
            last_review = day_end - (today - (due - ivl) + 1) * DAY_SECS + rng.randrange(DAY_SECS)
            data = _fsrs_data(ivl * rng.uniform(0.9, 1.1), rng.uniform(1, 10), last_review)
            updates.append(
                (2, 2, due, ivl, 2500, rng.randint(3, 20), rng.randint(0, 3), 0, data, cid)
            )

    con = sqlite3.connect(path)
    try:
        con.execute("pragma synchronous=OFF")  # bulk load only; Anki reopens with its own pragmas
        con.executemany(
            "update cards set type=?, queue=?, due=?, ivl=?, factor=?, reps=?, lapses=?, left=?,"
            " data=?, mod=strftime('%s','now'), usn=-1 where id=?",
            updates,
        )
        if review_ids:
            con.executemany(
                "insert into revlog values (?,?,?,?,?,?,?,?,?)",
                _revlog_rows(rng, review_ids, reviews, now),
            )
        con.commit()
    finally:
        con.close()
    return path


def _revlog_rows(
    rng: random.Random, card_ids: Sequence[int], rows: int, now: int
) -> Iterator[tuple[int, ...]]:
    """`rows` review-log rows in Anki's schema, evenly over the past year, round-robin over cards.

    Columns: id (epoch ms, unique), cid, usn, ease, ivl, lastIvl, factor, time (ms), type
    (1 = review). Eases follow studydl's log mix (Again, Good ×3, Easy).
    """
    eases = (1, 3, 3, 3, 4)
    start_ms = (now - HISTORY_DAYS * DAY_SECS) * 1000
    step_ms = HISTORY_DAYS * DAY_SECS * 1000 // max(1, rows)
    for n in range(rows):
        ease = eases[int(rng.random() * 5)]
        ivl = 1 + int(rng.random() * 300)
        last_ivl = -600 if ease == 1 else max(1, ivl // 2)
        rid = start_ms + n * step_ms + int(rng.random() * (step_ms // 2))
        yield (rid, card_ids[n % len(card_ids)], 0, ease, ivl, last_ivl, 2500, 4000, 1)


class AnkiReviewer:
    """An open collection that answers one card at a time the way Anki's reviewer does.

    Per answer: `get_queued_cards()` → the top card (wrapped as `Card(col, backend_card=…)`
    as aqt's reviewer does, no extra fetch) → `build_answer(card, states, rating)` →
    `answer_card()`, which commits durably (see the module docstring). Ratings follow
    studydl's bench: `random.Random(seed).choice((Again, Good, Good, Easy))`. The first
    `get_queued_cards()` (queue build) is `start()`, timed apart. The answers are written
    into the collection at `path`: time a copy to keep the built one pristine.
    """

    def __init__(self, path: Path, seed: int = 2) -> None:
        # `Card` via anki.collection: importing anki.cards first is a circular import in anki 26.x
        from anki.collection import Card, Collection
        from anki.scheduler_pb2 import CardAnswer

        self._card = Card
        self._mix = (CardAnswer.AGAIN, CardAnswer.GOOD, CardAnswer.GOOD, CardAnswer.EASY)
        self._names = {CardAnswer.AGAIN: "again", CardAnswer.GOOD: "good", CardAnswer.EASY: "easy"}
        self._rng = random.Random(seed)
        self.col = Collection(str(path))
        self.timings = AnkiTimings()
        self.timings.pragmas = {
            name: self.col.db.scalar(f"pragma {name}") for name in ("journal_mode", "synchronous", "locking_mode")
        }

    def start(self) -> float:
        """Build the queues (the first `get_queued_cards()`); seconds taken."""
        t0 = time.perf_counter()
        self.col.sched.get_queued_cards()
        self.timings.start = time.perf_counter() - t0
        return self.timings.start

    def step(self) -> bool:
        """Show the next card and answer it, appending to `timings`; False when nothing is due."""
        out, col = self.timings, self.col
        c0 = time.process_time()
        t0 = time.perf_counter()
        queued = col.sched.get_queued_cards()
        if not queued.cards:
            return False
        top = queued.cards[0]
        card = self._card(col, backend_card=top.card)
        card.start_timer()
        t1 = time.perf_counter()
        card.timer_started -= THINK_SECS  # the log records a 3 s answer, not ~0 ms
        rating = self._rng.choice(self._mix)
        col.sched.answer_card(col.sched.build_answer(card=card, states=top.states, rating=rating))
        t2 = time.perf_counter()
        out.next_card.append(t1 - t0)
        out.answer.append(t2 - t1)
        out.total.append(t2 - t0)
        out.cpu.append(time.process_time() - c0)
        out.ratings[self._names[rating]] = out.ratings.get(self._names[rating], 0) + 1
        queue = QUEUE_NAMES.get(top.queue, "?")
        out.queues[queue] = out.queues.get(queue, 0) + 1
        return True

    def close(self) -> None:
        self.col.close()


def time_anki_session(path: Path, answers: int = 500, seed: int = 2) -> AnkiTimings:
    """Open the collection, build the queues, then time `answers` answers (see AnkiReviewer)."""
    reviewer = AnkiReviewer(path, seed)
    try:
        reviewer.start()
        for _ in range(answers):
            if not reviewer.step():
                break
    finally:
        reviewer.close()
    return reviewer.timings


def time_anki_answers(path: Path, answers: int = 500) -> list[float]:
    """Seconds per (get next queued card + answer it + durable commit), one per answer."""
    return time_anki_session(path, answers).total


def _p99(values: Sequence[float]) -> float:
    """The same nearest-rank p99 as bench/answer_latency.py."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.99 * len(ordered))) - 1)]


def main() -> None:
    """Build a collection in a temporary folder and print build time and answer latency."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--due-today", type=int, default=2_000)
    parser.add_argument("--answers", type=int, default=200)
    parser.add_argument("--decks", type=int, default=1, help="Spread the cards over this many child decks.")
    args = parser.parse_args()
    if not anki_available():
        raise SystemExit("the `anki` package is not installed (pip install -e '.[bench]')")

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        path = build_anki_collection(Path(tmp), args.cards, args.reviews, args.due_today, decks=args.decks)
        build = time.perf_counter() - t0
        print(
            f"anki {anki_version()}: built {args.cards} cards + {args.reviews} revlog rows in {build:.1f} s "
            f"({path.stat().st_size / 1e6:.0f} MB)",
            file=sys.stderr,
        )
        timings = time_anki_session(path, args.answers)
    print(f"pragmas {timings.pragmas}; ratings {timings.ratings}; answered {timings.queues}")
    print(f"{'anki (ms)':28} {'median':>8} {'p99':>8} {'max':>8}")
    print(f"{'first get_queued_cards':28} {timings.start * 1000:8.2f}")
    for name, values in (
        ("get_queued_cards", timings.next_card),
        ("answer_card (committed)", timings.answer),
        ("next + answer", timings.total),
        ("  of which CPU (this process)", timings.cpu),
    ):
        ms = [v * 1000 for v in values]
        print(f"{name:28} {statistics.median(ms):8.2f} {_p99(ms):8.2f} {max(ms):8.2f}")


if __name__ == "__main__":
    main()
