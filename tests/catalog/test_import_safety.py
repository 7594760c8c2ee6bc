"""Nothing lost by an import: absent columns keep stored values, unknown headers are errors,
unchanged rows write nothing, one audit entry per import, bounded values, long error lists."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.catalog.test_transfer import PROGRAM_HEADERS, as_csv, program_row
from tests.conftest import seeded_industry
from unionsync import config
from unionsync.access.models import AuditEntry
from unionsync.access.policy import SYSTEM
from unionsync.catalog.models import ProgramItem, ProgramItemDemand
from unionsync.catalog.transfer import import_programs
from unionsync.cli import app
from unionsync.core.tabular import ImportFailedError, read_table
from unionsync.db.session import make_engine, make_session_factory

runner = CliRunner()
TNVED = "Код ТН ВЭД ЕАЭС"


@pytest.fixture
def env(tmp_path: Path, demo_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("UNIONSYNC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("UNIONSYNC_DATABASE_URL", demo_url)
    config.get_settings.cache_clear()
    yield tmp_path
    config.get_settings.cache_clear()


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig")), delimiter=";"))
    return rows[0], rows[1:]


def _write_csv(path: Path, headers: list[str], rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")


def _codes_and_audit(url: str) -> tuple[list[str | None], int]:
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        codes = list(s.scalars(select(ProgramItem.tnved_code).order_by(ProgramItem.id)))
        audit = s.scalar(select(func.count()).select_from(AuditEntry)) or 0
    engine.dispose()
    return codes, audit


def _export(env: Path) -> Path:
    out = env / "by.csv"
    result = runner.invoke(app, ["export", "programs", "--out", str(out), "--country", "BY"])
    assert result.exit_code == 0, result.output
    return out


def test_a_file_without_the_code_column_keeps_the_stored_codes(env: Path, demo_url: str):
    out = _export(env)
    headers, rows = _read_csv(out)
    drop = headers.index(TNVED)
    _write_csv(out, headers[:drop] + headers[drop + 1 :], [r[:drop] + r[drop + 1 :] for r in rows])
    codes_before, audit_before = _codes_and_audit(demo_url)
    result = runner.invoke(app, ["import", "programs", str(out)])
    assert result.exit_code == 0, result.output
    codes_after, audit_after = _codes_and_audit(demo_url)
    assert codes_after == codes_before
    assert sum(c is not None for c in codes_after) > 200
    assert "changed 0" in " ".join(result.stdout.split())
    assert audit_after == audit_before + 1  # one entry for the import, none per row


def test_a_misspelled_header_is_an_error_naming_the_nearest_column(env: Path, demo_url: str):
    out = _export(env)
    headers, rows = _read_csv(out)
    headers[headers.index(TNVED)] = "Код ТНВЭД"
    _write_csv(out, headers, rows)
    codes_before, audit_before = _codes_and_audit(demo_url)
    result = runner.invoke(app, ["import", "programs", str(out)])
    assert result.exit_code == 1
    message = " ".join(result.output.split())
    assert "«Код ТНВЭД»" in message and f"did you mean «{TNVED}»?" in message
    assert _codes_and_audit(demo_url) == (codes_before, audit_before)


def test_an_unchanged_file_changes_nothing_and_writes_one_audit_entry(env: Path, demo_url: str):
    out = _export(env)
    _codes, audit_before = _codes_and_audit(demo_url)
    result = runner.invoke(app, ["import", "programs", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "items: added 0, changed 0" in text and "demand: added 0, changed 0" in text
    engine = make_engine(demo_url)
    with make_session_factory(engine)() as s:
        entries = list(
            s.scalars(
                select(AuditEntry).where(AuditEntry.seq > audit_before).order_by(AuditEntry.seq)
            )
        )
    engine.dispose()
    assert [e.action for e in entries] == ["import programs"]
    after = entries[0].after or {}
    assert len(after["sha256"]) == 64 and after["file"] == "by.csv"
    assert after["tables"]["items"]["unchanged"] == after["rows"]


def test_demand_is_changed_year_by_year_and_an_absent_year_is_kept(session: Session):
    seeded_industry(session, "machine-tools")
    headers = [*PROGRAM_HEADERS, "Потребность 2026, кол-во"]
    first = [[*program_row(1, q2025=10), 20], [*program_row(2, q2025=5), 7]]
    import_programs(session, SYSTEM, read_table(as_csv(headers, first), "p.csv"))
    ids = {(d.item.position, d.year): d.id for d in session.scalars(select(ProgramItemDemand))}

    # 2025 quantity changed for item 1, emptied for item 2; the 2026 columns are not in the file
    second = [program_row(1, q2025=11), program_row(2, q2025=None, v2025=None)]
    report = import_programs(session, SYSTEM, read_table(as_csv(PROGRAM_HEADERS, second), "p.csv"))
    assert report.tables["demand"].changed == 1
    assert report.tables["demand"].removed == 1
    session.expire_all()
    stored = {
        (d.item.position, d.year): d.quantity for d in session.scalars(select(ProgramItemDemand))
    }
    assert stored == {
        (1, 2025): Decimal(11),
        (1, 2026): Decimal(20),
        (2, 2026): Decimal(7),
    }
    # changed in place, not deleted and re-created
    assert ids[(1, 2025)] in {d.id for d in session.scalars(select(ProgramItemDemand))}


@pytest.mark.parametrize(
    ("overrides", "column", "reason"),
    [
        ({"q2025": "1e308"}, "Потребность 2025, кол-во", "too large"),
        ({"q2025": "1e16"}, "Потребность 2025, кол-во", "too large"),
        ({"v2025": "1" * 40}, "Потребность 2025, стоимость", "too large"),
        ({"position": 2**63}, "№ п/п", "too large"),
        ({"position": 2**31}, "№ п/п", "between"),
        ({"name_ru": "x" * 10_000}, "Наименование продукции", "at most 500"),
        ({"name_ru": "Станок\x1b[31m"}, "Наименование продукции", "U+001B"),
        ({"program_title": "План\u202eреверс"}, "Наименование программы", "U+202E"),
        ({"period_start": 1899}, "Начало периода", "between 2000 and 2100"),
    ],
)
def test_out_of_range_and_unsafe_cells_are_row_errors(
    session: Session, overrides: dict[str, object], column: str, reason: str
):
    seeded_industry(session, "machine-tools")
    cells = dict(overrides)
    row = program_row(cells.pop("position", 1), **cells)  # type: ignore[arg-type]
    sheet = read_table(as_csv(PROGRAM_HEADERS, [row]), "p.csv")
    with pytest.raises(ImportFailedError) as caught:
        import_programs(session, SYSTEM, sheet)
    assert any(
        e.row == 2 and e.column == column and reason in e.reason for e in caught.value.errors
    ), [str(e) for e in caught.value.errors]
    assert session.scalar(select(func.count()).select_from(ProgramItem)) == 0


def test_the_cli_prints_the_first_hundred_errors_and_writes_all_of_them(env: Path):
    rows = [program_row(i, unit="бочка") for i in range(1, 251)]
    path = env / "many.csv"
    path.write_bytes(as_csv(PROGRAM_HEADERS, rows))
    result = runner.invoke(app, ["import", "programs", str(path)])
    assert result.exit_code == 1
    shown = [line for line in result.output.splitlines() if "many.csv, row" in line]
    assert len(shown) == 100
    listing = env / "many.csv.errors.csv"
    assert "250 errors" in " ".join(result.output.split()) or "250 error(s)" in result.output
    assert str(listing) in " ".join(result.output.split()).replace(" ", "") or listing.exists()
    assert len(listing.read_text("utf-8-sig").splitlines()) == 251


def test_a_missing_required_column_is_reported_once(session: Session):
    seeded_industry(session, "machine-tools")
    headers = [h for h in PROGRAM_HEADERS if h != "Единица измерения (ОКЕИ)"]
    rows = [program_row(i)[:13] + program_row(i)[14:] for i in range(1, 50)]
    with pytest.raises(ImportFailedError) as caught:
        import_programs(session, SYSTEM, read_table(as_csv(headers, rows), "p.csv"))
    assert len(caught.value.errors) == 1 and caught.value.errors[0].row == 1
