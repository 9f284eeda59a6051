"""A covering index for the queue counts: (deck_id, retired, suspended, state, due, buried_until, section).

Counting a session's cards (session start, the home screen's deck tree, per section
too) and picking a deck's next new card then read only this index, by range, instead
of scanning the cards table. It replaces (deck_id, retired, suspended, due), whose work
it does too, so an answer still updates the same number of indexes.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_cards_deck_queue", table_name="cards")
    op.create_index(
        "ix_cards_deck_state", "cards", ["deck_id", "retired", "suspended", "state", "due", "buried_until", "section"]
    )


def downgrade() -> None:
    op.drop_index("ix_cards_deck_state", table_name="cards")
    op.create_index("ix_cards_deck_queue", "cards", ["deck_id", "retired", "suspended", "due"])
