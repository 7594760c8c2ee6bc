"""Exports users open in Excel: text never becomes a formula, a stray control character never
breaks a shared export, and what is exported imports back unchanged."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from unionsync import config
from unionsync.access.policy import SYSTEM
from unionsync.catalog.models import Program, ProgramItem
from unionsync.catalog.transfer import export_programs, import_programs
from unionsync.cli import app as cli_app
from unionsync.core.tabular import csv_cell, csv_uncell, read_table, write_csv, write_xlsx
from unionsync.db.session import make_engine

HOSTILE = [
    "=cmd|' /C calc'!A0",
    "+1+2",
    "-2+3",
    "@SUM(A1:A2)",
    "'=already quoted",
    "'plain apostrophe",
    '=HYPERLINK("http://x")',
    "ordinary text",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_csv_escape_is_undone_exactly(value: str):
    assert csv_uncell(str(csv_cell(value))) == value


def test_formula_text_is_written_as_text_and_reads_back(tmp_path: Path):
    xlsx, plain = tmp_path / "t.xlsx", tmp_path / "t.csv"
    rows = [[value, 1] for value in HOSTILE]
    write_xlsx(xlsx, "t", ["text", "n"], rows)
    write_csv(plain, ["text", "n"], rows)

    sheet = load_workbook(xlsx).worksheets[0]
    cells = [sheet.cell(row=r, column=1) for r in range(2, len(HOSTILE) + 2)]
    assert all(cell.data_type == "s" for cell in cells)
    assert [cell.value for cell in cells] == HOSTILE

    raw = list(csv.reader(io.StringIO(plain.read_text("utf-8-sig")), delimiter=";"))[1:]
    for (written, _n), value in zip(raw, HOSTILE, strict=True):
        assert not written.startswith(("=", "+", "-", "@")), written
        if value.startswith(("=", "+", "-", "@", "'")):
            assert written == "'" + value

    for path in (xlsx, plain):
        back = read_table(path.read_bytes(), path.name)
        assert [cells["text"] for _number, cells in back.rows] == HOSTILE


def test_characters_xml_cannot_carry_are_marked_not_fatal(tmp_path: Path):
    path = tmp_path / "ctl.xlsx"
    write_xlsx(path, "t", ["text"], [["bell\x07 and escape\x1b"]])
    value = load_workbook(path).worksheets[0]["A2"].value
    assert value == "bell\ufffd and escape\ufffd"


def test_program_names_that_look_like_formulas_survive_export_and_import(
    session: Session, tmp_path: Path
):
    from tests.catalog.test_transfer import PROGRAM_HEADERS, as_csv, program_row

    names = ["=cmd|' /C calc'!A0", "+7 (495) станок", "@станок", "-станок-"]
    rows = [program_row(i + 1, name_ru=name) for i, name in enumerate(names)]
    import_programs(session, SYSTEM, read_table(as_csv(PROGRAM_HEADERS, rows), "p.csv"))
    for suffix in ("xlsx", "csv"):
        path = tmp_path / f"out.{suffix}"
        export_programs(session, SYSTEM, path)
        session.execute(ProgramItem.__table__.delete())
        session.execute(Program.__table__.delete())
        session.expunge_all()
        import_programs(session, SYSTEM, read_table(path.read_bytes(), path.name))
        stored = session.scalars(select(ProgramItem.name_ru).order_by(ProgramItem.position))
        assert list(stored) == names, suffix


def _plant_control_characters(url: str) -> None:
    """A row stored before validation existed, with ESC and BEL in its name."""
    engine = make_engine(url)
    with engine.begin() as connection:
        first = connection.execute(text("SELECT min(id) FROM program_item")).scalar_one()
        connection.execute(
            update(ProgramItem)
            .where(ProgramItem.id == first)
            .values(name_ru="Станок\x1b[31m\x07 ЧПУ")
        )
    engine.dispose()


def test_a_legacy_control_character_breaks_no_shared_export(
    demo_url: str, client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    _plant_control_characters(demo_url)
    report = client.get("/sync/report.xlsx")
    assert report.status_code == 200
    load_workbook(io.BytesIO(report.content))

    monkeypatch.setenv("UNIONSYNC_DATA_DIR", str(tmp_path / "cli-data"))
    monkeypatch.setenv("UNIONSYNC_DATABASE_URL", demo_url)
    config.get_settings.cache_clear()
    try:
        out = tmp_path / "programs.xlsx"
        result = CliRunner().invoke(cli_app, ["export", "programs", "--out", str(out)])
        assert result.exit_code == 0, result.output
        values = {
            c for row in load_workbook(out).worksheets[0].iter_rows(values_only=True) for c in row
        }
        assert "Станок\ufffd[31m\ufffd ЧПУ" in values
    finally:
        config.get_settings.cache_clear()
