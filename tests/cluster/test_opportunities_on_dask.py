"""The opportunity ranking on a 2-worker LocalCluster: the product space's co-production counts
and the imports from third countries are made there, and the ranking equals the one made in
this process."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.access.policy import SYSTEM
from unionsync.analytics import opportunities as module
from unionsync.analytics.complexity import Options, proximity_of
from unionsync.analytics.opportunities import (
    Opportunity,
    cached_opportunity_view,
    co_production,
    product_space,
    third_country_imports,
)
from unionsync.catalog.models import Capability, Organization


def counting_submits(client: Any, monkeypatch: Any) -> list[str]:
    """The names of the functions the code under test sends to the cluster."""
    sent: list[str] = []
    original = client.submit

    def submit(function: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(getattr(function, "__name__", None) or function.func.__name__)
        return original(function, *args, **kwargs)

    monkeypatch.setattr(client, "submit", submit)
    return sent


def test_the_product_space_counted_on_two_workers_equals_the_dense_one(
    demo_session: Session, client: Any, monkeypatch: Any
):
    here = product_space(demo_session)
    sent = counting_submits(client, monkeypatch)
    there = product_space(demo_session, client, pairs_per_task=40)
    assert sent.count("_co_production_part") > 3  # really cut into enterprise groups
    assert there.products == here.products
    assert np.array_equal(there.proximity, here.proximity)
    assert (there.made_by, there.listings, there.producers) == (
        here.made_by,
        here.listings,
        here.producers,
    )
    # the sparse counts give exactly the proximity of the dense presence matrix
    rows = demo_session.execute(
        select(Organization.id, Capability.tnved_code)
        .join(Capability)
        .where(Capability.tnved_code.is_not(None))
    ).all()
    made: dict[int, set[str]] = {}
    for enterprise, code in rows:
        if len(code) >= 6:
            made.setdefault(enterprise, set()).add(code[:6])
    index = {p: n for n, p in enumerate(here.products)}
    presence = np.zeros((len(made), len(index)))
    for row, enterprise in enumerate(sorted(made)):
        for sub in made[enterprise]:
            presence[row, index[sub]] = 1.0
    dense = proximity_of(presence, presence.sum(axis=0), presence, Options())
    assert np.array_equal(here.proximity, dense)


def test_co_production_counts_do_not_depend_on_the_grouping(client: Any):
    rng = np.random.default_rng(11)
    enterprises = rng.integers(0, 3_000, 20_000)
    products = rng.integers(0, 50, 20_000)  # repeats: an enterprise listing a product twice
    whole = co_production(enterprises, products, 50)
    for size in (500, 4_999, 20_000):
        assert np.array_equal(co_production(enterprises, products, 50, client, size), whole)
    pairs = {(int(e), int(p)) for e, p in zip(enterprises, products, strict=True)}
    both = sum(1 for e, p in pairs if p == 7 and (e, 9) in pairs)
    assert whole[7, 9] == whole[9, 7] == both
    assert whole[3, 3] == len({e for e, p in pairs if p == 3})


def trade_files(data_dir: Path, files: int = 12, rows: int = 3_000) -> dict[str, int]:
    """Import-side Parquet files in the importer's layout; the expected cents per subheading
    of RU's imports from third countries in the latest year (2022)."""
    rng = np.random.default_rng(7)
    expected: dict[str, int] = {}
    for number in range(files):
        year = 2020 + number % 3
        folder = data_dir / "trade" / "flows" / f"source{number % 2}" / f"year={year}"
        folder = folder / "flow=import"
        folder.mkdir(parents=True, exist_ok=True)
        reporter = rng.choice(["RUS", "RU", "BY"], rows)
        partner = rng.choice(["CN", "DE", "BY", "RU", "W00", "TR"], rows)
        currency = rng.choice(["USD", "USD", "RUB"], rows)
        hs6 = rng.choice([848210, 840410, 30490], rows).astype(np.int32)
        value = np.round(rng.lognormal(9, 2, rows), 3)
        table = pa.table(
            {
                "reporter": reporter,
                "partner": partner,
                "currency": currency,
                "hs6": hs6,
                "value": value,
            }
        )
        pq.write_table(table, folder / f"part-{number}.parquet")
        if year != 2022:
            continue
        for r, p, c, h, v in zip(reporter, partner, currency, hs6, value, strict=True):
            if r == "RU" and p in ("CN", "DE", "TR") and c == "USD":
                code = f"{int(h):06d}"
                expected[code] = expected.get(code, 0) + int(np.floor(float(v) * 100 + 0.5))
    return expected


def test_third_country_imports_on_two_workers_equal_those_in_process(
    tmp_path: Path, client: Any, monkeypatch: Any
):
    expected = trade_files(tmp_path)
    here = third_country_imports(tmp_path, "RU", "BY")
    sent = counting_submits(client, monkeypatch)
    there = third_country_imports(tmp_path, "RU", "BY", client, files_per_task=3)
    assert sent.count("_third_part") == 4
    assert there == here
    assert here == {code: (cents / 100, 2022) for code, cents in sorted(expected.items())}


def test_the_ranking_on_a_cluster_equals_the_ranking_in_process(
    demo_session: Session, tmp_path: Path, client: Any, monkeypatch: Any
):
    trade_files(tmp_path, files=6, rows=500)
    here = cached_opportunity_view(SimpleNamespace(), demo_session, SYSTEM, "RU", None, tmp_path)
    handed: list[Any] = []
    original = module.product_space

    def spied(session: Session, on: Any = None) -> Any:
        handed.append(on)
        return original(session, on)

    monkeypatch.setattr(module, "product_space", spied)
    # the job queue's refresh hands its scheduler over: here, the running test cluster's
    there = cached_opportunity_view(
        SimpleNamespace(), demo_session, SYSTEM, "RU", None, tmp_path, client.scheduler.address
    )
    assert handed and handed[0] is not None  # a client of that cluster made the space
    assert len(here.ranked) > 20
    assert any(o.third_usd for o in here.ranked)  # the trade sums took part
    assert np.array_equal(there.points, here.points)
    for a, b in zip(here.ranked, there.ranked, strict=True):
        for field in fields(Opportunity):
            assert getattr(a, field.name) == getattr(b, field.name), field.name
