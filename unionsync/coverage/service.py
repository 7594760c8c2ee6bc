"""Coverage of one country's program demand by the partner's producers, item by item and year by
year, through the matches reviewers accepted (or the engine accepted and nobody rejected).

All programs of the country are allocated together, because a producer's capacity is shared by
every item matched to it, whichever program the item belongs to. A producer's yearly capacity is
its available capacity when given, else its capacity. Quantities are converted to the item's
unit; a match whose units are of different kinds (pieces and tonnes) is left out of the LP and
reported as needing a unit conversion, naming both units.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from unionsync.access.policy import Action, Kind, Principal, require
from unionsync.catalog.models import Capability, Program, ProgramItem
from unionsync.core.errors import NotFoundError
from unionsync.coverage.allocation import Problem, Verdict, solve
from unionsync.matching.models import Decision, Match
from unionsync.matching.scoring import Band
from unionsync.reference.countries import PARTNER
from unionsync.reference.units import convert, convertible, unit_by_code


@dataclass(frozen=True, slots=True)
class Supply:
    """What one producer delivers to one item in one year (in the item's unit)."""

    capability_id: int
    enterprise: str
    product: str
    quantity: Decimal
    probability: float


@dataclass(slots=True)
class ItemYear:
    year: int
    demand: Decimal
    covered: Decimal
    verdict: Verdict
    supplies: list[Supply] = field(default_factory=list)

    @property
    def gap(self) -> Decimal:
        return self.demand - self.covered


@dataclass(slots=True)
class ItemCoverage:
    item_id: int
    program_id: int
    position: int
    name: str
    tnved_code: str | None
    unit: str
    years: list[ItemYear] = field(default_factory=list)
    needs_conversion: list[str] = field(default_factory=list)  # "шт (796) ↔ т (168): producer"

    @property
    def verdict(self) -> Verdict:
        """Over all years: fully only if every year is, not only if no year gets anything."""
        verdicts = {y.verdict for y in self.years}
        if not verdicts or verdicts == {Verdict.FULLY}:
            return Verdict.FULLY if verdicts else Verdict.NOT
        return Verdict.NOT if verdicts == {Verdict.NOT} else Verdict.PARTLY


@dataclass(slots=True)
class Coverage:
    country: str
    against: str
    items: list[ItemCoverage]
    solve_seconds: float

    def for_program(self, program_id: int) -> list[ItemCoverage]:
        return [i for i in self.items if i.program_id == program_id]

    def share(self, program_id: int | None = None) -> float | None:
        """Covered share of the demanded quantity (items in their own units, summed as shares
        weighted by demand: quantities of different units are never added)."""
        rows = [y for i in self.items if program_id in (None, i.program_id) for y in i.years]
        total = sum((y.demand for y in rows), Decimal(0))
        if total == 0:
            return None
        return float(sum((y.covered for y in rows), Decimal(0)) / total)


def accepted_matches(session: Session, item_ids: Sequence[int]) -> list[Match]:
    """Matches a reviewer accepted, or the engine accepted and nobody rejected."""
    return list(
        session.scalars(
            select(Match)
            .where(
                Match.item_id.in_(item_ids),
                or_(
                    Match.decision == Decision.ACCEPTED,
                    (Match.band == Band.ACCEPT) & Match.decision.is_(None),
                ),
            )
            .options(joinedload(Match.capability).joinedload(Capability.enterprise))
        ).unique()
    )


def coverage_of_country(session: Session, actor: Principal, country: str) -> Coverage:
    """Every program of `country` allocated against the partner's capabilities."""
    require(actor, Action.VIEW, Kind.PROGRAM)
    require(actor, Action.VIEW, Kind.MATCH)
    items = session.scalars(
        select(ProgramItem)
        .join(Program)
        .where(Program.country_code == country)
        .options(selectinload(ProgramItem.demands))
        .order_by(ProgramItem.program_id, ProgramItem.position)
    ).all()
    matches = accepted_matches(session, [i.id for i in items])
    by_item: dict[int, list[Match]] = defaultdict(list)
    for match in matches:
        by_item[match.item_id].append(match)
    result = [
        ItemCoverage(i.id, i.program_id, i.position, i.name_ru, i.tnved_code, i.unit_okei)
        for i in items
    ]
    arcs: list[tuple[int, int, float, Decimal]] = []  # item index, capability id, cost, factor
    for index, item in enumerate(items):
        for match in by_item[item.id]:
            capability = match.capability
            if not convertible(capability.unit_okei, item.unit_okei):
                result[index].needs_conversion.append(
                    f"{_unit(item.unit_okei)} ↔ {_unit(capability.unit_okei)}: "
                    f"{capability.enterprise.name}, {capability.product_name}"
                )
                continue
            factor = convert(Decimal(1), capability.unit_okei, item.unit_okei)
            arcs.append((index, capability.id, 1.0 + 10.0 * (1.0 - match.probability), factor))
    capabilities = {m.capability_id: m.capability for m in matches}
    probability = {(m.item_id, m.capability_id): m.probability for m in matches}
    years = sorted({d.year for i in items for d in i.demands})
    seconds = 0.0
    for year in years:
        seconds += _allocate_year(year, items, result, arcs, capabilities, probability)
    return Coverage(country, PARTNER.get(country, ""), result, seconds)


def _allocate_year(
    year: int,
    items: Sequence[ProgramItem],
    result: list[ItemCoverage],
    arcs: list[tuple[int, int, float, Decimal]],
    capabilities: dict[int, Capability],
    probability: dict[tuple[int, int], float],
) -> float:
    """One year's LP; capacities are expressed per arc in the item's unit (each arc converts
    the producer's unit), so capacity rows are kept in the producer's own unit."""
    demand_of = {
        index: d.quantity
        for index, item in enumerate(items)
        for d in item.demands
        if d.year == year
    }
    if not demand_of:
        return 0.0
    demand_index = {index: n for n, index in enumerate(sorted(demand_of))}
    used = [a for a in arcs if a[0] in demand_index]
    capability_index = {cap: n for n, cap in enumerate(sorted({a[1] for a in used}))}
    capacity = np.array(
        [float(_yearly_capacity(capabilities[cap])) for cap in capability_index], dtype=np.float64
    )
    # flow variables are in the producer's unit: demand rows convert them with the factor
    problem = Problem(
        np.array([float(demand_of[i]) for i in sorted(demand_of)], dtype=np.float64),
        capacity,
        np.array([demand_index[a[0]] for a in used], dtype=np.int64),
        np.array([capability_index[a[1]] for a in used], dtype=np.int64),
        np.array([a[2] for a in used], dtype=np.float64),
        np.array([float(a[3]) for a in used], dtype=np.float64),
    )
    solution = solve(problem)
    verdicts = solution.verdicts(problem.demand)
    entries: dict[int, ItemYear] = {}
    for index in sorted(demand_of):
        n = demand_index[index]
        need = demand_of[index]
        unmet = Decimal(str(round(float(solution.unmet[n]), 3)))
        covered = max(Decimal(0), min(need, need - unmet))
        entries[index] = ItemYear(year, need, covered, verdicts[n])
        result[index].years.append(entries[index])
    for (index, cap, _cost, factor), flow in zip(used, solution.flow, strict=True):
        if flow > 1e-9:
            capability = capabilities[cap]
            entries[index].supplies.append(
                Supply(
                    cap,
                    capability.enterprise.name,
                    capability.product_name,
                    Decimal(str(round(float(flow) * float(factor), 3))),
                    probability[(items[index].id, cap)],
                )
            )
    return solution.solve_seconds


def _yearly_capacity(capability: Capability) -> Decimal:
    if capability.available_capacity is not None:
        return capability.available_capacity
    return capability.capacity_per_year


def _unit(code: str) -> str:
    return f"{unit_by_code(code).short_ru} ({code})"


def program_coverage(session: Session, actor: Principal, program_id: int) -> Coverage:
    """The coverage of the program's country, for reading one program's items out of it."""
    program = session.get(Program, program_id)
    if program is None:
        raise NotFoundError("program", program_id)
    return coverage_of_country(session, actor, program.country_code)
