"""Passport scenarios, value shares, prices in the costs, and drafting a passport from a gap."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.access.policy import SYSTEM
from unionsync.catalog.models import (
    Capability,
    Organization,
    OrganizationKind,
    Program,
    ProgramItem,
    ProgramItemDemand,
)
from unionsync.core.money import Currency, Money
from unionsync.coverage.allocation import Verdict
from unionsync.coverage.service import (
    ItemYear,
    Scenario,
    coverage_of_country,
    quantity_share,
    value_share,
)
from unionsync.matching.models import Match
from unionsync.matching.scoring import Band
from unionsync.passports.editing import draft_from_item
from unionsync.passports.models import Passport, PassportProduct, PassportStatus

CODE = "8462210000"  # a subheading no demo item or capability uses


def _program(s: Session, country: str, code: str) -> Program:
    template = s.scalars(select(Program).where(Program.country_code == country)).first()
    program = Program(
        country_code=country,
        industry_id=template.industry_id,
        code=code,
        title="Сценарии",
        period_start=2024,
        period_end=2027,
    )
    s.add(program)
    s.flush()
    return program


def _item(
    s: Session, program: Program, position: int, code: str | None, **demand: int
) -> ProgramItem:
    item = ProgramItem(
        program_id=program.id,
        position=position,
        name_ru=f"Станок {position}",
        tnved_code=code,
        unit_okei="796",
        target_year=2027,
    )
    s.add(item)
    s.flush()
    for year, quantity in demand.items():
        s.add(
            ProgramItemDemand(
                item_id=item.id,
                year=int(year.removeprefix("y")),
                quantity=Decimal(quantity),
                value_amount=Decimal(quantity) * 1000,
                value_currency=Currency.RUB,
            )
        )
    s.flush()
    return item


def _passport(
    s: Session, number: str, status: PassportStatus, maker: Organization, capacity: int, start: int
) -> Passport:
    passport = Passport(
        number=number,
        title=number,
        industry_id=maker.industry_id or 1,
        initiator=maker,
        period_start=2024,
        period_end=start,
        status=status,
    )
    passport.products = [
        PassportProduct(
            position=1,
            name_ru="Станок",
            tnved_code=CODE,
            unit_okei="796",
            country_code=maker.country_code,
            producer=maker,
            capacity_per_year=Decimal(capacity),
            start_year=start,
        )
    ]
    s.add(passport)
    s.flush()
    return passport


def test_passport_capacity_joins_from_its_start_year_in_its_scenario(demo_session: Session):
    s = demo_session
    program = _program(s, "RU", "RU-SCEN-1")
    item = _item(s, program, 1, CODE, y2025=100, y2026=100, y2027=100)
    other = _item(s, program, 2, "8462219000", y2026=10)  # the same subheading: linked, 0.75
    by_maker = s.scalars(
        select(Organization).where(
            Organization.country_code == "BY", Organization.kind == OrganizationKind.ENTERPRISE
        )
    ).first()
    ru_maker = s.scalars(
        select(Organization).where(
            Organization.country_code == "RU", Organization.kind == OrganizationKind.ENTERPRISE
        )
    ).first()
    reconciled = _passport(s, "СГ-T-1", PassportStatus.RECONCILED, by_maker, 60, 2026)
    _passport(s, "СГ-T-2", PassportStatus.DRAFT, by_maker, 50, 2025)
    _passport(s, "СГ-T-3", PassportStatus.RECONCILED, ru_maker, 1000, 2025)  # made in RU itself
    _passport(s, "СГ-T-4", PassportStatus.CANCELLED, by_maker, 1000, 2025)

    def covered(scenario: Scenario, item_id: int) -> dict[int, Decimal]:
        found = coverage_of_country(s, SYSTEM, "RU", scenario).item(item_id)
        assert found is not None
        return {y.year: y.covered for y in found.years}

    assert covered(Scenario.EXISTING, item.id) == {2025: 0, 2026: 0, 2027: 0}
    # 2026: the reconciled 60 shared with the second item's 10 (a smaller line: each unit covers
    # more of it, and the LP maximises the covered fractions)
    assert covered(Scenario.RECONCILED, item.id) == {2025: 0, 2026: 50, 2027: 60}
    assert covered(Scenario.RECONCILED, other.id) == {2026: 10}
    # every live passport: 50 from 2025, 110 from 2026 shared with the second item's 10
    assert covered(Scenario.ALL, item.id) == {2025: 50, 2026: 100, 2027: 100}
    assert covered(Scenario.ALL, other.id) == {2026: 10}
    coverage = coverage_of_country(s, SYSTEM, "RU", Scenario.RECONCILED)
    line = coverage.item(item.id)
    assert line is not None and line.verdict is Verdict.PARTLY
    supply = line.years[2].supplies[0]
    assert (supply.passport_id, supply.passport_number) == (reconciled.id, "СГ-T-1")
    assert supply.enterprise_id == by_maker.id and supply.probability == 0.9


def test_shares_by_quantity_weigh_lines_equally_and_by_value_weigh_money():
    rows = [
        ItemYear(2025, Decimal(100), Decimal(100), Verdict.FULLY, value=Money.of(1000, "RUB")),
        ItemYear(2025, Decimal(10), Decimal(5), Verdict.PARTLY, value=Money.of(3000, "RUB")),
    ]
    assert quantity_share(rows) == pytest.approx(0.75)  # (1 + 0.5) / 2, units never added
    assert value_share(rows) == pytest.approx((1000 + 1500) / 4000)
    rows.append(ItemYear(2025, Decimal(4), Decimal(0), Verdict.NOT, value=Money.of(100, "USD")))
    assert (
        value_share(rows) is None
    )  # two currencies and no rates: no answer rather than a wrong one

    def at_90_rub(money: Money, _year: int, to: Currency) -> Money:
        assert (money.currency, to) == (Currency.USD, Currency.RUB)
        return Money.of(money.amount * 90, to)

    assert value_share(rows, at_90_rub) == pytest.approx(2500 / 13000)
    assert quantity_share([]) is None and value_share([]) is None


def test_the_cheaper_of_two_equally_sure_producers_supplies(demo_session: Session):
    s = demo_session
    program = _program(s, "BY", "BY-PRICE-1")
    item = _item(s, program, 1, None, y2025=50)
    maker = s.scalars(select(Organization).where(Organization.country_code == "RU")).first()
    dear, cheap = (
        Capability(
            enterprise_id=maker.id,
            product_name=name,
            unit_okei="796",
            capacity_per_year=Decimal(100),
            price_amount=Decimal(price),
            price_currency=Currency.RUB,
        )
        for name, price in (("Дорогой", 3000), ("Дешёвый", 1000))
    )
    s.add_all([dear, cheap])
    s.flush()
    for capability in (dear, cheap):
        s.add(
            Match(
                item_id=item.id,
                capability_id=capability.id,
                probability=0.95,
                band=Band.ACCEPT,
                evidence=[],
                why="",
            )
        )
    s.flush()
    line = coverage_of_country(s, SYSTEM, "BY").item(item.id)
    assert line is not None
    assert [(x.product, x.quantity) for x in line.years[0].supplies] == [("Дешёвый", 50)]


def _demanded_once_drafted(client, item: dict) -> bool:
    """The item is still demanded in the year a passport drafted from it reaches capacity (its
    target year if still ahead, else next year), and no other item of its country shares its
    subheading (whose demand the allocation could serve first from the new capacity)."""
    if not item["code"]:
        return False
    same = client.get(
        "/api/v1/program-items", params={"country": item["country"], "tnved": item["code"][:6]}
    ).json()
    if same["total"] != 1:
        return False
    start = max(item["target_year"] or 0, date.today().year + 1)
    coverage = client.get(f"/api/v1/coverage/programs/{item['program_id']}").json()
    line = next(i for i in coverage["items"] if i["item_id"] == item["item_id"])
    return any(y["year"] >= start for y in line["years"])


def test_a_gap_becomes_a_draft_passport_once(client):
    report = client.get("/api/v1/sync").json()
    assert {"coverage", "trajectory", "overlaps", "complements", "gaps"} <= set(report)
    gap = next(g["item"] for g in report["gaps"] if _demanded_once_drafted(client, g["item"]))
    made = client.post(f"/api/v1/passports/from-item/{gap['item_id']}")
    assert made.status_code == 201, made.text
    passport = made.json()
    assert made.headers["Location"] == f"/api/v1/passports/{passport['id']}"
    assert passport["status"] == "draft" and passport["number"].startswith("СГ-")
    (product,) = passport["products"]
    assert product["source_item_id"] == gap["item_id"]
    assert product["country_code"] == {"BY": "RU", "RU": "BY"}[gap["country"]]
    again = client.post(f"/api/v1/passports/from-item/{gap['item_id']}")
    assert again.status_code == 409 and passport["number"] in again.text
    # in the scenario of every passport the drafted capacity covers the item from its start year
    coverage = client.get(
        f"/api/v1/coverage/programs/{gap['program_id']}", params={"scenario": "all"}
    ).json()
    assert coverage["scenario"] == "all"
    line = next(i for i in coverage["items"] if i["item_id"] == gap["item_id"])
    reached = [y for y in line["years"] if y["year"] >= product["start_year"]]
    assert reached and all(y["verdict"] == "fully" for y in reached)
    assert all(s["passport_number"] == passport["number"] for y in reached for s in y["supplies"])
    page = client.get(f"/sync/items/{gap['item_id']}")
    assert page.status_code == 200 and passport["number"] in page.text
    assert 'id="item-all"' in page.text and "draft-passport" not in page.text  # drafted already


def test_the_draft_action_on_the_page_goes_to_the_new_passport(client):
    from tests.conftest import csrf_of

    item = client.get("/api/v1/program-items", params={"per_page": 1}).json()["items"][0]
    token = csrf_of(client, f"/sync/items/{item['id']}")
    answer = client.post(
        f"/passports/from-item/{item['id']}",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = client.get(answer.headers["location"])
    assert 'id="section-products"' in page.text and item["name_ru"] in page.text


def test_a_viewer_cannot_draft(demo_session: Session):
    from unionsync.access.models import Role, Side
    from unionsync.access.policy import PermissionDeniedError, Principal

    item = demo_session.scalars(select(ProgramItem)).first()
    viewer = Principal("by-viewer", Side.BY, Role.VIEWER, user_id=1)
    with pytest.raises(PermissionDeniedError):
        draft_from_item(demo_session, viewer, item.id)


def test_a_gap_is_judged_at_the_deepest_level_both_codes_have():
    from unionsync.coverage.sync import _produced

    produced = ({"84", "848", "8482", "84821", "848210"}, {"8483"})  # 8482100000 and 8483
    assert _produced("8482", produced)  # an item coded to the heading: made under it
    assert _produced("8482109000", produced)  # the same subheading
    assert not _produced("8482500000", produced)  # another subheading of the heading: a gap
    assert _produced("8483109500", produced)  # a capability coded to the heading makes it
    assert not _produced(None, produced) and not _produced("9018", produced)
