"""Session rules: flags, leeches, burying siblings, and settings kept in the store.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cards", sa.Column("flag", sa.Integer, nullable=False, server_default="0"))
    op.add_column("cards", sa.Column("leech", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("cards", sa.Column("buried_until", sa.DateTime))
    op.create_table(
        "settings",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("settings")
    with op.batch_alter_table("cards") as batch:
        batch.drop_column("buried_until")
        batch.drop_column("leech")
        batch.drop_column("flag")
