"""Programs, items and capabilities through the service layer, on every backend."""

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import seeded_industry
from unionsync.access.policy import SYSTEM
from unionsync.catalog import service
from unionsync.catalog.models import Organization, OrganizationKind, ProgramStatus
from unionsync.catalog.schemas import (
    CapabilityCreate,
    CapabilityUpdate,
    DemandIn,
    ProgramCreate,
    ProgramItemCreate,
    ProgramItemUpdate,
    ProgramUpdate,
)
from unionsync.core.errors import ConflictError, DomainValidationError, NotFoundError
from unionsync.core.listing import ListParams
from unionsync.core.money import Currency
from unionsync.reference.models import Industry


@pytest.fixture
def industry(session: Session) -> Industry:
    return seeded_industry(session, "machine-tools")


def new_program(session: Session, industry: Industry, code: str = "RU-MT-01") -> int:
    return service.create_program(
        session,
        SYSTEM,
        ProgramCreate(
            country_code="ru",
            industry_id=industry.id,
            code=code,
            title="План станкостроения",
            period_start=2024,
            period_end=2027,
        ),
    ).id


def test_program_keeps_exact_demand_and_normalised_code(session, industry):
    program_id = new_program(session, industry)
    item = service.create_item(
        session,
        SYSTEM,
        program_id,
        ProgramItemCreate(
            name_ru="Станок токарный с ЧПУ",
            tnved="8458 11 800 0",
            unit="шт",
            demand=[
                DemandIn(
                    year=2025,
                    quantity=Decimal("12.5"),
                    value=Decimal("0.10"),
                    currency=Currency.RUB,
                )
            ],
        ),
    )
    session.expire_all()
    stored = service.get_item(session, SYSTEM, item.id)
    assert (stored.tnved_raw, stored.tnved_code, stored.unit_okei) == (
        "8458 11 800 0",
        "8458118000",
        "796",
    )
    assert stored.demands[0].quantity == Decimal("12.500")
    assert stored.demands[0].value is not None
    assert stored.demands[0].value.amount == Decimal("0.10")
    assert stored.position == 1


def test_item_with_bad_code_and_unit_reports_both_fields(session, industry):
    program_id = new_program(session, industry)
    with pytest.raises(DomainValidationError) as info:
        service.create_item(
            session,
            SYSTEM,
            program_id,
            ProgramItemCreate(name_ru="Лошади", tnved="101210000", unit="бочка"),
        )
    fields = {e.field for e in info.value.errors}
    assert fields == {"tnved", "unit"}
    assert "0101210000" in str(info.value)


def test_duplicate_program_version_is_a_conflict(session, industry):
    new_program(session, industry)
    with pytest.raises(ConflictError, match="RU-MT-01 version 1 already exists"):
        new_program(session, industry)


def test_program_period_cannot_end_before_it_starts(session, industry):
    program_id = new_program(session, industry)
    with pytest.raises(DomainValidationError, match="period_end"):
        service.update_program(session, SYSTEM, program_id, ProgramUpdate(period_end=2020))


def test_update_item_replaces_demand_and_code(session, industry):
    program_id = new_program(session, industry)
    item = service.create_item(
        session, SYSTEM, program_id, ProgramItemCreate(name_ru="Фреза", tnved="8207", unit="796")
    )
    service.update_item(
        session,
        SYSTEM,
        item.id,
        ProgramItemUpdate(tnved="из 8207 70", demand=[DemandIn(year=2026, quantity=Decimal(3))]),
    )
    assert (item.tnved_code, item.tnved_ex) == ("820770", True)
    assert [d.year for d in item.demands] == [2026]


def test_lists_filter_search_sort_and_paginate(session, industry):
    ids = [new_program(session, industry, code=f"RU-MT-0{n + 1}") for n in range(3)]
    service.update_program(session, SYSTEM, ids[0], ProgramUpdate(status=ProgramStatus.IN_FORCE))
    page = service.list_programs(
        session,
        SYSTEM,
        service.ProgramFilter(country="RU", q="станко"),
        ListParams(page=2, per_page=2, sort="-code"),
    )
    assert (page.total, page.pages) == (3, 2)
    assert [p.code for p in page.items] == ["RU-MT-01"]
    in_force = service.list_programs(
        session, SYSTEM, service.ProgramFilter(status=ProgramStatus.IN_FORCE), ListParams()
    )
    assert in_force.total == 1
    with pytest.raises(DomainValidationError, match="unknown field"):
        service.list_programs(session, SYSTEM, service.ProgramFilter(), ListParams(sort="colour"))


def test_search_folds_case_in_cyrillic(session, industry):
    new_program(session, industry)
    page = service.list_programs(
        session, SYSTEM, service.ProgramFilter(q="ПЛАН СТАНКО"), ListParams()
    )
    assert page.total == 1


def test_capability_needs_an_enterprise_and_a_currency_for_its_price(session, industry):
    org = Organization(
        kind=OrganizationKind.ENTERPRISE, name="ОАО «Тест»", country_code="BY", tax_id="100000022"
    )
    session.add(org)
    session.flush()
    capability = service.create_capability(
        session,
        SYSTEM,
        CapabilityCreate(
            enterprise_id=org.id,
            product_name="Подшипник 6205-2RS",
            tnved="8482",
            unit="шт",
            capacity_per_year=Decimal(1000),
            price=Decimal("12.34"),
            currency=Currency.BYN,
        ),
    )
    assert capability.price is not None and str(capability.price) == "12.34 BYN"
    with pytest.raises(DomainValidationError, match="a price needs its currency"):
        service.update_capability(
            session, SYSTEM, capability.id, CapabilityUpdate(price=Decimal(5), currency=None)
        )
    with pytest.raises(DomainValidationError, match="no such enterprise"):
        service.create_capability(
            session,
            SYSTEM,
            CapabilityCreate(
                enterprise_id=999_999, product_name="x", unit="шт", capacity_per_year=Decimal(1)
            ),
        )


def test_missing_records_raise_not_found(session):
    with pytest.raises(NotFoundError, match="program 424242"):
        service.get_program(session, SYSTEM, 424242)
    assert session.scalar(select(Organization).where(Organization.id == 424242)) is None
