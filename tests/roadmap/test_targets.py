"""What the roadmap means for the programs and what enterprises report: control points that
keep the stage between them, program items made late by a slip (on `/sync`), the coverage
trajectory as reported, output by form and by workbook (all or nothing, errors by row and
column), and the Gantt chart's time scales."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from unionsync.catalog.models import Program, ProgramItem
from unionsync.core.money import Currency
from unionsync.coverage.service import Coverage, ItemCoverage, ItemYear, Scenario, Supply
from unionsync.passports.models import Passport, PassportProduct
from unionsync.roadmap.derive import calendars
from unionsync.roadmap.models import OutputReport, RoadmapTask
from unionsync.roadmap.outputs import COLUMNS
from unionsync.roadmap.plan import _lag_days, forecast
from unionsync.roadmap.targets import covering_passports, late_items, reported_trajectory


def test_a_lag_counts_working_days_and_the_plan_keeps_its_dates(demo_session: Session):
    by = calendars(demo_session)["BY"]
    friday = date(2026, 12, 4)
    assert _lag_days(by, friday, 1) == 1  # Friday's work done: Saturday
    assert _lag_days(by, friday, 2) == 4  # Friday and Monday: Tuesday
    assert _lag_days(by, friday, -2) == -4
    assert _lag_days(by, friday, 0) == 0
    # the plan itself reproduces every planned date: no slip made by the arithmetic
    plan = forecast(demo_session, as_planned=True)
    for t in plan.tasks:
        assert t.start == t.task.planned_start, t.task.key


def test_a_late_control_point_moves_the_next_by_the_stage_between(demo_session: Session):
    plan = forecast(demo_session)
    by_key = {t.task.key: t for t in plan.tasks}
    cals = calendars(demo_session)
    moved = 0
    for t in plan.tasks:
        if not (t.task.key.endswith(":milestone:2") and t.task.actual_finish is None):
            continue
        if t.finish <= t.task.planned_start:
            continue
        after = by_key[t.task.key.replace(":milestone:2", ":milestone:3")]
        calendar = cals[after.task.country]
        stage = calendar.between(t.task.planned_start, after.task.planned_start)
        assert after.start > after.task.planned_start
        assert calendar.between(t.finish, after.start) >= stage
        moved += 1
    assert moved >= 2  # the demo's two late passports


def test_items_made_late_by_a_slip(demo_session: Session):
    plan = forecast(demo_session)
    late = late_items(demo_session, plan)
    slipped = [x for x in late if x.slipped_past_target]
    assert len(slipped) >= 2  # the demo's promise: the slip is visible on program items
    covering = covering_passports(demo_session)
    for x in late:
        assert x.finish.year > x.target_year and x.passport_id in covering[x.item_id]
        item = demo_session.get(ProgramItem, x.item_id)
        assert item is not None and item.target_year == x.target_year
        products = demo_session.scalars(
            select(PassportProduct).where(PassportProduct.passport_id == x.passport_id)
        ).all()
        country = demo_session.get(Program, item.program_id).country_code  # type: ignore[union-attr]
        assert any(
            p.source_item_id == item.id
            or (
                p.tnved_code
                and item.tnved_code
                and p.tnved_code[:6] == item.tnved_code[:6]
                and p.country_code != country
            )
            for p in products
        )
    for x in slipped:
        assert x.baseline_finish is not None and x.baseline_finish.year <= x.target_year
    # the late passports catch up (their control points reached as planned): no item slips
    passports = {x.passport_id for x in slipped}
    for task in demo_session.scalars(
        select(RoadmapTask).where(RoadmapTask.passport_id.in_(passports))
    ):
        task.actual_start = task.actual_finish = task.planned_start
        task.progress = 100
    demo_session.flush()
    again = late_items(demo_session, forecast(demo_session))
    assert not {x.passport_id for x in again if x.slipped_past_target} & passports


def test_the_trajectory_as_reported_scales_the_passports_deliveries():
    row = ItemYear(
        2025,
        Decimal(100),
        Decimal(80),
        None,  # type: ignore[arg-type]
        [
            Supply(None, "Завод", "Изделие", Decimal(50), 1.0, 7, "СГ-1", None, 70),
            Supply(5, "Другой", "Изделие", Decimal(30), 1.0),
        ],
    )
    later = ItemYear(2026, Decimal(100), Decimal(80), None, list(row.supplies))  # type: ignore[arg-type]
    item = ItemCoverage(1, 1, 1, "Изделие", "8482100009", "796", [row, later])
    planned = {"BY": Coverage("BY", "RU", [item], 0.0, Scenario.RECONCILED)}
    keep: Callable[[str], Callable[[ItemCoverage], bool]] = lambda country: lambda i: True  # noqa: E731
    reported = reported_trajectory(planned, keep, {(70, 2025): Decimal("0.4")}, 2025)
    assert reported == {"BY": [(2025, 0.5)]}  # 80 − 50 × 0.6 of 100; 2026 not reported yet
    silent = reported_trajectory(planned, keep, {}, 2025)
    assert silent == {"BY": [(2025, 0.3)]}  # nothing reported counts nothing
    assert reported_trajectory(planned, keep, {}, None) == {}


def test_sync_flags_the_items_and_draws_the_reported_line(client: TestClient):
    page = client.get("/sync")
    assert page.status_code == 200
    assert 'id="sync-late"' in page.text and 'id="sync-late-planned"' in page.text
    assert "позже целевого года" in page.text
    figure = _chart(page.text, "chart-trajectory")
    names = [trace["name"] for trace in figure["data"]]
    assert "BY: по отчётам" in names and "RU: по отчётам" in names


def _chart(html: str, chart: str) -> dict[str, Any]:
    data = html.split(f'data-chart-for="{chart}">')[1].split("</script>")[0]
    return json.loads(data)  # type: ignore[no-any-return]


def _token(client: TestClient) -> str:
    page = client.get("/roadmap")
    return page.text.split('name="csrf_token" value="')[1].split('"')[0]


def _belarusian_product(session: Session) -> tuple[Passport, PassportProduct]:
    for passport in session.scalars(select(Passport).order_by(Passport.id)):
        for product in passport.products:
            if product.country_code == "BY" and passport.status.value != "draft":
                return passport, product
    raise AssertionError("the demo has a passport with a product made in Belarus")


def test_output_by_form(client: TestClient, demo_session: Session):
    passport, product = _belarusian_product(demo_session)
    year = date.today().year
    page = client.get("/roadmap", params={"passport_id": passport.id})
    assert 'id="output-form"' in page.text and 'id="output-workbook"' in page.text
    sent = client.post(
        f"/roadmap/passports/{passport.id}/output",
        data={
            "csrf_token": _token(client),
            "product_position": str(product.position),
            "year": str(year),
            "quarter": "1",
            "quantity": "1 250,5",
            "value": "3 000 000,25",
            "currency": "BYN",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    demo_session.expire_all()
    stored = demo_session.scalars(
        select(OutputReport).where(
            OutputReport.passport_id == passport.id, OutputReport.year == year
        )
    ).one()
    assert stored.quantity == Decimal("1250.5") and stored.quarter == 1
    assert stored.value == Decimal("3000000.25") and stored.currency is Currency.BYN
    for bad, word in (
        ({"quantity": "много"}, "число"),
        ({"year": str(year + 1), "quarter": ""}, "ещё не начался"),
        ({"quarter": ""}, "по кварталам"),  # the year is reported by quarters now
    ):
        form = {
            "csrf_token": _token(client),
            "product_position": str(product.position),
            "year": str(year),
            "quarter": "2",
            "quantity": "10",
            **bad,
        }
        refused = client.post(f"/roadmap/passports/{passport.id}/output", data=form)
        assert refused.status_code == 422 and word in refused.text, (bad, refused.text[-2000:])


def _upload(client: TestClient, book: Workbook) -> object:
    body = BytesIO()
    book.save(body)
    return client.post(
        "/roadmap/output/import",
        data={"csrf_token": _token(client)},
        files={"file": ("output.xlsx", body.getvalue(), "application/octet-stream")},
    )


def test_output_by_workbook_all_or_nothing(client: TestClient, demo_session: Session):
    passport, product = _belarusian_product(demo_session)
    form = client.get("/roadmap/output.xlsx", params={"passport_id": passport.id, "year": 2025})
    assert form.status_code == 200 and form.content[:2] == b"PK"
    book = load_workbook(BytesIO(form.content))
    sheet = book.active
    assert [c.value for c in sheet[1]] == COLUMNS
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows and rows[0][0] == passport.number and rows[0][4] == 2025
    count = demo_session.scalar(select(func.count()).select_from(OutputReport))
    # several wrong rows: every error by row and column, nothing written
    sheet.cell(row=2, column=7, value="сто")  # quantity
    sheet.append([passport.number, product.position, "", "", 2025, 5, 10, None, "EUR", None])
    sheet.append(["СГ-0000-000", 1, "", "", 2025, None, 10, None, None, None])
    sheet.append([passport.number, product.position, "", "", 2099, None, 10, None, None, 20])
    refused = _upload(client, book)
    assert refused.status_code == 422 and 'id="import-errors"' in refused.text  # type: ignore[attr-defined]
    text = refused.text  # type: ignore[attr-defined]
    for column in ("Выпуск", "Квартал", "Валюта", "Паспорт", "Год"):
        assert f"<td>{column}</td>" in text, column
    assert "EUR" in text and "СГ-0000-000" in text
    demo_session.expire_all()
    assert demo_session.scalar(select(func.count()).select_from(OutputReport)) == count
    # the same product and period twice is refused naming the first row
    twice = Workbook()
    twice.active.append(COLUMNS)
    for quantity in (10, 12):
        twice.active.append(
            [passport.number, product.position, "", "", 2025, 3, quantity, None, None, None]
        )
    doubled = _upload(client, twice)
    assert doubled.status_code == 422 and "строке 2" in doubled.text  # type: ignore[attr-defined]
    # right rows: reported, and a row without a quantity skipped
    good = Workbook()
    good.active.append(COLUMNS)
    good.active.append(
        [passport.number, product.position, "", "", 2024, None, "1 000,5", 500, "RUB", 400]
    )
    good.active.append([passport.number, product.position, "", "", 2023, None, None, None, None])
    taken = _upload(client, good)
    assert taken.status_code == 200 and 'id="import-result"' in taken.text  # type: ignore[attr-defined]
    demo_session.expire_all()
    stored = demo_session.scalars(
        select(OutputReport).where(
            OutputReport.passport_id == passport.id,
            OutputReport.product_position == product.position,
            OutputReport.year == 2024,
        )
    ).one()
    assert stored.quantity == Decimal("1000.5") and stored.to_partner == Decimal(400)


def test_the_gantt_time_scales(client: TestClient):
    def axis(scale: str) -> dict[str, object]:
        page = client.get("/roadmap", params={"passport_id": 1, "scale": scale})
        assert page.status_code == 200
        return _chart(page.text, "chart-gantt")["layout"]["xaxis"]  # type: ignore[no-any-return]

    years = axis("years")
    assert all(len(t) == 4 for t in years["ticktext"]) and "range" not in years  # type: ignore[union-attr]
    quarters = axis("quarters")
    assert any(t.startswith("1 кв. ") for t in quarters["ticktext"])  # type: ignore[union-attr]
    assert "range" in quarters
    months = axis("months")
    assert len(months["ticktext"]) > len(quarters["ticktext"])  # type: ignore[arg-type]
    assert axis("decades")["ticktext"] == years["ticktext"]
