"""Two indexes for the deck list: each deck's sections, and the buried cards.

The deck list counts every live card per deck and section and orders the sections by
their first line in the file; without this index that was a pass over the whole cards
table (its text with it), 0.17 s at 100,000 cards. (deck_id, section, retired,
suspended, source_line) answers it from the index alone, in group order (no sort).
None of its columns changes when a card is answered. ix_cards_buried holds the buried
cards alone (a partial index): when the next one comes out of burial was a pass over
every learning and review card's index entry (0.2 s at 1,000,000 cards).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cards_deck_section", "cards", ["deck_id", "section", "retired", "suspended", "source_line"])
    buried = sa.text("buried_until IS NOT NULL")
    op.create_index("ix_cards_buried", "cards", ["buried_until"], sqlite_where=buried, postgresql_where=buried)


def downgrade() -> None:
    op.drop_index("ix_cards_buried", "cards")
    op.drop_index("ix_cards_deck_section", "cards")
