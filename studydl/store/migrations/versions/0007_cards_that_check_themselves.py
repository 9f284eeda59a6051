"""Cards that check themselves, and cram: a card's answer check, a review's kind and detail.

`cards.answer_check` holds how a card checks the answer (`answer: typed`, a predict
card's metric, tolerance and parameters) as JSON. `review_log.kind` tells a scheduled
answer (`scheduled`, every answer before this revision) from a cram answer (`cram`:
it changed nothing, as Anki's filtered-deck review with rescheduling off);
`review_log.detail` keeps what a typed or predicted answer was (JSON).

Revision ID: 0007
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cards") as batch:
        batch.add_column(sa.Column("answer_check", sa.Text, nullable=True))
    with op.batch_alter_table("review_log") as batch:
        batch.add_column(sa.Column("kind", sa.String(10), nullable=False, server_default="scheduled"))
        batch.add_column(sa.Column("detail", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review_log") as batch:
        batch.drop_column("detail")
        batch.drop_column("kind")
    with op.batch_alter_table("cards") as batch:
        batch.drop_column("answer_check")
