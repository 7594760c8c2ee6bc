"""Synchronisation of the two countries' programs: overlaps, complements, gaps, timing conflicts.

- An **overlap**: both countries' programs plan the same product (the same TN VED subheading,
  six digits, or deeper when both give more): duplicated effort, or a joint project.
- A **timing conflict**: an overlap whose target years differ.
- A **complement**: one country's demand that the other's existing producers can cover, fully or
  partly (from the coverage allocation).
- A **gap**: demand that nobody can cover: the partner's producers cannot (coverage says "not")
  and no enterprise of either country lists a capability under the item's subheading. A
  candidate for a joint project.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.access.policy import Action, Kind, Principal, require
from unionsync.catalog.models import Capability, Program, ProgramItem
from unionsync.coverage.allocation import Verdict
from unionsync.coverage.service import Coverage, coverage_of_country
from unionsync.reference.countries import PARTNER

SUBHEADING = 6


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


@dataclass(slots=True)
class SyncReport:
    industry_id: int | None
    overlaps: list[Overlap] = field(default_factory=list)
    complements: list[Complement] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    coverage: dict[str, Coverage] = field(default_factory=dict)

    @property
    def timing_conflicts(self) -> list[Overlap]:
        return [o for o in self.overlaps if o.timing_conflict]

    programs: dict[int, tuple[str, int]] = field(default_factory=dict)  # id → country, industry

    def share(self, country: str, industry_id: int | None = None) -> float | None:
        """Covered share of a country's demanded quantity (one industry, or all)."""
        coverage = self.coverage.get(country)
        if coverage is None:
            return None
        rows = [
            y
            for i in coverage.items
            if self.programs.get(i.program_id, ("", 0))[0] == country
            and industry_id in (None, self.programs[i.program_id][1])
            for y in i.years
        ]
        total = sum(float(y.demand) for y in rows)
        return sum(float(y.covered) for y in rows) / total if total else None

    def industries(self) -> list[int]:
        """The industries with program demand, in id order."""
        return sorted({industry for _country, industry in self.programs.values()})


def synchronise(
    session: Session,
    actor: Principal,
    industry_id: int | None = None,
    coverages: dict[str, Coverage] | None = None,
) -> SyncReport:
    """The synchronisation report over both countries (optionally one industry); `coverages`
    reuses both countries' allocations when they are already solved."""
    report = SyncReport(industry_id)
    report.coverage = coverages or {
        country: coverage_of_country(session, actor, country) for country in ("BY", "RU")
    }
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
    for country, coverage in report.coverage.items():
        for item in coverage.items:
            ref = chosen.get(item.item_id)
            if ref is None or ref.country != country:
                continue
            demand = sum(float(y.demand) for y in item.years)
            covered = sum(float(y.covered) for y in item.years)
            if item.verdict is not Verdict.NOT and covered > 0:
                producers = tuple(sorted({s.enterprise for y in item.years for s in y.supplies}))
                report.complements.append(
                    Complement(ref, item.verdict, covered / demand if demand else 1.0, producers)
                )
            elif not (ref.code and ref.code[:SUBHEADING] in produced):
                report.gaps.append(Gap(ref, demand, item.unit))
    report.complements.sort(key=lambda c: (c.item.country, c.item.program, c.item.position))
    report.gaps.sort(key=lambda g: (-g.demand_total, g.item.program, g.item.position))
    return report


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


def _produced_subheadings(session: Session) -> set[str]:
    """Subheadings under which an enterprise of either country lists a capability."""
    codes = session.scalars(
        select(Capability.tnved_code).where(Capability.tnved_code.is_not(None))
    ).all()
    return {c[:SUBHEADING] for c in codes if c and len(c) >= SUBHEADING}


def coverage_version(session: Session) -> tuple[object, ...]:
    """Changes whenever a coverage answer could: matches, decisions, items, capabilities."""
    from sqlalchemy import func

    from unionsync.catalog.models import ProgramItemDemand
    from unionsync.matching.models import Match

    return tuple(
        session.execute(
            select(
                select(func.count(Match.id)).scalar_subquery(),
                select(func.max(Match.id)).scalar_subquery(),
                select(func.max(Match.decided_at)).scalar_subquery(),
                select(func.max(ProgramItem.updated_at)).scalar_subquery(),
                select(func.max(Capability.updated_at)).scalar_subquery(),
                select(func.count(ProgramItemDemand.id)).scalar_subquery(),
            )
        ).one()
    )


def cached_coverages(holder: Any, session: Session, actor: Principal) -> dict[str, Coverage]:
    """Both countries' allocations, kept on `holder.coverage_cache` (the application's state)
    with the data version they were solved for: solved again only when matches, decisions,
    items or capabilities changed (the LPs take about a second on the demo; the overview and the
    synchronisation page are opened far more often than matches change)."""
    require(actor, Action.VIEW, Kind.PROGRAM)
    require(actor, Action.VIEW, Kind.MATCH)
    version = coverage_version(session)
    cached = getattr(holder, "coverage_cache", None)
    if cached is not None and cached[0] == version:
        found: dict[str, Coverage] = cached[1]
        return found
    coverages = {country: coverage_of_country(session, actor, country) for country in PARTNER}
    holder.coverage_cache = (version, coverages)
    return coverages


def industry_shares(
    session: Session, actor: Principal, coverages: dict[str, Coverage] | None = None
) -> list[tuple[int, float | None, float | None]]:
    """Per industry: the covered share of Belarusian and of Russian demand."""
    report = synchronise(session, actor, None, coverages)
    return [(i, report.share("BY", i), report.share("RU", i)) for i in report.industries()]
