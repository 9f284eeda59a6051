"""The first released schema: decks, cards with scheduling state, the review log.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, index=True),
        sa.Column("source_path", sa.Text, nullable=False, unique=True),
        # BigInteger: the same INTEGER on SQLite; 64 bits on PostgreSQL (nanosecond times)
        sa.Column("file_size", sa.BigInteger),
        sa.Column("file_mtime_ns", sa.BigInteger),
        sa.Column("file_hash", sa.String(64)),
        sa.Column("synced_at", sa.DateTime),
    )
    op.create_table(
        "cards",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uid", sa.String(100), nullable=False, unique=True),
        sa.Column("explicit", sa.Boolean, nullable=False),
        sa.Column("note_uid", sa.String(40), nullable=False, index=True),
        sa.Column("deck_id", sa.Integer, sa.ForeignKey("decks.id"), nullable=False, index=True),
        sa.Column("section", sa.Text, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(32), nullable=False, index=True),
        sa.Column("source_path", sa.Text, nullable=False),
        sa.Column("source_line", sa.Integer, nullable=False),
        sa.Column("demo_id", sa.String(60)),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("retired", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("state", sa.Integer, nullable=False),
        sa.Column("step", sa.Integer),
        sa.Column("stability", sa.Float),
        sa.Column("difficulty", sa.Float),
        sa.Column("due", sa.DateTime),
        sa.Column("last_review", sa.DateTime),
        sa.Column("reps", sa.Integer, nullable=False),
        sa.Column("lapses", sa.Integer, nullable=False),
        sa.Column("suspended", sa.Boolean, nullable=False),
    )
    op.create_index("ix_cards_queue", "cards", ["retired", "suspended", "state", "due"])
    op.create_index("ix_cards_deck_queue", "cards", ["deck_id", "retired", "suspended", "due"])
    op.create_table(
        "review_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("card_id", sa.Integer, sa.ForeignKey("cards.id"), nullable=False, index=True),
        sa.Column("reviewed_at", sa.DateTime, nullable=False, index=True),
        sa.Column("rating", sa.Integer, nullable=False),
        sa.Column("duration_ms", sa.Integer),
        sa.Column("state_before", sa.Text, nullable=False),
        sa.Column("state_after", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("review_log")
    op.drop_table("cards")
    op.drop_table("decks")
