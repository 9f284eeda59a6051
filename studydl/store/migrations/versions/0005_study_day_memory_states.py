"""Memory states are recomputed from the log, with elapsed time counted in study days.

Before this revision the scheduler gave FSRS the real time between reviews (2 days
11 hours counted as 2 days, an evening and the next morning as the same day). No
table changes: this marks the stored memory states as stale (a settings row), and the
engine recomputes them from the review log the next time settings are loaded
(`studydl.engine.recompute.finish_upgrade`), after the backup the upgrade makes.
A fresh database never has the row.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

PENDING = "recompute_memory_states"


def upgrade() -> None:
    # (DELETE + INSERT rather than SQLite's INSERT OR REPLACE: the same on every database)
    op.execute(f"DELETE FROM settings WHERE key = '{PENDING}'")
    op.execute(f"INSERT INTO settings (key, value) VALUES ('{PENDING}', 'true')")


def downgrade() -> None:
    op.execute(f"DELETE FROM settings WHERE key = '{PENDING}'")
