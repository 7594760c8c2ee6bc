"""Migration 0005 carries the v1 critical-product lists into code lists and back."""

from pathlib import Path

from sqlalchemy import text

from unionsync.db.migrate import downgrade, upgrade
from unionsync.db.session import make_engine


def test_v1_critical_lists_survive_the_upgrade_and_the_downgrade(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0004")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO critical_product (list_code, list_name, tnved_code) "
                "VALUES ('CRIT', 'Критическая', '8482'), ('CRIT', 'Критическая', '8501')"
            )
        )
    upgrade(url)
    with engine.begin() as conn:
        rows = conn.execute(
            text(
                "SELECT l.code, l.owner, e.first, e.last FROM code_list l "
                "JOIN code_list_entry e ON e.list_id = l.id ORDER BY e.first"
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("CRIT", "UNION", "8482", "8482"),
        ("CRIT", "UNION", "8501", "8501"),
    ]
    downgrade(url, "0004")
    with engine.begin() as conn:
        back = conn.execute(text("SELECT tnved_code FROM critical_product ORDER BY 1")).scalars()
        assert list(back) == ["8482", "8501"]
    engine.dispose()
