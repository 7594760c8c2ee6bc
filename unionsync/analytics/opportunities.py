"""Bilateral opportunities: which of one country's imports the other can replace now, and which it
could start producing — ranked, each rank explained, each a possible joint-project passport.

For the demand country A and the partner B, per HS subheading of A's program items:

- **imports to replace**: A's yearly program demand in value times the item's import share
  (the programs state both), summed over the subheading's items, in A's currency; where trade
  tables were imported, A's imports from third countries in the latest year are shown too and
  can raise the demand component;
- **B's revealed advantage**: RCA of B in the subheading among the two countries' producers,
  counted by the products their enterprises list (values are in two currencies and often
  missing; counts need neither);
- **relatedness**: B's density around the subheading in a product space built from which
  products the same enterprises make (an enterprise that makes both is evidence that the
  capabilities are shared), with the same proximity and density as `complexity.py`;
- **existing capacity**: the share of the subheading's demand B's producers cover today (the
  coverage allocation).

Score = 0.35 · demand (log, scaled to [0, 1] over the list) + 0.25 · min(RCA, 2) / 2
+ 0.25 · density + 0.15 · covered share. «Supply now» when B covers some of the demand,
«start production» when it covers none but the relatedness is at least the median.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from unionsync.access.policy import Action, Kind, Principal, require
from unionsync.analytics.complexity import shared_proximity
from unionsync.catalog.models import Capability, Organization, Program, ProgramItem
from unionsync.coverage.service import Coverage
from unionsync.reference.countries import PARTNER
from unionsync.trade.aggregate import FILES_PER_TASK, file_parts, query_files

if TYPE_CHECKING:
    from distributed import Client

SUBHEADING = 6
PAIRS_PER_TASK = 2_000_000  # enterprise-product pairs counted by one cluster task
WEIGHTS = {"demand": 0.35, "rca": 0.25, "density": 0.25, "covered": 0.15}


@dataclass(slots=True)
class Opportunity:
    code: str
    name: str  # the largest item's name
    industry_id: int
    demand_value: float  # imports to replace a year, in the demand country's currency
    currency: str
    items: list[int]  # program item ids, largest demand first
    rca: float
    density: float
    covered: float  # share of the demand B covers today
    producers: int  # B's enterprises listing products under the subheading
    related: list[str]  # B's closest products it makes (subheadings)
    score: float = 0.0
    kind: str = ""  # "supply", "start" or "watch"
    third_usd: float = 0.0  # imports from third countries in trade tables (latest year), USD
    third_year: int | None = None
    # only the partner's enterprises list the product: its RCA is then the largest any product
    # can have (the partner's share of all listings, inverted), shared by every such product
    only_partner: bool = False


def opportunities(
    session: Session,
    actor: Principal,
    demand_country: str,
    partner: str,
    coverage: Coverage | None = None,
    industry_id: int | None = None,
    third: dict[str, tuple[float, int]] | None = None,
    space: ProductSpace | None = None,
) -> list[Opportunity]:
    """The ranked opportunities for `partner` in `demand_country`'s programs; `third` adds the
    imports from third countries found in trade tables (`third_country_imports`)."""
    require(actor, Action.VIEW, Kind.PROGRAM)
    require(actor, Action.VIEW, Kind.CAPABILITY)
    items = session.scalars(
        select(ProgramItem)
        .join(Program)
        .where(Program.country_code == demand_country, ProgramItem.tnved_code.is_not(None))
        .options(selectinload(ProgramItem.demands), selectinload(ProgramItem.program))
    ).all()
    found: dict[str, Opportunity] = {}
    item_value: dict[int, float] = {}
    for item in items:
        code = (item.tnved_code or "")[:SUBHEADING]
        if len(code) < SUBHEADING:
            continue
        share = float(item.import_share_pct or Decimal(100)) / 100
        years = [d for d in item.demands if d.value_amount is not None]
        if not years:
            continue
        yearly = sum(float(d.value_amount or 0) for d in years) / len(years) * share
        item_value[item.id] = yearly
        entry = found.get(code)
        if entry is None:
            currency = str(years[0].value_currency) if years[0].value_currency else ""
            entry = found[code] = Opportunity(
                code,
                item.name_ru,
                item.program.industry_id,
                0.0,
                currency,
                [],
                0.0,
                0.0,
                0.0,
                0,
                [],
            )
        entry.demand_value += yearly
        entry.items.append(item.id)
    for entry in found.values():
        entry.items.sort(key=lambda i: -item_value[i])
    _supply_side(space or product_space(session), partner, found)
    if coverage is not None:
        _covered(coverage, found)
    for code, (usd, year) in (third or {}).items():
        if code in found:
            found[code].third_usd, found[code].third_year = usd, year
    ranked = [o for o in found.values() if industry_id in (None, o.industry_id)]
    _score(ranked)
    # equal scores (products sharing the largest RCA, say) go by how many of the partner's
    # enterprises make it, then by the demand's value: never by the order of the codes
    ranked.sort(key=lambda o: (-o.score, -o.producers, -o.demand_value, o.code))
    for entry in ranked:
        if entry.items:
            first = next(i for i in items if i.id == entry.items[0])
            entry.name = first.name_ru
    return ranked


def layout(proximity: np.ndarray) -> np.ndarray:
    """Two-dimensional positions for a product-space chart: classical multidimensional scaling
    of the distance 1 − proximity (close products land close)."""
    n = proximity.shape[0]
    if n < 3:
        return np.zeros((n, 2))
    distance = 1.0 - proximity
    np.fill_diagonal(distance, 0.0)
    centring = np.eye(n) - np.ones((n, n)) / n
    gram = -0.5 * centring @ (distance**2) @ centring
    values, vectors = np.linalg.eigh(gram)
    top = np.argsort(values)[::-1][:2]
    positions: np.ndarray = vectors[:, top] * np.sqrt(np.maximum(values[top], 0.0))
    return positions


@dataclass(frozen=True, slots=True)
class ProductSpace:
    """Subheadings, their proximity from enterprises' co-production, and per country what its
    enterprises list: the subheadings, how many products under each, and by whom."""

    products: list[str]
    proximity: np.ndarray
    made_by: dict[str, set[str]]
    listings: dict[str, dict[str, int]]
    producers: dict[str, dict[str, set[int]]]


def product_space(
    session: Session, client: Client | None = None, pairs_per_task: int = PAIRS_PER_TASK
) -> ProductSpace:
    """The product space of both countries' enterprises (one query, read in batches): the
    registers hold millions of lines, so the co-production counts are sparse, and on a Dask
    cluster they are counted enterprise group by enterprise group."""
    query = (
        select(Organization.id, Organization.country_code, Capability.tnved_code)
        .join(Capability)
        .where(Capability.tnved_code.is_not(None))
        .execution_options(yield_per=50_000)
    )
    made_by: dict[str, set[str]] = defaultdict(set)
    listings: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    producers: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    enterprises: list[int] = []
    made: list[str] = []
    for enterprise, country, code in session.execute(query):
        if code and len(code) >= SUBHEADING:
            sub = code[:SUBHEADING]
            made_by[country].add(sub)
            listings[country][sub] += 1
            producers[country][sub].add(enterprise)
            enterprises.append(enterprise)
            made.append(sub)
    products = sorted(set(made))
    index = {p: n for n, p in enumerate(products)}
    shared = co_production(
        np.array(enterprises, dtype=np.int64),
        np.array([index[sub] for sub in made], dtype=np.int64),
        len(products),
        client,
        pairs_per_task,
    )
    # an enterprise listing a product counts as making it; proximity as in complexity.py
    # (the diagonal of the counts is how many enterprises make each product: its ubiquity)
    proximity = shared_proximity(shared, np.diag(shared).copy())
    # plain dicts: the space is kept in the shared results (a pickle; lambdas cannot be)
    return ProductSpace(
        products,
        proximity,
        dict(made_by),
        {country: dict(counts) for country, counts in listings.items()},
        {country: dict(makers) for country, makers in producers.items()},
    )


def co_production(
    enterprises: NDArray[np.int64],
    products: NDArray[np.int64],
    count: int,
    client: Client | None = None,
    pairs_per_task: int = PAIRS_PER_TASK,
) -> NDArray[np.float64]:
    """How many enterprises make both of two products (presenceᵀ · presence, `count` square)
    from (enterprise, product) pairs, repeats allowed. On a cluster each task counts a group of
    whole enterprises; the counts are integers, so their sum does not depend on the grouping."""
    width = max(count, 1)
    keys = np.unique(enterprises * width + products)  # sorted by enterprise
    owners, made = keys // width, keys % width
    if client is None or len(keys) <= pairs_per_task:
        total = _co_production_part(owners, made, count)
    else:
        # cut every `pairs_per_task` pairs, moved back to the start of that enterprise
        cuts = sorted(
            {0, len(keys)}
            | {
                int(np.searchsorted(owners, owners[at], side="left"))
                for at in range(pairs_per_task, len(keys), pairs_per_task)
            }
        )
        futures = [
            client.submit(
                _co_production_part,
                *client.scatter([owners[start:stop], made[start:stop]]),
                count,
                pure=False,
            )
            for start, stop in pairwise(cuts)
        ]
        total = sparse.csr_matrix((count, count), dtype=np.int64)
        for part in client.gather(futures):
            total = total + part
    counts: NDArray[np.float64] = total.toarray().astype(np.float64)
    return counts


def _co_production_part(
    owners: NDArray[np.int64], made: NDArray[np.int64], count: int
) -> sparse.csr_matrix:
    """presenceᵀ · presence of these enterprises, as a sparse matrix of integer counts."""
    if not len(owners):
        return sparse.csr_matrix((count, count), dtype=np.int64)
    _, rows = np.unique(owners, return_inverse=True)
    presence = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.int64), (rows, made)), shape=(int(rows.max()) + 1, count)
    )
    return (presence.T @ presence).tocsr()


def _supply_side(space: ProductSpace, partner: str, found: dict[str, Opportunity]) -> None:
    products, proximity = space.products, space.proximity
    index = {p: n for n, p in enumerate(products)}
    mine = space.made_by.get(partner, set())
    presence = np.array([1.0 if p in mine else 0.0 for p in products])
    column = proximity.sum(axis=0) if len(products) else np.zeros(0)
    counts = space.listings
    total = sum(sum(c.values()) for c in counts.values()) or 1
    partner_counts = counts.get(partner, {})
    partner_total = sum(partner_counts.values()) or 1
    for code, entry in found.items():
        listed = sum(c.get(code, 0) for c in counts.values())
        if listed:
            mine_here = partner_counts.get(code, 0)
            entry.rca = (mine_here / partner_total) / (listed / total)
            entry.only_partner = mine_here == listed
        entry.producers = len(space.producers.get(partner, {}).get(code, set()))
        n = index.get(code)
        if n is not None and column[n] > 0:
            entry.density = min(1.0, float(presence @ proximity[:, n] / column[n]))
            near = np.argsort(-proximity[:, n])
            entry.related = [products[m] for m in near[:8] if presence[m] and m != n][:3]


def _covered(coverage: Coverage, found: dict[str, Opportunity]) -> None:
    by_item = {i.item_id: i for i in coverage.items}
    for entry in found.values():
        demanded = covered = 0.0
        for item_id in entry.items:
            line = by_item.get(item_id)
            if line is None:
                continue
            demanded += sum(float(y.demand) for y in line.years)
            covered += sum(float(y.covered) for y in line.years)
        entry.covered = covered / demanded if demanded else 0.0


_THIRD_QUERY = """
    SELECT lpad(CAST(hs6 AS VARCHAR), 6, '0') AS code, CAST(year AS INTEGER) AS year,
           sum(CAST(round(value * 100) AS BIGINT)) AS cents
    FROM read_parquet($files, hive_partitioning = true)
    WHERE reporter = $country AND partner NOT IN ($partner, $country, 'W00', 'WLD', '0')
      AND currency = 'USD' AND hs6 IS NOT NULL AND value IS NOT NULL
    GROUP BY ALL
"""


def _third_part(country: str, partner: str, files: list[str]) -> list[tuple[Any, ...]]:
    """(subheading, year, cents) of `country`'s imports from third countries in these files."""
    return query_files(_THIRD_QUERY, files, {"country": country, "partner": partner})


def third_country_imports(
    data_dir: Path,
    country: str,
    partner: str,
    client: Client | None = None,
    files_per_task: int = FILES_PER_TASK,
) -> dict[str, tuple[float, int]]:
    """Per HS subheading, what `country` imported from countries other than `partner` in the
    latest year of the imported trade tables (USD records; «world» totals left out), read from
    the Parquet datasets with DuckDB, here or file group by file group on a Dask cluster.
    Values are summed in whole cents (the same to the cent wherever they are summed). Empty
    when no table has been imported."""
    files = sorted(
        str(f) for f in (data_dir / "trade" / "flows").glob("*/year=*/flow=import/*.parquet")
    )
    if not files:
        return {}
    parts = file_parts(partial(_third_part, country, partner), files, client, files_per_task)
    cents: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for part in parts:
        for code, year, amount in part:
            cents[int(year)][str(code)] += int(amount)
    if not cents:
        return {}
    latest = max(cents)
    return {code: (amount / 100, latest) for code, amount in sorted(cents[latest].items())}


def _score(entries: list[Opportunity]) -> None:
    if not entries:
        return
    logs = [math.log1p(max(e.demand_value, 0.0)) for e in entries]
    traded = [math.log1p(e.third_usd) for e in entries]
    low, high = min(logs), max(logs)
    t_low, t_high = min(traded), max(traded)
    densities = sorted(e.density for e in entries)
    median = densities[len(densities) // 2]
    for entry, value in zip(entries, logs, strict=True):
        demand = (value - low) / (high - low) if high > low else 1.0
        if entry.third_usd and t_high > t_low:  # trade statistics can raise, never lower, it
            demand = max(demand, (math.log1p(entry.third_usd) - t_low) / (t_high - t_low))
        entry.score = (
            WEIGHTS["demand"] * demand
            + WEIGHTS["rca"] * min(entry.rca, 2.0) / 2
            + WEIGHTS["density"] * entry.density
            + WEIGHTS["covered"] * entry.covered
        )
        if entry.covered > 0:
            entry.kind = "supply"
        elif entry.density >= median:
            entry.kind = "start"
        else:
            entry.kind = "start" if entry.producers else "watch"


@dataclass(frozen=True, slots=True)
class OpportunityView:
    """What the opportunities page shows for one demand country and industry filter: the
    ranking, the product space and its layout (computed together, read together)."""

    ranked: list[Opportunity]
    space: ProductSpace
    points: np.ndarray


VIEW_FORMAT = 2  # raised when OpportunityView's shape changes (older pickles are recomputed)


def cached_opportunity_view(
    holder: Any,
    session: Session,
    actor: Principal,
    country: str,
    industry_id: int | None,
    data_dir: Path,
    scheduler: str | None = None,
) -> OpportunityView:
    """`opportunities` with the product space and its layout, computed once per version of
    their inputs (programs, matches, capabilities and passports; trade records and rates) and
    shared by every worker (`core.shared`); the whole-country view of both countries is
    computed by the refresh job before anyone asks (it took seconds in the request). With a
    `scheduler` (the job queue's) the co-production counts and the trade sums are made on
    that Dask cluster."""
    from unionsync.core.cluster import connect
    from unionsync.core.shared import data_version, version_of
    from unionsync.coverage.service import Scenario
    from unionsync.coverage.sync import cached_coverages, coverage_version

    require(actor, Action.VIEW, Kind.PROGRAM)
    require(actor, Action.VIEW, Kind.CAPABILITY)
    partner = PARTNER[country]

    def compute() -> OpportunityView:
        today = cached_coverages(holder, session, actor, (Scenario.EXISTING,))
        with connect(scheduler) as client:
            third = third_country_imports(data_dir, country, partner, client)
            space = product_space(session, client)
        ranked = opportunities(
            session,
            actor,
            country,
            partner,
            today[Scenario.EXISTING][country],
            industry_id,
            third,
            space,
        )
        points = layout(space.proximity) if space.products else np.zeros((0, 2))
        return OpportunityView(ranked, space, points)

    shared = getattr(holder, "shared", None)
    if shared is None:
        return compute()
    stamp = version_of(
        ("opportunities", VIEW_FORMAT, coverage_version(session), data_version(session, "trade"))
    )
    key = f"opportunities:{country}:{industry_id if industry_id is not None else 'all'}"
    view: OpportunityView = shared.get(key, stamp, compute, background=industry_id is None)
    return view
