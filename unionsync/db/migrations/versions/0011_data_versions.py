"""A counter per group of inputs of the shared results, raised by the transactions that
change them (a cheap and exact version stamp)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "data_version",
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_data_version")),
    )
    op.bulk_insert(table, [{"key": "coverage", "n": 0}, {"key": "trade", "n": 0}])
    # results stored under the former stamps are never current again: drop them
    op.execute("DELETE FROM shared_result")


def downgrade() -> None:
    op.drop_table("data_version")
