"""Passport products: what a joint project will make, where, how much a year and from when

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import unionsync.db.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "passport_product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("passport_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_ru", sa.String(length=500), nullable=False),
        sa.Column("name_en", sa.String(length=500), nullable=True),
        sa.Column("tnved_code", sa.String(length=10), nullable=True),
        sa.Column("unit_okei", sa.String(length=3), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("producer_id", sa.Integer(), nullable=True),
        sa.Column(
            "capacity_per_year",
            unionsync.db.types.ScaledDecimal(scale=3, precision=18),
            nullable=False,
        ),
        sa.Column("start_year", sa.Integer(), nullable=False),
        sa.Column("source_item_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["country_code"],
            ["country.code"],
            name=op.f("fk_passport_product_country_code_country"),
        ),
        sa.ForeignKeyConstraint(
            ["passport_id"],
            ["passport.id"],
            name=op.f("fk_passport_product_passport_id_passport"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["producer_id"],
            ["organization.id"],
            name=op.f("fk_passport_product_producer_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["source_item_id"],
            ["program_item.id"],
            name=op.f("fk_passport_product_source_item_id_program_item"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passport_product")),
        sa.UniqueConstraint(
            "passport_id", "position", name=op.f("uq_passport_product_passport_id_position")
        ),
    )
    with op.batch_alter_table("passport_product", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_passport_product_passport_id"), ["passport_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_passport_product_tnved_code"), ["tnved_code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("passport_product", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_passport_product_tnved_code"))
        batch_op.drop_index(batch_op.f("ix_passport_product_passport_id"))

    op.drop_table("passport_product")
