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
