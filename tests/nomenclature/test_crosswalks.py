"""Crosswalks: imported with row errors, defined from HS subheadings, learned from catalogues."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.catalog.models import Capability, Organization, OrganizationKind
from unionsync.core.tabular import ImportFailedError, read_table
from unionsync.nomenclature import service
from unionsync.nomenclature.crosswalks import (
    HS6_SOURCE,
    LEARNED_SOURCE,
    derive_hs6,
    learn_okpd2_tnved,
    links_of,
    read_csv_links,
    replace_links,
)
from unionsync.nomenclature.models import CodeSystem, Crosswalk
from unionsync.nomenclature.sources import CodeRecord


def code(system: CodeSystem, value: str, level: int) -> CodeRecord:
    return CodeRecord(
        system, value, level, None, value, value, None, date(2022, 1, 1), None, "test"
    )


def test_tnved_codes_join_hs_by_their_first_six_digits(session: Session):
    service.load_records(session, [code(CodeSystem.HS, "848210", 6)], "hs")
    service.load_records(
        session,
        [code(CodeSystem.TNVED, "8482101009", 10), code(CodeSystem.TNVED, "8483109500", 10)],
        "tnved",
    )
    links = derive_hs6(session)
    assert [(x.from_code, x.to_code) for x in links] == [("8482101009", "848210")]
    assert replace_links(session, HS6_SOURCE, links) == 1
    assert replace_links(session, HS6_SOURCE, links) == 1  # idempotent
    assert len(session.scalars(select(Crosswalk)).all()) == 1
    assert links_of(session, CodeSystem.HS, "848210")[0].from_code == "8482101009"


def test_okpd2_to_tnved_is_learned_with_a_share_as_confidence(session: Session):
    org = Organization(
        kind=OrganizationKind.ENTERPRISE, name="x", country_code="BY", tax_id="100000022"
    )
    session.add(org)
    for tnved in ("8482101009", "8482101009", "8482101009", "8482200009"):
        session.add(
            Capability(
                enterprise=org,
                product_name="п",
                unit_okei="796",
                capacity_per_year=Decimal(1),
                okpd2_code="28.15.10.120",
                tnved_code=tnved,
            )
        )
    session.flush()
    links = {(x.to_code, x.confidence, x.evidence) for x in learn_okpd2_tnved(session)}
    assert links == {("8482101009", Decimal("0.750"), 3), ("8482200009", Decimal("0.250"), 1)}
    assert replace_links(session, LEARNED_SOURCE, learn_okpd2_tnved(session)) == 2


def test_a_crosswalk_file_reports_each_bad_cell():
    content = (
        b"from_system,from_code,to_system,to_code,confidence\n"
        b"tnved,8482,hs,8482,1\n"
        b"okved,01,hs,01,0.5\n"
        b"okpd2,,tnved,8482,2\n"
    )
    with pytest.raises(ImportFailedError) as info:
        read_csv_links(read_table(content, "cw.csv"))
    found = {(e.row, e.column) for e in info.value.errors}
    assert found == {(3, "from_system"), (4, "from_code"), (4, "confidence")}
    good = read_csv_links(
        read_table(b"from_system,from_code,to_system,to_code\ntnved,8482 10,hs,848210\n", "ok.csv")
    )
    assert good[0].from_code == "848210" and good[0].confidence == Decimal(1)
