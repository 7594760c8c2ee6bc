"""The roadmap outside the application: the workbook goes out and comes back (progress and new
tasks taken, bad rows refused by file, row and column with nothing written), and the milestones
as an iCalendar feed with stable identifiers; the output form the same way."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from icalendar import Calendar
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from unionsync import config
from unionsync.cli import app
from unionsync.db.session import make_engine, make_session_factory
from unionsync.passports.models import Passport
from unionsync.roadmap.models import OutputReport, RoadmapTask

runner = CliRunner()


def _env(tmp_path: Path, demo_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("UNIONSYNC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("UNIONSYNC_DATABASE_URL", demo_url)
    config.get_settings.cache_clear()


def test_the_workbook_goes_out_and_comes_back(tmp_path: Path, demo_url: str, monkeypatch):  # type: ignore[no-untyped-def]
    _env(tmp_path, demo_url, monkeypatch)
    out = tmp_path / "roadmap.xlsx"
    written = runner.invoke(app, ["roadmap", "export", "--out", str(out)])
    assert written.exit_code == 0, written.output
    book = load_workbook(out)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header[0] == "Ключ" and "Прогноз: окончание" in header
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) > 50
    progress = header.index("Выполнение, %")
    target = next(
        r for r in rows if str(r[0].value).startswith("passport:") and r[progress].value == 0
    )
    key = target[0].value
    target[progress].value = 40
    sheet.append([None, "СГ-2023-001", "Обучение персонала", None, None, "2027-03-01", 15])
    book.save(out)
    loaded = runner.invoke(app, ["roadmap", "import", str(out)])
    assert loaded.exit_code == 0, loaded.output
    assert "1 added" in loaded.stdout
    engine = make_engine(demo_url)
    with make_session_factory(engine)() as s:
        assert s.scalar(select(RoadmapTask.progress).where(RoadmapTask.key == key)) == 40
        added = s.scalar(select(RoadmapTask).where(RoadmapTask.title == "Обучение персонала"))
        assert added is not None and added.duration == 15 and added.key.startswith("manual:")
        count = s.scalar(select(RoadmapTask.id).order_by(RoadmapTask.id.desc()))
    engine.dispose()
    # a bad row: nothing is written, the error names the row and the column
    book = load_workbook(out)
    sheet = book.active
    sheet.cell(row=2, column=progress + 1, value=250)
    sheet.append([None, "СГ-0000-000", "Нет такого паспорта", None, None, "2027-03-01", 5])
    sheet.append(["нет-такого-ключа"])
    book.save(out)
    refused = runner.invoke(app, ["roadmap", "import", str(out)])
    assert refused.exit_code == 1
    assert "nothing was imported" in refused.output
    assert "row 2" in refused.output and "СГ-0000-000" in refused.output
    assert "нет-такого-ключа" in refused.output
    engine = make_engine(demo_url)
    with make_session_factory(engine)() as s:
        assert s.scalar(select(RoadmapTask.id).order_by(RoadmapTask.id.desc())) == count
    engine.dispose()
    config.get_settings.cache_clear()


def test_the_milestones_as_a_calendar(tmp_path: Path, demo_url: str, monkeypatch):  # type: ignore[no-untyped-def]
    _env(tmp_path, demo_url, monkeypatch)
    out = tmp_path / "milestones.ics"
    written = runner.invoke(app, ["roadmap", "export", "--out", str(out), "--passport", "1"])
    assert written.exit_code == 0, written.output
    calendar = Calendar.from_ical(out.read_bytes())
    events = [c for c in calendar.walk("VEVENT")]
    assert events and all(str(e["uid"]).endswith("@unionsync") for e in events)
    assert all(str(e["summary"]).startswith("СГ-2023-001 · ") for e in events)
    assert any(str(e["uid"]).startswith("passport:1:milestone:") for e in events)
    again = tmp_path / "again.ics"
    runner.invoke(app, ["roadmap", "export", "--out", str(again), "--passport", "1"])
    uids = {str(e["uid"]) for e in Calendar.from_ical(again.read_bytes()).walk("VEVENT")}
    assert uids == {str(e["uid"]) for e in events}
    assert (
        runner.invoke(app, ["roadmap", "export", "--out", str(tmp_path / "x.pdf")]).exit_code == 2
    )
    config.get_settings.cache_clear()


def test_what_slipped_as_xlsx_and_pdf(tmp_path: Path, demo_url: str, monkeypatch):  # type: ignore[no-untyped-def]
    _env(tmp_path, demo_url, monkeypatch)
    sheet_path = tmp_path / "slipped.xlsx"
    made = runner.invoke(
        app, ["roadmap", "report", "--out", str(sheet_path), "--from", "2023-01-01"]
    )
    assert made.exit_code == 0, made.output
    rows = list(load_workbook(sheet_path).active.iter_rows(min_row=2, values_only=True))
    assert rows and all(r[4] > 0 for r in rows)
    assert [r[4] for r in rows] == sorted((r[4] for r in rows), reverse=True)
    pdf = tmp_path / "slipped.pdf"
    assert runner.invoke(app, ["roadmap", "report", "--out", str(pdf)]).exit_code == 0
    assert pdf.read_bytes()[:5] == b"%PDF-"
    narrow = runner.invoke(
        app,
        [
            "roadmap",
            "report",
            "--out",
            str(sheet_path),
            "--from",
            "2031-01-01",
            "--until",
            "2031-12-31",
        ],
    )
    assert narrow.exit_code == 0 and "0 late tasks" in narrow.stdout
    bad = runner.invoke(app, ["roadmap", "report", "--out", str(sheet_path), "--from", "вчера"])
    assert bad.exit_code == 2
    config.get_settings.cache_clear()


def test_the_output_form_goes_out_and_comes_back(tmp_path: Path, demo_url: str, monkeypatch):  # type: ignore[no-untyped-def]
    _env(tmp_path, demo_url, monkeypatch)
    out = tmp_path / "output.xlsx"
    assert (
        runner.invoke(
            app, ["roadmap", "output-form", "--out", str(out), "--year", "2099"]
        ).exit_code
        == 2
    )
    written = runner.invoke(app, ["roadmap", "output-form", "--out", str(out), "--year", "2025"])
    assert written.exit_code == 0, written.output
    book = load_workbook(out)
    sheet = book.active
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) >= 10 and all(r[4].value == 2025 for r in rows)
    rows[0][5].value = 2  # the second quarter of a year the demo reports whole: refused
    rows[0][6].value = 10
    rows[1][6].value = "-5"
    book.save(out)
    refused = runner.invoke(app, ["roadmap", "outputs", str(out)])
    assert refused.exit_code == 1 and "nothing was imported" in refused.output
    assert "row 2" in refused.output and "row 3" in refused.output
    rows[0][5].value = None
    rows[1][6].value = "1 500,25"
    book.save(out)
    taken = runner.invoke(app, ["roadmap", "outputs", str(out)])
    assert taken.exit_code == 0, taken.output
    assert "2 reports recorded" in taken.stdout
    number, position = rows[1][0].value, rows[1][1].value
    engine = make_engine(demo_url)
    with make_session_factory(engine)() as s:
        passport = s.scalar(select(Passport).where(Passport.number == number))
        assert passport is not None
        stored = s.scalar(
            select(OutputReport.quantity).where(
                OutputReport.passport_id == passport.id,
                OutputReport.product_position == position,
                OutputReport.year == 2025,
                OutputReport.quarter.is_(None),
            )
        )
        assert stored == Decimal("1500.25")
    engine.dispose()
    config.get_settings.cache_clear()
