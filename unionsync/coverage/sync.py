"""Synchronisation of the two countries' programs: overlaps, complements, gaps, timing conflicts.

- An **overlap**: both countries' programs plan the same product (the same TN VED subheading,
  six digits, or deeper when both give more): duplicated effort, or a joint project.
- A **timing conflict**: an overlap whose target years differ.
- A **complement**: one country's demand that the other's existing producers can cover, fully or
  partly (from the coverage allocation).
- A **gap**: demand that nobody can cover: the partner's producers cannot (coverage says "not")
  and no enterprise of either country lists a capability under the item's code (at their
  deepest common level, down to the subheading). A candidate for a joint project (one action
  drafts its passport).
- The **trajectory**: the covered share year by year with today's producers, then adding the
  products of reconciled passports, then of every passport, from their start years.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.access.policy import Action, Kind, Principal, require
from unionsync.catalog.models import Capability, Program, ProgramItem
from unionsync.core.money import Currency, Money
from unionsync.core.shared import data_version, version_of
from unionsync.coverage.allocation import Verdict
from unionsync.coverage.service import (
    SUBHEADING,
    Converter,
    Coverage,
    ItemCoverage,
    Scenario,
    coverage_of_country,
    quantity_share,
    value_share,
)
from unionsync.reference.countries import PARTNER
from unionsync.trade.models import ExchangeRate
from unionsync.trade.service import MissingRateError, convert, rate_factor


@dataclass(frozen=True, slots=True)
class ItemRef:
    item_id: int
    country: str
    program_id: int
    program: str
    industry_id: int
    position: int
    name: str
    code: str | None
    target_year: int | None


@dataclass(frozen=True, slots=True)
class Overlap:
    code: str  # the subheading both plan
    by_items: tuple[ItemRef, ...]
    ru_items: tuple[ItemRef, ...]

    @property
    def timing_conflict(self) -> bool:
        """The two countries' target years for the product have no year in common."""
        by = {i.target_year for i in self.by_items if i.target_year}
        ru = {i.target_year for i in self.ru_items if i.target_year}
        return bool(by and ru and not by & ru)

    @property
    def industry_ids(self) -> set[int]:
        return {i.industry_id for i in (*self.by_items, *self.ru_items)}


@dataclass(frozen=True, slots=True)
class Complement:
    item: ItemRef
    verdict: Verdict
    covered_share: float
    producers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Gap:
    item: ItemRef
    demand_total: float
    unit: str
    value_usd: float | None = None  # the demand's value over all years, each at its year's rate


@dataclass(frozen=True, slots=True)
class Line:
    """One program item of the report whatever its verdict: the rows behind the shares, so that
    a share on the page opens the very items it was computed from."""

    item: ItemRef
    verdict: Verdict
    covered_share: float
    demand_total: float
    unit: str
    value_usd: float | None
    producers: tuple[str, ...]
    gap: bool  # nobody of either country makes it


@dataclass(frozen=True, slots=True)
class TrajectoryPoint:
    """One country's covered share of its demand in one year, per scenario."""

    country: str
    year: int
    shares: dict[Scenario, float | None]


@dataclass(slots=True)
class SyncReport:
    industry_id: int | None
    overlaps: list[Overlap] = field(default_factory=list)
    complements: list[Complement] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    coverage: dict[str, Coverage] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)

    @property
    def timing_conflicts(self) -> list[Overlap]:
        return [o for o in self.overlaps if o.timing_conflict]

    programs: dict[int, tuple[str, int]] = field(default_factory=dict)  # id → country, industry
    trajectory: list[TrajectoryPoint] = field(default_factory=list)
    converter: Converter | None = None

    def keep(self, country: str, industry_id: int | None) -> Callable[[ItemCoverage], bool]:
        """A filter of a country's items (of one industry, or all)."""

        def keep(item: ItemCoverage) -> bool:
            owner, industry = self.programs.get(item.program_id, ("", 0))
            return owner == country and industry_id in (None, industry)

        return keep

    def share(self, country: str, industry_id: int | None = None) -> float | None:
        """Covered share of a country's demanded quantity, line by line (one industry, or
        all)."""
        coverage = self.coverage.get(country)
        if coverage is None:
            return None
        return quantity_share(coverage.rows(self.keep(country, industry_id)))

    def value_share(self, country: str, industry_id: int | None = None) -> float | None:
        """Covered share of the value of a country's demand (None when no value is given, or
        currencies differ and a year's rate is missing)."""
        coverage = self.coverage.get(country)
        if coverage is None:
            return None
        try:
            return value_share(coverage.rows(self.keep(country, industry_id)), self.converter)
        except MissingRateError:
            return None

    def industries(self) -> list[int]:
        """The industries with program demand, in id order."""
        return sorted({industry for _country, industry in self.programs.values()})


Scenarios = dict[Scenario, dict[str, Coverage]]


def synchronise(
    session: Session,
    actor: Principal,
    industry_id: int | None = None,
    scenarios: Scenarios | None = None,
) -> SyncReport:
    """The synchronisation report over both countries (optionally one industry); `scenarios`
    reuses both countries' allocations in each scenario when they are already solved."""
    report = SyncReport(industry_id)
    solved = scenarios or {
        scenario: {
            country: coverage_of_country(session, actor, country, scenario) for country in PARTNER
        }
        for scenario in Scenario
    }
    report.coverage = solved[Scenario.EXISTING]
    report.converter = rate_converter(session)
    programs = {
        p.id: p
        for p in session.scalars(select(Program).where(Program.country_code.in_(("BY", "RU"))))
    }
    report.programs = {pid: (p.country_code, p.industry_id) for pid, p in programs.items()}
    items = session.scalars(
        select(ProgramItem).where(ProgramItem.program_id.in_(list(programs)))
    ).all()
    refs = {
        i.id: ItemRef(
            i.id,
            programs[i.program_id].country_code,
            i.program_id,
            programs[i.program_id].code,
            programs[i.program_id].industry_id,
            i.position,
            i.name_ru,
            i.tnved_code,
            i.target_year,
        )
        for i in items
    }
    chosen = {k: r for k, r in refs.items() if industry_id in (None, r.industry_id)}
    _overlaps(report, refs, industry_id)
    produced = _produced_subheadings(session)
    in_usd = _usd_total(session)
    for country, coverage in report.coverage.items():
        for item in coverage.items:
            ref = chosen.get(item.item_id)
            if ref is None or ref.country != country:
                continue
            demand = sum(float(y.demand) for y in item.years)
            covered = sum(float(y.covered) for y in item.years)
            share = covered / demand if demand else (1.0 if covered else 0.0)
            producers = tuple(sorted({s.enterprise for y in item.years for s in y.supplies}))
            usd = in_usd(item)
            gap = False
            if item.verdict is not Verdict.NOT and covered > 0:
                report.complements.append(Complement(ref, item.verdict, share, producers))
            elif not _produced(ref.code, produced):
                gap = True
                report.gaps.append(Gap(ref, demand, item.unit, usd))
            report.lines.append(
                Line(ref, item.verdict, share, demand, item.unit, usd, producers, gap)
            )
    report.complements.sort(key=lambda c: (c.item.country, c.item.program, c.item.position))
    report.lines.sort(key=lambda x: (x.item.country, x.item.program, x.item.position))
    # the largest first by money: quantities in pieces and tonnes cannot be ranked together
    report.gaps.sort(
        key=lambda g: (g.value_usd is None, -(g.value_usd or 0.0), g.item.program, g.item.position)
    )
    report.trajectory = _trajectory(report, solved, industry_id)
    return report


def _trajectory(
    report: SyncReport, solved: Scenarios, industry_id: int | None
) -> list[TrajectoryPoint]:
    points = []
    for country in ("BY", "RU"):
        keep = report.keep(country, industry_id)
        years = sorted({y.year for c in solved.values() for y in c[country].rows(keep)})
        for year in years:
            shares = {
                scenario: quantity_share(by_country[country].rows(keep, year))
                for scenario, by_country in solved.items()
            }
            points.append(TrajectoryPoint(country, year, shares))
    return points


def _usd_total(session: Session) -> Callable[[ItemCoverage], float | None]:
    """An item's demand value over all years in US dollars, each year at its own rate or, for
    a year without rates on file (programs plan years ahead), at the latest earlier year's
    (else the earliest later one's); None when the program gives no value or no rate is on
    file at all. The factors are looked up once per currency and year."""
    factors: dict[tuple[Currency, int], float | None] = {}
    on_file = list(
        session.scalars(select(ExchangeRate.year).distinct().order_by(ExchangeRate.year))
    )

    def factor_of(currency: Currency, year: int) -> float | None:
        earlier = [y for y in on_file if y <= year]
        for candidate in [year, *reversed(earlier), *(y for y in on_file if y > year)]:
            try:
                return float(rate_factor(session, currency, Currency.USD, candidate)[0])
            except MissingRateError:
                continue
        return None

    def total(item: ItemCoverage) -> float | None:
        amount = 0.0
        valued = False
        for year in item.years:
            if year.value is None:
                continue
            key = (year.value.currency, year.year)
            if key not in factors:
                factors[key] = factor_of(*key)
            factor = factors[key]
            if factor is None:
                return None
            amount += float(year.value.amount) * factor
            valued = True
        return amount if valued else None

    return total


def rate_converter(session: Session) -> Converter:
    """Amounts into another currency at the year's rate from the rate tables (issue 8's)."""

    def converted(money: Money, year: int, to: Currency) -> Money:
        return convert(session, money, year, to).money

    return converted


def _overlaps(report: SyncReport, refs: dict[int, ItemRef], industry_id: int | None) -> None:
    by_code: dict[str, dict[str, list[ItemRef]]] = defaultdict(lambda: defaultdict(list))
    for ref in refs.values():
        if ref.code and len(ref.code) >= SUBHEADING:
            by_code[ref.code[:SUBHEADING]][ref.country].append(ref)
    for code, sides in sorted(by_code.items()):
        if sides.get("BY") and sides.get("RU"):
            overlap = Overlap(code, tuple(sides["BY"]), tuple(sides["RU"]))
            if industry_id is None or industry_id in overlap.industry_ids:
                report.overlaps.append(overlap)


def _produced_subheadings(session: Session) -> tuple[set[str], set[str]]:
    """What enterprises of either country list capabilities under: every prefix (chapter to
    subheading) of their codes, and the codes given shorter than a subheading."""
    codes = [
        c
        for c in session.scalars(
            select(Capability.tnved_code).where(Capability.tnved_code.is_not(None))
        )
        if c
    ]
    prefixes = {c[:n] for c in codes for n in range(2, min(len(c), SUBHEADING) + 1)}
    return prefixes, {c for c in codes if len(c) < SUBHEADING}


def _produced(code: str | None, produced: tuple[set[str], set[str]]) -> bool:
    """Some capability falls under the item's code at their deepest common level: an item
    coded to a heading (8482) is produced by any capability under it; a capability coded to a
    heading produces every item under it."""
    if not code:
        return False
    prefixes, short = produced
    return code[:SUBHEADING] in prefixes or any(code[:n] in short for n in range(2, SUBHEADING))


# raised when the shape of a stored result changes, so that results pickled by an older release
# are computed again instead of unpickled into objects without the new fields
RESULT_FORMAT = 3


def coverage_version(session: Session) -> tuple[object, ...]:
    """Changes whenever a coverage answer could: matches, decisions, programs, items,
    organizations, capabilities, passports and their products (see `core.shared`)."""
    return ("coverage", RESULT_FORMAT, data_version(session, "coverage"))


def cached_coverages(
    holder: Any, session: Session, actor: Principal, scenarios: Sequence[Scenario] = tuple(Scenario)
) -> Scenarios:
    """Both countries' allocations in each scenario, for the current data version.

    With `holder.shared` (the application's `SharedResults`) they are computed once per version
    by one worker and shared by all (see `core.shared`); otherwise kept on
    `holder.coverage_cache`. Solved again only when matches, decisions, items, capabilities or
    passports changed (the pages are opened far more often than matches change)."""
    require(actor, Action.VIEW, Kind.PROGRAM)
    require(actor, Action.VIEW, Kind.MATCH)
    version = coverage_version(session)

    def solve(scenario: Scenario) -> dict[str, Coverage]:
        return {c: coverage_of_country(session, actor, c, scenario) for c in PARTNER}

    shared = getattr(holder, "shared", None)
    if shared is not None:
        stamp = version_of(version)
        return {
            s: shared.get(f"coverage:{s.value}", stamp, lambda s=s: solve(s), background=True)
            for s in scenarios
        }
    cached = getattr(holder, "coverage_cache", None)
    if cached is None or cached[0] != version:
        cached = holder.coverage_cache = (version, {})
    solved: Scenarios = cached[1]
    for scenario in scenarios:
        if scenario not in solved:
            solved[scenario] = solve(scenario)
    return {scenario: solved[scenario] for scenario in scenarios}


def cached_industry_shares(
    holder: Any, session: Session, actor: Principal
) -> list[tuple[int, float | None, float | None]]:
    """`industry_shares` of today's producers, shared like the allocations (the overview)."""
    today = cached_coverages(holder, session, actor, (Scenario.EXISTING,))
    shared = getattr(holder, "shared", None)
    if shared is None:
        return industry_shares(session, actor, today)
    stamp = version_of(coverage_version(session))
    shares: list[tuple[int, float | None, float | None]] = shared.get(
        "overview:industry-shares",
        stamp,
        lambda: industry_shares(session, actor, today),
        background=True,
    )
    return shares


def cached_sync_report(
    holder: Any, session: Session, actor: Principal, industry_id: int | None = None
) -> SyncReport:
    """`synchronise` over the shared allocations, itself shared per industry filter (the
    synchronisation page is the most visited heavy page)."""
    scenarios = cached_coverages(holder, session, actor)
    shared = getattr(holder, "shared", None)
    if shared is None:
        return synchronise(session, actor, industry_id, scenarios)
    stamp = version_of(coverage_version(session))
    key = f"sync:{industry_id if industry_id is not None else 'all'}"

    def solve() -> SyncReport:  # kept without its converter, which is bound to this session
        return replace(synchronise(session, actor, industry_id, scenarios), converter=None)

    stored: SyncReport = shared.get(key, stamp, solve, background=industry_id is None)
    return replace(stored, converter=rate_converter(session))


def industry_shares(
    session: Session, actor: Principal, scenarios: Scenarios | None = None
) -> list[tuple[int, float | None, float | None]]:
    """Per industry: the covered share of Belarusian and of Russian demand."""
    report = synchronise(session, actor, None, scenarios)
    return [(i, report.share("BY", i), report.share("RU", i)) for i in report.industries()]
