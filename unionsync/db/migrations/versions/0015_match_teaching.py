"""match: active-learning order (teaching_rank, learner_probability)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 18:32:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("match", schema=None) as batch_op:
        batch_op.add_column(sa.Column("teaching_rank", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("learner_probability", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("match", schema=None) as batch_op:
        batch_op.drop_column("learner_probability")
        batch_op.drop_column("teaching_rank")
