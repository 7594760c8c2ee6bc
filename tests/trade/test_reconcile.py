"""Mirror statistics over the demo: the 2022 critical-product trade is about Br1.2 bn by the
Belarusian records, larger by the Russian ones, and the reconciled interval lies between."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from unionsync.access.policy import SYSTEM
from unionsync.core.money import Currency
from unionsync.dashboard.service import build_dashboard
from unionsync.trade.reconcile import ANY_LIST, mirror_report, mutual_report


def test_mutual_trade_2022_both_records_and_the_interval(demo_session: Session):
    report = mutual_report(demo_session, SYSTEM, "BY", "RU", critical=ANY_LIST)
    year = next(y for y in report.years if y.year == 2022)
    board = build_dashboard(demo_session, SYSTEM)
    # each side's records are the overview's figures, whatever currency they were kept in
    by_total = board.trade_for("BY", 2022)
    ru_total = board.trade_for("RU", 2022)
    assert by_total is not None and ru_total is not None
    assert year.exporter_record == pytest.approx(float(by_total.total.amount), rel=1e-6)
    assert year.importer_record == pytest.approx(float(ru_total.total.amount), rel=1e-6)
    assert 1.1e9 < year.exporter_record < 1.3e9 < year.importer_record
    assert year.low <= year.estimate <= year.high
    assert year.low == pytest.approx(year.exporter_record, rel=0.02)  # the lower Belarusian side
    assert year.estimate > year.exporter_record  # «in reality much larger»
    assert {r.currency for r in year.rates} == {Currency.USD}  # Russia's USD records converted


def test_the_same_report_in_usd_and_rub_states_its_rates(demo_session: Session):
    in_usd = mutual_report(demo_session, SYSTEM, "BY", "RU", currency=Currency.USD)
    in_byn = mutual_report(demo_session, SYSTEM, "BY", "RU", currency=Currency.BYN)
    usd, byn = (next(y for y in r.years if y.year == 2022) for r in (in_usd, in_byn))
    assert byn.estimate / usd.estimate == pytest.approx(2.62)
    one_way = mirror_report(demo_session, SYSTEM, "RU", "BY", critical="DEMO-CRIT")
    assert all(r.exporter == "RU" for r in one_way.rows())


def test_mirror_over_the_api_the_page_and_the_overview(client):
    answer = client.get(
        "/api/v1/trade/mirror",
        params={"from": "BY", "to": "RU", "year": 2022, "critical": "*", "mutual": True},
    )
    assert answer.status_code == 200, answer.text
    data = answer.json()
    (year,) = data["years"]
    assert year["year"] == 2022 and year["low"] <= year["estimate"] <= year["high"]
    assert {r["year"] for r in data["rows"]} == {2022}
    assert any("one_side_missing" in r["flags"] for r in data["rows"])
    page = client.get("/trade/mirror", params={"year": 2022})
    assert page.status_code == 200 and 'id="mirror-gaps"' in page.text
    assert 'id="mirror-industries"' in page.text
    overview = client.get("/").text
    assert 'id="trade-reconciled"' in overview and "/trade/mirror?year=2022" in overview


def test_trade_per_industry_adds_up_to_the_year(demo_session: Session):
    from unionsync.trade.reconcile import by_industry, industries_of_codes

    report = mutual_report(demo_session, SYSTEM, "BY", "RU", critical=ANY_LIST)
    industries = industries_of_codes(demo_session)
    assert industries and all(len(code) == 6 for code in industries)
    lines = by_industry(report, industries, 2022)
    year = next(y for y in report.years if y.year == 2022)
    assert sum(line[3] for line in lines) == pytest.approx(year.estimate)
    assert sum(line[4] for line in lines) == pytest.approx(year.low)
    assert [line[3] for line in lines] == sorted((line[3] for line in lines), reverse=True)


def test_the_overview_reconciles_once_per_data_version(client):
    client.get("/")
    memo = client.app.state.shared.memo
    cached = memo["mirror:BY-RU"][1]
    client.get("/")
    assert memo["mirror:BY-RU"][1] is cached  # nothing changed: not recomputed
    rates = "period,pair,rate\n2022,USD/BYN,2.70\n"
    from pathlib import Path
    from tempfile import TemporaryDirectory

    from unionsync.access.policy import SYSTEM
    from unionsync.db.session import transaction
    from unionsync.trade.rates import import_rates

    with TemporaryDirectory() as folder, transaction(client.app.state.session_factory) as s:
        path = Path(folder) / "rates.csv"
        path.write_text(rates, encoding="utf-8")
        import_rates(s, SYSTEM, path)
    client.get("/")
    assert memo["mirror:BY-RU"][1] is not cached  # a new rate: computed again
