"""An index of each deck's sections: the deck list's totals and section order without reading the cards table.

The deck list counts every live card per deck and section and orders the sections by
their first line in the file; without this index that was a pass over the whole cards
table (its text with it), 0.17 s at 100,000 cards. (deck_id, section, retired,
suspended, source_line) answers it from the index alone, in group order (no sort).
None of its columns changes when a card is answered.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cards_deck_section", "cards", ["deck_id", "section", "retired", "suspended", "source_line"])


def downgrade() -> None:
    op.drop_index("ix_cards_deck_section", "cards")
