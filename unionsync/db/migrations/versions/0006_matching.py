"""Matching: runs, matches with their evidence, reviewers' decisions by content, seen records

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "match_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("left_key", sa.String(length=40), nullable=False),
        sa.Column("right_key", sa.String(length=40), nullable=False),
        sa.Column("left_name", sa.String(length=500), nullable=False),
        sa.Column("right_name", sa.String(length=500), nullable=False),
        sa.Column("left_code", sa.String(length=10), nullable=True),
        sa.Column("right_code", sa.String(length=10), nullable=True),
        sa.Column(
            "decision",
            sa.Enum("accepted", "rejected", name="decision", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("decided_by", sa.String(length=80), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_decision")),
        sa.UniqueConstraint(
            "left_key", "right_key", name=op.f("uq_match_decision_left_key_right_key")
        ),
    )
    op.create_table(
        "match_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("against", sa.String(length=2), nullable=False),
        sa.Column("top", sa.Integer(), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("scorer", sa.String(length=200), nullable=False),
        sa.Column("accept_threshold", sa.Float(), nullable=False),
        sa.Column("review_threshold", sa.Float(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="runstatus",
                native_enum=False,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("stage", sa.String(length=60), nullable=True),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("items_matched", sa.Integer(), nullable=False),
        sa.Column("items_unchanged", sa.Integer(), nullable=False),
        sa.Column("capabilities_new", sa.Integer(), nullable=False),
        sa.Column("candidates", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("review", sa.Integer(), nullable=False),
        sa.Column("decisions_reused", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("requested_by", sa.String(length=80), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
            name=op.f("fk_match_run_program_id_program"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_run")),
    )
    op.create_table(
        "match",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("capability_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column(
            "band",
            sa.Enum("accept", "review", "reject", name="band", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column(
            "decision",
            sa.Enum("accepted", "rejected", name="decision", native_enum=False, length=10),
            nullable=True,
        ),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reused", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["capability_id"],
            ["capability.id"],
            name=op.f("fk_match_capability_id_capability"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["program_item.id"],
            name=op.f("fk_match_item_id_program_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["match_run.id"],
            name=op.f("fk_match_run_id_match_run"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match")),
        sa.UniqueConstraint(
            "item_id", "capability_id", name=op.f("uq_match_item_id_capability_id")
        ),
    )
    with op.batch_alter_table("match", schema=None) as batch_op:
        batch_op.create_index("ix_match_band", ["band"], unique=False)
        batch_op.create_index(batch_op.f("ix_match_capability_id"), ["capability_id"], unique=False)

    op.create_table(
        "match_seen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("against", sa.String(length=2), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=40), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
            name=op.f("fk_match_seen_program_id_program"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["match_run.id"],
            name=op.f("fk_match_seen_run_id_match_run"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_seen")),
        sa.UniqueConstraint(
            "program_id",
            "against",
            "kind",
            "record_id",
            name=op.f("uq_match_seen_program_id_against_kind_record_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("match_seen")
    with op.batch_alter_table("match", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_capability_id"))
        batch_op.drop_index("ix_match_band")

    op.drop_table("match")
    op.drop_table("match_run")
    op.drop_table("match_decision")
