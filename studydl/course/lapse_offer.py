"""A lapse leads to its prerequisite: after a card's second lapse in a week, offer the weakest
section it requires.

A lapse is Again on a card in review (Anki's). When the card's lapses in the last seven
study days, this one included, reach the setting `lapse_prerequisite` (default 2; 0: off),
the sections its own section requires (`requires:`, studydl.course.graph) are ranked by
their cards' mean retrievability now, and the weakest one's demo cards (else its weakest
cards) are offered, at most three. The session keeps the offer on the lapse's log row
(studydl.engine.session); nothing here writes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from studydl.course.course_map import course_graph
from studydl.course.section_memory import mean_recall, section_card_ids, stored_sections
from studydl.domain.course import WEEK_DAYS, PrerequisiteOffer, deck_key, section_key
from studydl.domain.review import CardState, Rating
from studydl.engine.fsrs_model import FsrsModel
from studydl.engine.settings import Settings
from studydl.store.db import Database
from studydl.store.models import CardRow, DeckRow

MAX_CARDS = 3
"""Cards offered at most."""


def lapses_this_week(db: Database, card_id: int, now: datetime, settings: Settings) -> int:
    """The card's logged lapses in the last seven study days (the answer being given not counted): one
    indexed count on the driver's connection, the gate every Again on a review card passes first (the
    rest of an offer reads every section: it is worked out only past the gate)."""
    days = settings.study_days()
    since = days.start_of(days.day_of(now) - WEEK_DAYS + 1)
    with db.raw_read() as con:
        return int(
            con.execute(
                "SELECT count(*) FROM review_log WHERE card_id = ? AND reviewed_at >= ? AND rating = ?"
                f" AND kind = 'scheduled' AND {con.json_int('state_before', 'state')} = ?",
                (card_id, con.to_db(since), int(Rating.AGAIN), int(CardState.REVIEW)),
            ).fetchone()[0]
        )


def lapse_offer(db: Database, card_id: int, now: datetime, settings: Settings) -> PrerequisiteOffer | None:
    """The offer an Again on this card brings now, before it is logged; None when it brings none."""
    threshold = settings.lapse_prerequisite
    if threshold <= 0:
        return None
    lapses = lapses_this_week(db, card_id, now, settings) + 1
    if lapses < threshold:
        return None  # (the gate: the card and every section are read only past it)
    with db.read() as s:
        found = s.execute(
            select(CardRow.state, CardRow.section, CardRow.question, DeckRow.rel_path)
            .join(DeckRow, CardRow.deck_id == DeckRow.id)
            .where(CardRow.id == card_id)
        ).one_or_none()
    if found is None or found.state != CardState.REVIEW:
        return None  # Again on a new or (re)learning card is no lapse
    # The sections and their cards, then recall for the prerequisites alone (not every card's:
    # a second over a 100,000-card collection, on the key press that answers Again).
    memory, files = stored_sections(db)
    graph = course_graph(memory, files.decks)
    needs = [key for key in graph.prerequisites(section_key(deck_key(found.rel_path), found.section)) if key in memory]
    if not needs:
        return None
    for key in needs:
        memory[key].card_ids = section_card_ids(db, memory[key])
    recalls = {key: mean_recall(db, settings, now, memory[key].card_ids) for key in needs}
    weakest = min(needs, key=lambda key: recalls[key] if recalls[key] is not None else -1.0)
    section = memory[weakest]
    cards = _offered_cards(db, section.card_ids, now, settings)
    if not cards:
        return None
    title = section.section or section.deck
    return PrerequisiteOffer(found.question, weakest, title, recalls[weakest], tuple(cards), lapses)


def _offered_cards(db: Database, card_ids: list[int], now: datetime, settings: Settings) -> list[int]:
    """The section's demo cards (else all its cards), suspended ones left out, least recalled first."""
    days = settings.study_days()
    model = FsrsModel(settings.parameters, settings.desired_retention)
    with db.read() as s:
        rows = s.execute(
            select(CardRow.id, CardRow.demo_id, CardRow.stability, CardRow.last_review, CardRow.source_line)
            .where(CardRow.id.in_(card_ids), CardRow.suspended.is_(False), CardRow.retired.is_(False))
        ).all()
    demos = [r for r in rows if r.demo_id] or list(rows)

    def recall(row) -> float:  # noqa: ANN001
        if row.stability is None or row.last_review is None:
            return 2.0  # never studied: after the forgotten ones, before nothing
        return model.retrievability(row.stability, days.days_between(row.last_review, now))

    return [r.id for r in sorted(demos, key=lambda r: (recall(r), r.source_line, r.id))][:MAX_CARDS]
