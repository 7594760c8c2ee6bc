"""The demo reproduces the public picture: programs, items, enterprises, passports, trade."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import shared_data
from unionsync.access.policy import SYSTEM
from unionsync.catalog.models import Capability, ProgramItem
from unionsync.catalog.transfer import export_capabilities, export_programs
from unionsync.core.meta import DemoMatchTruth
from unionsync.dashboard.service import build_dashboard
from unionsync.db.bootstrap import init_database
from unionsync.db.session import make_engine, make_session_factory, transaction
from unionsync.demo.catalogue import PRODUCTS
from unionsync.demo.loader import load_demo
from unionsync.nomenclature.codes import parse_tnved


def test_demo_has_the_sizes_the_governments_named(demo_session: Session):
    board = build_dashboard(demo_session, SYSTEM)
    assert board.programs["RU"] == 20 and board.programs["BY"] >= 8
    assert sum(board.items.values()) >= 1000
    assert sum(board.enterprises.values()) >= 150
    assert sum(board.capabilities.values()) >= 1500


def test_demo_passports_reproduce_the_february_2023_statement(demo_session: Session):
    board = build_dashboard(demo_session, SYSTEM)
    assert board.passports_reconciled == 12
    assert board.passports_in_preparation == 4
    assert board.passports["in_drawdown"] + board.passports["in_selection"] > 0


def test_demo_trade_is_about_br_1_2_bn_by_belarus_and_larger_by_russia(demo_session: Session):
    board = build_dashboard(demo_session, SYSTEM)
    by_2022, ru_2022 = board.trade_for("BY", 2022), board.trade_for("RU", 2022)
    assert by_2022 is not None and ru_2022 is not None
    assert Decimal("1.1e9") <= by_2022.total.amount <= Decimal("1.3e9")
    assert ru_2022.total.amount > by_2022.total.amount * Decimal("1.2")
    assert [r.currency.value for r in ru_2022.rates] == ["USD"]
    assert board.trade_years == [2021, 2022, 2023]


def test_capability_names_are_messy_like_real_lists(demo_session: Session):
    capabilities = demo_session.scalars(select(Capability)).all()
    codes = [c.tnved_code for c in capabilities]
    assert sum(c is None for c in codes) / len(codes) > 0.1
    assert any(c is not None and len(c) in (4, 6) for c in codes)
    assert any(c.product_name_en is not None for c in capabilities)
    assert any("подш." in c.product_name or "шарик." in c.product_name for c in capabilities)


def test_ground_truth_links_items_to_the_partner_countrys_capabilities(demo_session: Session):
    pairs = demo_session.execute(select(DemoMatchTruth)).scalars().all()
    assert len(pairs) > 1000
    sample = pairs[:50]
    for pair in sample:
        item = demo_session.get(ProgramItem, pair.item_id)
        capability = demo_session.get(Capability, pair.capability_id)
        assert item is not None and capability is not None
        assert item.program.country_code != capability.enterprise.country_code
        if capability.tnved_code and item.tnved_code and not item.tnved_ex:
            assert item.tnved_code.startswith(capability.tnved_code[:4])


def test_demo_is_idempotent_and_deterministic(tmp_path: Path):
    exports = []
    for run in ("a", "b"):
        url = f"sqlite:///{tmp_path / run}.db"
        factory = make_session_factory(make_engine(url))
        init_database(url, factory)
        with transaction(factory) as session:
            assert load_demo(session) is not None
        with transaction(factory) as session:
            assert load_demo(session) is None  # second load changes nothing
            assert session.scalar(select(func.count()).select_from(ProgramItem)) >= 1000
            export_programs(session, SYSTEM, tmp_path / f"{run}-programs.csv")
            export_capabilities(session, SYSTEM, tmp_path / f"{run}-capabilities.csv")
        exports.append(
            (
                (tmp_path / f"{run}-programs.csv").read_bytes(),
                (tmp_path / f"{run}-capabilities.csv").read_bytes(),
            )
        )
    assert exports[0] == exports[1]


def test_every_demo_code_exists_in_the_official_2022_edition():
    tree = json.loads(
        shared_data("nomenclature", "tnved-eaeu", "tnved_2022_tree.json").read_text(
            encoding="utf-8"
        )
    )
    official = {
        sub["code"]
        for section in tree
        for group in section.get("groups") or []
        for heading in group.get("goods") or []
        for sub in heading.get("subs") or []
    }
    unknown = sorted({p.tnved for p in PRODUCTS} - official)
    assert unknown == []


@pytest.mark.parametrize("product", PRODUCTS[:5], ids=lambda p: p.tnved)
def test_demo_codes_parse_as_ten_digit_codes(product):
    assert parse_tnved(product.tnved).level == 10


def test_demo_passports_are_complete_documents_with_a_first_version(demo_session: Session):
    from unionsync.passports.models import Passport, PassportVersion
    from unionsync.passports.template import clean

    passports = demo_session.scalars(select(Passport)).all()
    for passport in passports:
        assert clean(passport.content, complete=True) == passport.content, passport.number
        assert [p.position for p in passport.products] == [1]
        assert passport.version == 1
    versions = demo_session.scalars(select(PassportVersion)).all()
    assert sorted(v.passport_id for v in versions) == sorted(p.id for p in passports)


def test_program_codes_and_tax_ids_are_well_formed(demo_session: Session):
    import re

    from unionsync.catalog.models import Organization, Program
    from unionsync.catalog.taxid import validate_tax_id

    codes = demo_session.scalars(select(Program.code)).all()
    assert codes and all(re.fullmatch(r"(BY|RU)-[A-Z]{4}-\d{2}", c) for c in codes), codes
    for country, tax_id in demo_session.execute(
        select(Organization.country_code, Organization.tax_id).where(
            Organization.tax_id.is_not(None), Organization.country_code.in_(("BY", "RU"))
        )
    ):
        assert validate_tax_id(country, tax_id) == tax_id  # UNP and INN check digits hold


def test_programs_demand_goods_their_industry_uses(demo_session: Session):
    """No microprocessors in a machine-tools program, no caustic soda as an electronic
    component: a related industry's products only where the program's industry uses them."""
    from unionsync.catalog.models import Program
    from unionsync.demo.generator import UNFIT

    codes = {}
    for product in PRODUCTS:
        codes.setdefault(product.tnved, set()).add(product.industry)
    checked = 0
    for program in demo_session.scalars(select(Program)):
        unfit = set(UNFIT.get(program.industry.code, ()))
        for item in program.items:
            industries = codes.get(item.tnved_code or "", set())
            if unfit and industries:
                checked += 1
                assert not industries <= unfit, (program.code, item.name_ru, industries)
    assert checked > 50
    assert (
        demo_session.scalar(select(func.count()).select_from(ProgramItem)) >= 1000
    )  # the demo keeps its size
