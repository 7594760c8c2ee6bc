"""Classifier codes (TN VED EAEU, HS, OKPD2) with validity dates

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "nomenclature_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "system",
            sa.Enum("tnved", "hs", "okpd2", name="codesystem", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("parent", sa.String(length=20), nullable=True),
        sa.Column("name_ru", sa.Text(), nullable=True),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("edition", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomenclature_code")),
        sa.UniqueConstraint(
            "system", "code", "valid_from", name=op.f("uq_nomenclature_code_system_code_valid_from")
        ),
    )
    with op.batch_alter_table("nomenclature_code", schema=None) as batch_op:
        batch_op.create_index("ix_nomenclature_code_system_code", ["system", "code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("nomenclature_code", schema=None) as batch_op:
        batch_op.drop_index("ix_nomenclature_code_system_code")

    op.drop_table("nomenclature_code")
