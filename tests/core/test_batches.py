"""Id lists longer than a statement's parameter limit (PostgreSQL: 65,535) are read and
deleted in batches: 10^5 program items are a normal program set."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from tests.conftest import seeded_industry
from unionsync.catalog.models import (
    Capability,
    Organization,
    OrganizationKind,
    Program,
    ProgramItem,
)
from unionsync.core.batches import batches
from unionsync.coverage.service import accepted_matches
from unionsync.matching.models import Match
from unionsync.matching.scoring import Band


def test_batches_cover_every_value_once():
    assert list(batches(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batches([], 3)) == []


def test_accepted_matches_of_more_items_than_a_statement_takes(session: Session):
    program = Program(
        country_code="RU",
        industry_id=seeded_industry(session, "machine-tools").id,
        code="RU-BATCH",
        title="Пакеты",
        period_start=2025,
        period_end=2026,
    )
    item = ProgramItem(position=1, name_ru="Станок", unit_okei="796")
    program.items.append(item)
    maker = Organization(kind=OrganizationKind.ENTERPRISE, name="Завод", country_code="BY")
    session.add_all([program, maker])
    session.flush()
    capability = Capability(
        enterprise_id=maker.id,
        product_name="Станок",
        unit_okei="796",
        capacity_per_year=Decimal(5),
    )
    session.add(capability)
    session.flush()
    session.add(
        Match(
            item_id=item.id,
            capability_id=capability.id,
            probability=0.97,
            band=Band.ACCEPT,
            evidence=[],
            why="",
        )
    )
    session.flush()
    # 70,000 ids that match nothing, then the one that does: more than one statement takes
    ids = [*range(10**8, 10**8 + 70_000), item.id]
    assert [m.item_id for m in accepted_matches(session, ids)] == [item.id]
