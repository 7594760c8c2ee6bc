"""Named code lists (ranges, «из» entries) replace the v1 critical_product table

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "code_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("owner", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_list")),
        sa.UniqueConstraint("code", name=op.f("uq_code_list_code")),
    )
    op.create_table(
        "code_list_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("written", sa.String(length=120), nullable=False),
        sa.Column("first", sa.String(length=10), nullable=False),
        sa.Column("last", sa.String(length=10), nullable=False),
        sa.Column("ex", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["code_list.id"],
            name=op.f("fk_code_list_entry_list_id_code_list"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_list_entry")),
        sa.UniqueConstraint(
            "list_id", "first", "last", "ex", name=op.f("uq_code_list_entry_list_id_first_last_ex")
        ),
    )
    _carry_lists_over()
    op.drop_table("critical_product")


def downgrade() -> None:
    op.create_table(
        "critical_product",
        sa.Column("id", sa.INTEGER(), nullable=False),
        sa.Column("list_code", sa.VARCHAR(length=40), nullable=False),
        sa.Column("list_name", sa.VARCHAR(length=300), nullable=False),
        sa.Column("tnved_code", sa.VARCHAR(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_critical_product")),
        sa.UniqueConstraint(
            "list_code", "tnved_code", name=op.f("uq_critical_product_list_code_tnved_code")
        ),
    )
    _carry_lists_back()
    op.drop_table("code_list_entry")
    op.drop_table("code_list")


def _carry_lists_over() -> None:
    """Each v1 list becomes a code list maintained by the Standing Committee."""
    bind = op.get_bind()
    old = bind.execute(
        sa.text(
            "SELECT list_code, list_name, tnved_code FROM critical_product "
            "ORDER BY list_code, tnved_code"
        )
    ).all()
    lists: dict[str, int] = {}
    for list_code, list_name, code in old:
        if list_code not in lists:
            bind.execute(
                sa.text("INSERT INTO code_list (code, name, owner) VALUES (:c, :n, 'UNION')"),
                {"c": list_code, "n": list_name},
            )
            lists[list_code] = bind.execute(
                sa.text("SELECT id FROM code_list WHERE code = :c"), {"c": list_code}
            ).scalar_one()
        bind.execute(
            sa.text(
                "INSERT INTO code_list_entry (list_id, written, first, last, ex) "
                "VALUES (:l, :w, :w, :w, false)"
            ),
            {"l": lists[list_code], "w": code},
        )


def _carry_lists_back() -> None:
    """Single-code entries go back to the v1 table (ranges had no place there)."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT l.code, l.name, e.first FROM code_list_entry e "
            "JOIN code_list l ON l.id = e.list_id WHERE e.first = e.last"
        )
    ).all()
    for list_code, name, code in rows:
        bind.execute(
            sa.text(
                "INSERT INTO critical_product (list_code, list_name, tnved_code) "
                "VALUES (:c, :n, :t)"
            ),
            {"c": list_code, "n": name, "t": code},
        )
