"""The store's tables as SQLAlchemy 2.0 typed models.

`CardRow` is a card's text as last synced plus its scheduling state; `ReviewRow`
is the append-only review log, the source of truth for scheduling; `DeckRow` is a
deck file, known by its root and its path inside that root (never by its absolute
path, so the same decks at different places on two machines are one deck), with
its size, time and hash so an unchanged file is skipped.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime}


class DeckRow(Base):
    __tablename__ = "decks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    root: Mapped[str] = mapped_column(String(200))
    """The folder the file is in: `bundled`, `home` (the home's decks folder) or `dir:NAME`
    (a folder given to `studydl sync`, known by its name)."""
    rel_path: Mapped[str] = mapped_column(Text)
    """The file's path inside its root, `/`-separated. With `root`, the deck's identity."""
    path: Mapped[str] = mapped_column(Text)
    """Where this file was when a sync last read it: to show and open it, never to identify it."""
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    file_mtime_ns: Mapped[int | None] = mapped_column(BigInteger)
    """Nanoseconds: 64 bits (SQLite's INTEGER always is; PostgreSQL's would be 32)."""
    file_hash: Mapped[str | None] = mapped_column(String(64))
    synced_at: Mapped[datetime | None]

    __table_args__ = (Index("ux_decks_root_rel_path", "root", "rel_path", unique=True),)


class CardRow(Base):
    __tablename__ = "cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(100), unique=True)
    """Stable public id: the deck's explicit `id:` or a generated one."""
    explicit: Mapped[bool] = mapped_column(Boolean, default=False)
    note_uid: Mapped[str] = mapped_column(String(40), index=True)
    """Shared by siblings (both directions of `:::`, the clozes of one paragraph)."""
    deck_id: Mapped[int] = mapped_column(ForeignKey("decks.id"), index=True)
    section: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(10))
    ordinal: Mapped[int] = mapped_column(Integer, default=0)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(32), index=True)
    source_line: Mapped[int] = mapped_column(Integer)
    """Line of the card in its deck's file (the file is the deck's)."""
    demo_id: Mapped[str | None] = mapped_column(String(60))
    tags: Mapped[str] = mapped_column(Text, default="")
    """Space-separated."""
    answer_check: Mapped[str | None] = mapped_column(Text)
    """JSON of how the card checks an answer (`answer: typed`, a predict card's metric and
    parameters); NULL for a card the learner rates alone. See studydl.domain.checks."""
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    # Scheduling state (FSRS memory state plus session flags); replayable from review_log.
    state: Mapped[int] = mapped_column(Integer, default=0)
    """0 new, 1 learning, 2 review, 3 relearning."""
    step: Mapped[int | None]
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime | None]
    last_review: Mapped[datetime | None]
    reps: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    flag: Mapped[int] = mapped_column(Integer, default=0)
    leech: Mapped[bool] = mapped_column(Boolean, default=False)
    buried_until: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_cards_queue", "retired", "suspended", "state", "due"),
        # covering for the per-deck counts and new-card picks (see engine/card_sql.py)
        Index("ix_cards_deck_state", "deck_id", "retired", "suspended", "state", "due", "buried_until", "section"),
        # covering for the deck list's totals and section order (engine/deck_counts.py; migration 0010)
        Index("ix_cards_deck_section", "deck_id", "section", "retired", "suspended", "source_line"),
        # the buried cards alone: when the next comes out of burial (engine/deck_counts.py; migration 0010)
        Index("ix_cards_buried", "buried_until", sqlite_where=text("buried_until IS NOT NULL"), postgresql_where=text("buried_until IS NOT NULL")),
    )


class ReviewRow(Base):
    """One answer. Rows are only ever appended (undo deletes the newest)."""

    __tablename__ = "review_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), index=True)
    reviewed_at: Mapped[datetime] = mapped_column(index=True)
    rating: Mapped[int] = mapped_column(Integer)
    """1 Again, 2 Hard, 3 Good, 4 Easy."""
    duration_ms: Mapped[int | None]
    state_before: Mapped[str] = mapped_column(Text)
    """JSON of the card's scheduling state before the answer."""
    state_after: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(10), default="scheduled", server_default="scheduled")
    """`scheduled`: an answer that scheduled the card (Anki's learn/review/relearn). `cram`: an
    answer in a cram session, which changed nothing (Anki's filtered review with rescheduling
    off); replay, the optimizer, retention and the daily limits leave it out."""
    detail: Mapped[str | None] = mapped_column(Text)
    """JSON of what the learner answered on a card that checks itself: the typed text and
    whether it matched; a prediction, the parameters drawn, the measured value."""
    event_id: Mapped[str | None] = mapped_column(String(32))
    """The answer's id in the shared log of the learner's devices (studydl/replica); NULL
    until this device first syncs with a server (or on a device that never does)."""

    __table_args__ = (
        Index("ux_review_log_event", "event_id", unique=True, sqlite_where=text("event_id IS NOT NULL"),
              postgresql_where=text("event_id IS NOT NULL")),
        # the answers not yet given to the shared log: few, and counted for the footer after each answer
        Index("ix_review_log_unsynced", "id", sqlite_where=text("event_id IS NULL"), postgresql_where=text("event_id IS NULL")),
    )


class SettingRow(Base):
    """The settings every preset shares (JSON values): fuzz, load balancer, day start, zone, theme, per-deck limits."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class PresetRow(Base):
    """A named group of options several decks share (Anki's deck-options preset).

    `options` is the JSON of the preset's options (retention, steps, limits, leeches,
    orders, Easy Days); the FSRS parameters have columns of their own, with the model
    version and parameter count they are for, so a later FSRS version can be adopted per
    preset without guessing which model a stored set belongs to.
    """

    __tablename__ = "presets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    options: Mapped[str] = mapped_column(Text, default="{}")
    """JSON of the preset's options (missing ones are their defaults)."""
    parameters: Mapped[str | None] = mapped_column(Text)
    """JSON list of FSRS parameters fitted by `studydl optimize`; NULL: the model's defaults."""
    fsrs_version: Mapped[int] = mapped_column(Integer, default=6, server_default="6")
    """The FSRS model the preset schedules with (6: FSRS-6)."""
    parameter_count: Mapped[int | None] = mapped_column(Integer)
    """How many parameters `parameters` holds (NULL with the defaults)."""
    previous_parameters: Mapped[str | None] = mapped_column(Text)
    """JSON {"parameters", "fsrs_version", "parameter_count"} of the set the last saved fit
    replaced (`studydl optimize --restore`); NULL: no fit saved yet."""


class DeckOptionsRow(Base):
    """A deck's own choices: its preset, and a desired retention overriding the preset's.

    By deck name, as the per-deck limits are (a deck keeps its options when its file
    moves or becomes the learner's own copy).
    """

    __tablename__ = "deck_options"

    deck: Mapped[str] = mapped_column(String(200), primary_key=True)
    preset_id: Mapped[int | None] = mapped_column(ForeignKey("presets.id"))
    """NULL: the Default preset."""
    desired_retention: Mapped[float | None] = mapped_column(Float)
    """NULL: the preset's."""


class SyncEventRow(Base):
    """An event of the shared log of the learner's devices, as this device knows it (studydl/replica).

    Its own events (answers, undos, card and settings changes) until and after they are
    pushed, and every other device's it pulled. `kind`: `answer`, `undo`, `card` (a
    suspend, flag or bury) or `setting`; `body` is the event's JSON as the server holds it.
    """

    __tablename__ = "sync_events"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    """Globally unique (a random UUID): the server's unique constraint deduplicates by it."""
    device: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
    """When it happened, on the device's clock (answers: the review's time)."""
    kind: Mapped[str] = mapped_column(String(10))
    card: Mapped[str | None] = mapped_column(String(100))
    """The card's uid on the device that made the event (answers, undos, card changes)."""
    target: Mapped[str | None] = mapped_column(Text)
    """What a later event of the same kind replaces or removes: an undo's answer id, a card
    change's field, a setting's document key (`s:KEY`, `p:PRESET`, `d:DECK`)."""
    body: Mapped[str] = mapped_column(Text)
    card_id: Mapped[int | None] = mapped_column(Integer)
    """The card on this device (NULL until found: a deck this device has not synced yet)."""
    pushed: Mapped[bool] = mapped_column(Boolean, default=False)
    """On the server (every pulled event is)."""
    applied: Mapped[bool] = mapped_column(Boolean, default=False)
    """Taken into this device's store (its own events always are)."""

    __table_args__ = (
        Index("ix_sync_events_target", "kind", "target"),
        Index("ix_sync_events_card", "card_id", "kind", "target"),
        Index("ix_sync_events_uid", "card"),
        Index("ix_sync_events_unpushed", "device", sqlite_where=text("pushed = 0"), postgresql_where=text("NOT pushed")),
        Index("ix_sync_events_unapplied", "kind", sqlite_where=text("applied = 0"), postgresql_where=text("NOT applied")),
    )


class SyncMarkRow(Base):
    """Something changed on this device that the shared log must hear of (written by SQLite
    triggers: store/sync_triggers.py): a setting, preset or deck option (`s:`, `p:`, `d:`), a
    card's suspend, flag or bury (`c:ID:FIELD`), an answer that had been synced undone (`u:ID`)."""

    __tablename__ = "sync_marks"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    at: Mapped[str] = mapped_column(String(30))
    """UTC time of the change, `YYYY-MM-DD HH:MM:SS.SSS` (SQLite's clock)."""


class SyncStateRow(Base):
    """This device's part in the shared log: its id and name, how far it has pulled."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
