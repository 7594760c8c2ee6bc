"""Bilateral opportunities on the demo: ranked, explained, split into supply-now and
start-production, and one of them drafted as a passport."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from sqlalchemy.orm import Session

from unionsync.access.policy import SYSTEM
from unionsync.analytics.opportunities import layout, opportunities, product_space


def test_ranked_and_explained(demo_session: Session):
    ranked = opportunities(demo_session, SYSTEM, "RU", "BY")
    assert len(ranked) > 20
    assert [o.score for o in ranked] == sorted((o.score for o in ranked), reverse=True)
    assert {o.kind for o in ranked} <= {"supply", "start", "watch"}
    for o in ranked:
        assert o.demand_value > 0 and 0 <= o.density <= 1 and o.items
    # products only the partner lists share the largest RCA; equal scores go by their makers
    only = [o for o in ranked if o.only_partner]
    assert only and len({round(o.rca, 9) for o in only}) == 1
    assert max(o.rca for o in ranked) == only[0].rca
    for first, second in pairwise(ranked):
        if first.score == second.score:
            assert (first.producers, first.demand_value) >= (second.producers, second.demand_value)
    # without a coverage answer nothing is covered: no «supply now» is claimed
    assert all(o.covered == 0 for o in ranked)


def test_product_space_from_co_production(demo_session: Session):
    space = product_space(demo_session)
    products, proximity, by_country = space.products, space.proximity, space.made_by
    assert len(products) == proximity.shape[0] > 10
    assert np.allclose(proximity, proximity.T) and (np.diag(proximity) == 0).all()
    assert by_country["BY"] and by_country["RU"]
    points = layout(proximity)
    assert points.shape == (len(products), 2) and np.isfinite(points).all()


def test_the_page_and_the_draft_action(client):
    page = client.get("/opportunities", params={"demand": "RU"})
    assert page.status_code == 200 and 'id="opportunities"' in page.text
    assert 'id="chart-space-BY"' in page.text and 'id="chart-space-RU"' in page.text
    assert "/passports/from-item/" in page.text  # a candidate can become a draft passport
    assert "млн RUB импорта в год" in page.text and "Беларусь" in page.text
    english = client.get("/opportunities", params={"demand": "RU", "lang": "en"}).text
    assert "mln RUB of imports a year" in english and "импорта" not in english
    assert "Belarus" in english


def test_imports_from_third_countries_come_from_imported_trade_tables(
    demo_session: Session, tmp_path
):
    from unionsync.analytics.opportunities import third_country_imports
    from unionsync.trade.imports import import_file

    assert third_country_imports(tmp_path, "RU", "BY") == {}
    table = tmp_path / "ru-imports.csv"
    table.write_text(
        "refYear,reporterISO,flowCode,partnerISO,cmdCode,primaryValue\n"
        "2021,RUS,M,CHN,848210,5000000\n"
        "2022,RUS,M,CHN,848210,7000000\n"
        "2022,RUS,M,DEU,848210,2000000\n"
        "2022,RUS,M,BLR,848210,9000000\n"  # the partner's own supply is not a third country
        "2022,RUS,M,W00,848210,99000000\n"  # a world total is not a country
        "2022,RUS,X,CHN,848210,1000000\n",
        encoding="utf-8",
    )
    import_file(demo_session, SYSTEM, table, "comtrade", tmp_path)
    third = third_country_imports(tmp_path, "RU", "BY")
    assert third == {"848210": (9_000_000.0, 2022)}
    ranked = opportunities(demo_session, SYSTEM, "RU", "BY", third=third)
    bearing = next(o for o in ranked if o.code == "848210")
    assert bearing.third_usd == 9_000_000.0
    assert bearing.third_year == 2022


def test_the_page_reads_a_shared_result_computed_once_per_data_version(client, monkeypatch):
    import unionsync.analytics.opportunities as module

    calls: list[int] = []
    original = module.product_space

    def counted(session, *args, **kwargs):
        calls.append(1)
        return original(session, *args, **kwargs)

    monkeypatch.setattr(module, "product_space", counted)
    calls.clear()
    first = client.get("/opportunities", params={"demand": "BY"}).text
    again = client.get("/opportunities", params={"demand": "BY"}).text
    assert len(calls) <= 1 and first.count('class="opportunity') == again.count(
        'class="opportunity'
    )
    settled = len(calls)
    client.get("/opportunities", params={"demand": "BY"})
    assert len(calls) == settled  # read, not computed again
    item = client.get("/api/v1/program-items", params={"country": "BY", "per_page": 1}).json()
    item = item["items"][0]
    changed = client.patch(
        f"/api/v1/program-items/{item['id']}", json={"name_ru": item["name_ru"] + " (изм.)"}
    )
    assert changed.status_code == 200, changed.text
    # the tests' installation has no stale window: the next request computes it, once
    client.get("/opportunities", params={"demand": "BY"})
    client.get("/opportunities", params={"demand": "BY"})
    assert len(calls) == settled + 1


def test_the_command_writes_the_ranking_with_the_figures_behind_it(
    tmp_path, demo_url: str, monkeypatch
):
    from openpyxl import load_workbook
    from typer.testing import CliRunner

    from unionsync import config
    from unionsync.cli import app
    from unionsync.db.session import make_engine, make_session_factory

    monkeypatch.setenv("UNIONSYNC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("UNIONSYNC_DATABASE_URL", demo_url)
    monkeypatch.delenv("UNIONSYNC_DASK_SCHEDULER", raising=False)
    config.get_settings.cache_clear()
    try:
        out = tmp_path / "ranking.xlsx"
        done = CliRunner().invoke(app, ["analytics", "opportunities", "--out", str(out)])
        assert done.exit_code == 0, done.output
        sheet = load_workbook(out).active
        rows = list(sheet.iter_rows(values_only=True))
        header, body = rows[0], rows[1:]
        engine = make_engine(demo_url)
        with make_session_factory(engine)() as session:
            from types import SimpleNamespace

            from unionsync.analytics.opportunities import cached_opportunity_view

            view = cached_opportunity_view(
                SimpleNamespace(), session, SYSTEM, "RU", None, tmp_path / "data"
            )
        engine.dispose()
        assert len(body) == len(view.ranked) > 20
        column = {name: n for n, name in enumerate(header)}
        for row, entry in zip(body[:10], view.ranked, strict=False):
            assert row[column["hs6"]] == entry.code  # text: a leading zero is kept
            assert row[column["kind"]] == entry.kind
            assert row[column["score"]] == round(entry.score, 6)
            items = [int(i) for i in str(row[column["program_items"]]).split()]
            assert items == entry.items  # the program lines the figure sums
        csv_out = tmp_path / "ranking.csv"
        as_csv = CliRunner().invoke(
            app, ["analytics", "opportunities", "--demand", "by", "--out", str(csv_out)]
        )
        assert as_csv.exit_code == 0, as_csv.output
        assert csv_out.read_text(encoding="utf-8-sig").startswith("rank;hs6;name;kind;score")
        for wrong, says in (
            (["--demand", "KZ"], "--demand"),
            (["--out", str(tmp_path / "r.pdf")], "--out"),
            (["--scheduler", "local:0"], "scheduler"),
            (["--industry", "999999"], "--industry"),
        ):
            bad = CliRunner().invoke(app, ["analytics", "opportunities", "--out", str(out), *wrong])
            assert bad.exit_code == 2 and says in bad.output, bad.output
    finally:
        config.get_settings.cache_clear()
