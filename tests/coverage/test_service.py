"""Coverage from stored matches: hand-made case on the demo database, and the demo as a whole."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.access.policy import SYSTEM
from unionsync.catalog.models import (
    Capability,
    Organization,
    Program,
    ProgramItem,
    ProgramItemDemand,
)
from unionsync.coverage.allocation import Verdict
from unionsync.coverage.service import coverage_of_country, program_coverage
from unionsync.matching.models import Decision, Match
from unionsync.matching.scoring import Band
from unionsync.matching.service import Engine, execute_run, request_run
from unionsync.reference.units import convert


def _match(
    item: ProgramItem,
    capability: Capability,
    decision: Decision | None,
    band: Band,
    probability: float = 0.95,
) -> Match:
    return Match(
        item_id=item.id,
        capability_id=capability.id,
        probability=probability,
        band=band,
        evidence=[],
        why="",
        decision=decision,
    )


def test_hand_made_program_fully_partly_not_and_a_unit_mismatch(demo_session: Session):
    s = demo_session
    template = s.scalars(select(Program).where(Program.country_code == "RU")).first()
    program = Program(
        country_code="RU",
        industry_id=template.industry_id,
        code="RU-HAND-99",
        title="Ручная проверка",
        period_start=2025,
        period_end=2025,
    )
    s.add(program)
    s.flush()
    names = ["Изделие А", "Изделие Б", "Изделие В", "Изделие Г"]
    units = ["796", "796", "796", "166"]
    items = [
        ProgramItem(program_id=program.id, position=n + 1, name_ru=name, unit_okei=unit)
        for n, (name, unit) in enumerate(zip(names, units, strict=True))
    ]
    s.add_all(items)
    s.flush()
    for item, quantity in zip(items, (100, 100, 50, 10), strict=True):
        s.add(ProgramItemDemand(item_id=item.id, year=2025, quantity=Decimal(quantity)))
    enterprise = s.scalars(select(Organization).where(Organization.country_code == "BY")).first()
    caps = [
        Capability(
            enterprise_id=enterprise.id,
            product_name=f"Мощность {n}",
            unit_okei=unit,
            capacity_per_year=Decimal(quantity),
        )
        for n, (unit, quantity) in enumerate((("796", 60), ("796", 60), ("798", 1), ("796", 5)))
    ]
    s.add_all(caps)
    s.flush()
    s.add_all(
        [
            _match(items[0], caps[0], None, Band.ACCEPT),  # А: 60 + 40 from two producers
            _match(items[0], caps[1], Decision.ACCEPTED, Band.REVIEW),
            # Б: only the 20 producer 2 has left (a less sure match: А is served first)
            _match(items[1], caps[1], None, Band.ACCEPT, 0.91),
            _match(items[1], caps[3], Decision.REJECTED, Band.ACCEPT),  # rejected: not used
            _match(items[2], caps[0], None, Band.REVIEW),  # В: not reviewed yet: not used
            _match(items[3], caps[3], None, Band.ACCEPT),  # Г: kg against pieces
        ]
    )
    s.flush()
    coverage = program_coverage(s, SYSTEM, program.id)
    mine = {c.name: c for c in coverage.for_program(program.id)}
    a, b, v, g = (mine[n] for n in names)
    assert a.verdict is Verdict.FULLY and a.years[0].covered == 100
    assert sorted(x.quantity for x in a.years[0].supplies) == [40, 60]
    assert b.verdict is Verdict.PARTLY and b.years[0].covered == 20 and b.years[0].gap == 80
    assert v.verdict is Verdict.NOT and v.years[0].supplies == []
    assert g.verdict is Verdict.NOT and g.needs_conversion == [
        "кг (166) ↔ шт (796): " + f"{enterprise.name}, Мощность 3"
    ]
    # pieces and kilograms are never added: each line's covered fraction counts once
    assert coverage.share(program.id) == (1 + 0.2 + 0 + 0) / 4


def test_the_demo_allocation_never_exceeds_a_capacity(demo_session: Session):
    for program in demo_session.scalars(select(Program).where(Program.country_code == "RU")):
        queued = request_run(demo_session, SYSTEM, program.id, Engine(), top=15)
        demo_session.commit()
        execute_run(demo_session, queued.id, Engine())
    coverage = coverage_of_country(demo_session, SYSTEM, "RU")
    verdicts = {i.verdict for i in coverage.items}
    assert verdicts == {Verdict.FULLY, Verdict.PARTLY, Verdict.NOT}
    used: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    units = {i.item_id: i.unit for i in coverage.items}
    capabilities = {c.id: c for c in demo_session.scalars(select(Capability))}
    for item in coverage.items:
        for year in item.years:
            assert Decimal(0) <= year.covered <= year.demand
            supplied = sum((x.quantity for x in year.supplies), Decimal(0))
            assert abs(supplied - year.covered) <= Decimal("0.01") * max(year.demand, 1)
            for supply in year.supplies:
                capability = capabilities[supply.capability_id]
                used[(supply.capability_id, year.year)] += convert(
                    supply.quantity, units[item.item_id], capability.unit_okei
                )
    for (capability_id, _year), quantity in used.items():
        capability = capabilities[capability_id]
        limit = capability.available_capacity or capability.capacity_per_year
        assert quantity <= limit * Decimal("1.0001") + Decimal("0.01")
    assert 0 < coverage.share() < 1


def test_coverage_over_the_api(client):
    program = client.get("/api/v1/programs", params={"country": "BY"}).json()["items"][0]
    client.post("/api/v1/match/runs", json={"program_id": program["id"], "top": 10})
    client.app.state.jobs.run_pending()
    answer = client.get(f"/api/v1/coverage/programs/{program['id']}")
    assert answer.status_code == 200
    data = answer.json()
    assert data["country"] == "BY" and data["against"] == "RU"
    assert data["items"] and {i["verdict"] for i in data["items"]} <= {"fully", "partly", "not"}
    assert data["fully"] + data["partly"] + data["not_satisfiable"] == len(data["items"])
    assert client.get("/api/v1/coverage/programs/999999").status_code == 404


def test_synchronisation_page_and_reports(client):
    for program in client.get("/api/v1/programs", params={"per_page": 100}).json()["items"][:6]:
        client.post("/api/v1/match/runs", json={"program_id": program["id"], "top": 10})
    client.app.state.jobs.run_pending()
    page = client.get("/sync")
    assert page.status_code == 200
    assert 'id="sync-summary"' in page.text and 'id="sync-gaps"' in page.text
    xlsx = client.get("/sync/report.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    from io import BytesIO

    from openpyxl import load_workbook

    workbook = load_workbook(BytesIO(xlsx.content))
    assert workbook.sheetnames == [
        "Сводка",
        "Траектория",
        "Взаимодополнение",
        "Пробелы",
        "Пересечения",
    ]
    assert workbook["Сводка"].max_row >= 2
    years = {row[1] for row in workbook["Траектория"].iter_rows(min_row=2, values_only=True)}
    assert years and all(isinstance(y, int) for y in years)
    pdf = client.get("/sync/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get("/sync/report.doc").status_code == 404


def test_synchronisation_finds_overlaps_gaps_and_timing(demo_session: Session):
    from unionsync.coverage.sync import synchronise

    report = synchronise(demo_session, SYSTEM)
    assert report.overlaps and report.gaps  # no matching runs yet: nothing is a complement
    assert report.complements == []
    for overlap in report.overlaps:
        assert {i.country for i in overlap.by_items} == {"BY"}
        assert {i.country for i in overlap.ru_items} == {"RU"}
        assert all(i.code and i.code.startswith(overlap.code) for i in overlap.by_items)
    conflicted = report.timing_conflicts
    for overlap in conflicted:
        by = {i.target_year for i in overlap.by_items if i.target_year}
        ru = {i.target_year for i in overlap.ru_items if i.target_year}
        assert by and ru and not by & ru


def test_the_overview_shows_coverage_per_industry_once_matches_exist(client):
    before = client.get("/")
    assert 'id="coverage-by-industry"' in before.text and 'href="/matching"' in before.text
    for program in client.get("/api/v1/programs", params={"per_page": 100}).json()["items"]:
        client.post("/api/v1/match/runs", json={"program_id": program["id"], "top": 10})
    client.app.state.jobs.run_pending()
    after = client.get("/").text
    section = after.split('id="coverage-by-industry"')[1].split("</section>")[0]
    assert section.count('href="/sync?industry=') == 15
    shares = [int(v) for v in re.findall(r"(\d+)\u00a0%</td>", section)]  # «41 %»
    assert shares and max(shares) > 0
    memo = client.app.state.shared.memo
    cached = memo["coverage:existing"][1]
    client.get("/")
    assert memo["coverage:existing"][1] is cached  # nothing changed: not solved again


def test_the_program_page_shows_its_coverage(client):
    program = client.get("/api/v1/programs", params={"country": "BY"}).json()["items"][0]
    client.post("/api/v1/match/runs", json={"program_id": program["id"], "top": 10})
    client.app.state.jobs.run_pending()
    page = client.get(f"/programs/{program['id']}").text
    assert 'id="program-covered"' in page and "/sync/items/" in page
    api = client.get(f"/api/v1/coverage/programs/{program['id']}").json()
    shown = round(api["covered_share"] * 100)
    assert f"{shown}\u00a0%" in page.split('id="program-covered"')[1][:200]
