"""The shared log of a learner's devices: answers get a global id, events and notes of changes are kept.

`review_log.event_id` is an answer's id in the shared log (NULL until the device first
syncs). `sync_events` holds the device's events and those it pulled from the others,
`sync_marks` what changed since the last sync (written by triggers on SQLite:
store/sync_triggers.py), `sync_state` the device's id and how far it has pulled. A
collection that never syncs keeps these tables empty but for a few notes. Downgrading
drops them (answers keep their rows; the ids go).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from studydl.store.sync_triggers import NAMES, create_triggers

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review_log") as batch:
        batch.add_column(sa.Column("event_id", sa.String(32), nullable=True))
    synced, unsynced = sa.text("event_id IS NOT NULL"), sa.text("event_id IS NULL")
    op.create_index("ux_review_log_event", "review_log", ["event_id"], unique=True, sqlite_where=synced, postgresql_where=synced)
    op.create_index("ix_review_log_unsynced", "review_log", ["id"], sqlite_where=unsynced, postgresql_where=unsynced)
    op.create_table(
        "sync_events",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("device", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("card", sa.String(100), nullable=True),
        sa.Column("target", sa.Text, nullable=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("card_id", sa.Integer, nullable=True),
        sa.Column("pushed", sa.Boolean, nullable=False),
        sa.Column("applied", sa.Boolean, nullable=False),
    )
    op.create_index("ix_sync_events_target", "sync_events", ["kind", "target"])
    op.create_index("ix_sync_events_card", "sync_events", ["card_id", "kind", "target"])
    op.create_index("ix_sync_events_uid", "sync_events", ["card"])
    op.create_index("ix_sync_events_unpushed", "sync_events", ["device"], sqlite_where=sa.text("pushed = 0"), postgresql_where=sa.text("NOT pushed"))
    op.create_index("ix_sync_events_unapplied", "sync_events", ["kind"], sqlite_where=sa.text("applied = 0"), postgresql_where=sa.text("NOT applied"))
    op.create_table("sync_marks", sa.Column("key", sa.Text, primary_key=True), sa.Column("at", sa.String(30), nullable=False))
    op.create_table("sync_state", sa.Column("key", sa.String(100), primary_key=True), sa.Column("value", sa.Text, nullable=False))
    create_triggers(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("sync_state")
    op.drop_table("sync_marks")
    op.drop_table("sync_events")
    op.drop_index("ix_review_log_unsynced", "review_log")
    op.drop_index("ux_review_log_event", "review_log")
    with op.batch_alter_table("review_log") as batch:
        batch.drop_column("event_id")
