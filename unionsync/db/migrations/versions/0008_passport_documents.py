"""Passport documents: content by the template, kept versions, change requests, comments,
optimistic locking

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "passport_change_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("passport_id", sa.Integer(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("proposed", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "applied",
                "rejected",
                "withdrawn",
                name="changerequeststatus",
                native_enum=False,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("approved_by_by", sa.String(length=80), nullable=True),
        sa.Column("approved_by_ru", sa.String(length=80), nullable=True),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("applied_version", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["passport_id"],
            ["passport.id"],
            name=op.f("fk_passport_change_request_passport_id_passport"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passport_change_request")),
    )
    with op.batch_alter_table("passport_change_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_passport_change_request_passport_id"), ["passport_id"], unique=False
        )

    op.create_table(
        "passport_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("passport_id", sa.Integer(), nullable=False),
        sa.Column("act", sa.String(length=20), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["passport_id"],
            ["passport.id"],
            name=op.f("fk_passport_comment_passport_id_passport"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passport_comment")),
    )
    with op.batch_alter_table("passport_comment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_passport_comment_passport_id"), ["passport_id"], unique=False
        )

    op.create_table(
        "passport_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("passport_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["passport_id"],
            ["passport.id"],
            name=op.f("fk_passport_version_passport_id_passport"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passport_version")),
        sa.UniqueConstraint(
            "passport_id", "number", name=op.f("uq_passport_version_passport_id_number")
        ),
    )
    with op.batch_alter_table("passport_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_passport_version_passport_id"), ["passport_id"], unique=False
        )

    with op.batch_alter_table("passport", schema=None) as batch_op:
        # existing passports: an empty document, version 1
        batch_op.add_column(
            sa.Column("content", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(
            sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
        batch_op.add_column(
            sa.Column("lock_version", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
        batch_op.add_column(sa.Column("cancel_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("passport", schema=None) as batch_op:
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("lock_version")
        batch_op.drop_column("version")
        batch_op.drop_column("content")

    with op.batch_alter_table("passport_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_passport_version_passport_id"))

    op.drop_table("passport_version")
    with op.batch_alter_table("passport_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_passport_comment_passport_id"))

    op.drop_table("passport_comment")
    with op.batch_alter_table("passport_change_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_passport_change_request_passport_id"))

    op.drop_table("passport_change_request")
