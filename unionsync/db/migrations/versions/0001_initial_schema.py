"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import unionsync.db.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "country",
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("name_ru", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("union_state", sa.Boolean(), nullable=False),
        sa.Column("eaeu_member", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_country")),
    )
    op.create_table(
        "critical_product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_code", sa.String(length=40), nullable=False),
        sa.Column("list_name", sa.String(length=300), nullable=False),
        sa.Column("tnved_code", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_critical_product")),
        sa.UniqueConstraint(
            "list_code", "tnved_code", name=op.f("uq_critical_product_list_code_tnved_code")
        ),
    )
    op.create_table(
        "exchange_rate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "currency",
            sa.Enum("BYN", "RUB", "USD", name="currency", native_enum=False),
            nullable=False,
        ),
        sa.Column(
            "quote",
            sa.Enum("BYN", "RUB", "USD", name="currency", native_enum=False),
            nullable=False,
        ),
        sa.Column("rate", unionsync.db.types.ScaledDecimal(scale=6, precision=18), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_rate")),
        sa.UniqueConstraint(
            "year",
            "currency",
            "quote",
            "source",
            name=op.f("uq_exchange_rate_year_currency_quote_source"),
        ),
    )
    op.create_table(
        "industry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_industry")),
        sa.UniqueConstraint("code", name=op.f("uq_industry_code")),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta")),
    )
    op.create_table(
        "organization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "ministry",
                "committee",
                "enterprise",
                "bank",
                name="organizationkind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("short_name", sa.String(length=120), nullable=True),
        sa.Column("name_en", sa.String(length=300), nullable=True),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("tax_id", sa.String(length=12), nullable=True),
        sa.Column("region", sa.String(length=120), nullable=True),
        sa.Column("industry_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["country_code"], ["country.code"], name=op.f("fk_organization_country_code_country")
        ),
        sa.ForeignKeyConstraint(
            ["industry_id"], ["industry.id"], name=op.f("fk_organization_industry_id_industry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
        sa.UniqueConstraint(
            "country_code", "tax_id", name=op.f("uq_organization_country_code_tax_id")
        ),
    )
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organization_country_code"), ["country_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_organization_kind"), ["kind"], unique=False)

    op.create_table(
        "trade_flow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reporter_code", sa.String(length=2), nullable=False),
        sa.Column("partner_code", sa.String(length=2), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "flow",
            sa.Enum("export", "import", name="flowdirection", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("tnved_code", sa.String(length=10), nullable=False),
        sa.Column(
            "value_amount", unionsync.db.types.ScaledDecimal(scale=2, precision=18), nullable=False
        ),
        sa.Column(
            "value_currency",
            sa.Enum("BYN", "RUB", "USD", name="currency", native_enum=False),
            nullable=False,
        ),
        sa.Column(
            "quantity", unionsync.db.types.ScaledDecimal(scale=3, precision=18), nullable=True
        ),
        sa.Column("unit_okei", sa.String(length=3), nullable=True),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_code"], ["country.code"], name=op.f("fk_trade_flow_partner_code_country")
        ),
        sa.ForeignKeyConstraint(
            ["reporter_code"], ["country.code"], name=op.f("fk_trade_flow_reporter_code_country")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trade_flow")),
        sa.UniqueConstraint(
            "reporter_code",
            "partner_code",
            "year",
            "flow",
            "tnved_code",
            "source",
            name=op.f("uq_trade_flow_reporter_code_partner_code_year_flow_tnved_code_source"),
        ),
    )
    with op.batch_alter_table("trade_flow", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trade_flow_partner_code"), ["partner_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_trade_flow_reporter_code"), ["reporter_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_trade_flow_tnved_code"), ["tnved_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_trade_flow_year"), ["year"], unique=False)

    op.create_table(
        "capability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("product_name", sa.String(length=500), nullable=False),
        sa.Column("product_name_en", sa.String(length=500), nullable=True),
        sa.Column("tnved_raw", sa.String(length=60), nullable=True),
        sa.Column("tnved_code", sa.String(length=10), nullable=True),
        sa.Column("okpd2_code", sa.String(length=12), nullable=True),
        sa.Column("unit_okei", sa.String(length=3), nullable=False),
        sa.Column(
            "capacity_per_year",
            unionsync.db.types.ScaledDecimal(scale=3, precision=18),
            nullable=False,
        ),
        sa.Column(
            "available_capacity",
            unionsync.db.types.ScaledDecimal(scale=3, precision=18),
            nullable=True,
        ),
        sa.Column(
            "price_amount", unionsync.db.types.ScaledDecimal(scale=2, precision=18), nullable=True
        ),
        sa.Column(
            "price_currency",
            sa.Enum("BYN", "RUB", "USD", name="currency", native_enum=False),
            nullable=True,
        ),
        sa.Column(
            "localisation_pct",
            unionsync.db.types.ScaledDecimal(scale=2, precision=7),
            nullable=True,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["organization.id"],
            name=op.f("fk_capability_enterprise_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capability")),
    )
    with op.batch_alter_table("capability", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_capability_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_capability_tnved_code"), ["tnved_code"], unique=False)

    op.create_table(
        "passport",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("title_en", sa.String(length=500), nullable=True),
        sa.Column("industry_id", sa.Integer(), nullable=False),
        sa.Column("initiator_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Integer(), nullable=False),
        sa.Column("period_end", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "under_reconciliation",
                "approved_by_by",
                "approved_by_ru",
                "reconciled",
                "in_drawdown",
                "in_selection",
                "in_implementation",
                "completed",
                "cancelled",
                name="passportstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "budget_amount", unionsync.db.types.ScaledDecimal(scale=2, precision=18), nullable=True
        ),
        sa.Column(
            "budget_currency",
            sa.Enum("BYN", "RUB", "USD", name="currency", native_enum=False),
            nullable=True,
        ),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["industry_id"], ["industry.id"], name=op.f("fk_passport_industry_id_industry")
        ),
        sa.ForeignKeyConstraint(
            ["initiator_id"],
            ["organization.id"],
            name=op.f("fk_passport_initiator_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passport")),
        sa.UniqueConstraint("number", name=op.f("uq_passport_number")),
    )
    with op.batch_alter_table("passport", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_passport_industry_id"), ["industry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_passport_status"), ["status"], unique=False)

    op.create_table(
        "program",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("industry_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("title_en", sa.String(length=500), nullable=True),
        sa.Column("period_start", sa.Integer(), nullable=False),
        sa.Column("period_end", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "approved",
                "in_force",
                "archived",
                name="programstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["country_code"], ["country.code"], name=op.f("fk_program_country_code_country")
        ),
        sa.ForeignKeyConstraint(
            ["industry_id"], ["industry.id"], name=op.f("fk_program_industry_id_industry")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["organization.id"], name=op.f("fk_program_owner_id_organization")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program")),
        sa.UniqueConstraint(
            "country_code", "code", "version", name=op.f("uq_program_country_code_code_version")
        ),
    )
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_program_country_code"), ["country_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_program_industry_id"), ["industry_id"], unique=False)

    op.create_table(
        "passport_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("passport_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "initiator",
                "curator",
                "leader",
                "participant",
                "bank",
                name="participantrole",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_passport_participant_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["passport_id"],
            ["passport.id"],
            name=op.f("fk_passport_participant_passport_id_passport"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passport_participant")),
        sa.UniqueConstraint(
            "passport_id",
            "organization_id",
            "role",
            name=op.f("uq_passport_participant_passport_id_organization_id_role"),
        ),
    )
    op.create_table(
        "program_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_ru", sa.String(length=500), nullable=False),
        sa.Column("name_en", sa.String(length=500), nullable=True),
        sa.Column("tnved_raw", sa.String(length=60), nullable=True),
        sa.Column("tnved_code", sa.String(length=10), nullable=True),
        sa.Column("tnved_ex", sa.Boolean(), nullable=False),
        sa.Column("unit_okei", sa.String(length=3), nullable=False),
        sa.Column("target_year", sa.Integer(), nullable=True),
        sa.Column(
            "import_share_pct",
            unionsync.db.types.ScaledDecimal(scale=2, precision=7),
            nullable=True,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
            name=op.f("fk_program_item_program_id_program"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_item")),
        sa.UniqueConstraint(
            "program_id", "position", name=op.f("uq_program_item_program_id_position")
        ),
    )
    with op.batch_alter_table("program_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_program_item_tnved_code"), ["tnved_code"], unique=False
        )

    op.create_table(
        "demo_match_truth",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("capability_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["capability_id"],
            ["capability.id"],
            name=op.f("fk_demo_match_truth_capability_id_capability"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["program_item.id"],
            name=op.f("fk_demo_match_truth_item_id_program_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "capability_id", name=op.f("pk_demo_match_truth")),
    )
    op.create_table(
        "program_item_demand",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "quantity", unionsync.db.types.ScaledDecimal(scale=3, precision=18), nullable=False
        ),
        sa.Column(
            "value_amount", unionsync.db.types.ScaledDecimal(scale=2, precision=18), nullable=True
        ),
        sa.Column(
            "value_currency",
            sa.Enum("BYN", "RUB", "USD", name="currency", native_enum=False),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["program_item.id"],
            name=op.f("fk_program_item_demand_item_id_program_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_item_demand")),
        sa.UniqueConstraint("item_id", "year", name=op.f("uq_program_item_demand_item_id_year")),
    )


def downgrade() -> None:
    op.drop_table("program_item_demand")
    op.drop_table("demo_match_truth")
    with op.batch_alter_table("program_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_item_tnved_code"))

    op.drop_table("program_item")
    op.drop_table("passport_participant")
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_industry_id"))
        batch_op.drop_index(batch_op.f("ix_program_country_code"))

    op.drop_table("program")
    with op.batch_alter_table("passport", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_passport_status"))
        batch_op.drop_index(batch_op.f("ix_passport_industry_id"))

    op.drop_table("passport")
    with op.batch_alter_table("capability", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capability_tnved_code"))
        batch_op.drop_index(batch_op.f("ix_capability_enterprise_id"))

    op.drop_table("capability")
    with op.batch_alter_table("trade_flow", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trade_flow_year"))
        batch_op.drop_index(batch_op.f("ix_trade_flow_tnved_code"))
        batch_op.drop_index(batch_op.f("ix_trade_flow_reporter_code"))
        batch_op.drop_index(batch_op.f("ix_trade_flow_partner_code"))

    op.drop_table("trade_flow")
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organization_kind"))
        batch_op.drop_index(batch_op.f("ix_organization_country_code"))

    op.drop_table("organization")
    op.drop_table("meta")
    op.drop_table("industry")
    op.drop_table("exchange_rate")
    op.drop_table("critical_product")
    op.drop_table("country")
