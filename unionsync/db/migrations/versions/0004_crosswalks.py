"""Crosswalks between classifier codes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import unionsync.db.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crosswalk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "from_system",
            sa.Enum("tnved", "hs", "okpd2", name="codesystem", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("from_code", sa.String(length=20), nullable=False),
        sa.Column(
            "to_system",
            sa.Enum("tnved", "hs", "okpd2", name="codesystem", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("to_code", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.Column(
            "confidence", unionsync.db.types.ScaledDecimal(scale=3, precision=6), nullable=False
        ),
        sa.Column("evidence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crosswalk")),
        sa.UniqueConstraint(
            "from_system",
            "from_code",
            "to_system",
            "to_code",
            "source",
            name=op.f("uq_crosswalk_from_system_from_code_to_system_to_code_source"),
        ),
    )
    with op.batch_alter_table("crosswalk", schema=None) as batch_op:
        batch_op.create_index("ix_crosswalk_from", ["from_system", "from_code"], unique=False)
        batch_op.create_index("ix_crosswalk_to", ["to_system", "to_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("crosswalk", schema=None) as batch_op:
        batch_op.drop_index("ix_crosswalk_to")
        batch_op.drop_index("ix_crosswalk_from")

    op.drop_table("crosswalk")
