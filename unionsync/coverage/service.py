"""Coverage of one country's program demand by the partner's producers, item by item and year by
year, through the matches reviewers accepted (or the engine accepted and nobody rejected).

All programs of the country are allocated together, because a producer's capacity is shared by
every item matched to it, whichever program the item belongs to. A producer's yearly capacity is
its available capacity when given, else its capacity. Quantities are converted to the item's
unit; a match whose units are of different kinds (pieces and tonnes) is left out of the LP and
reported as needing a unit conversion, naming both units.

Arc costs come from the match confidence and the price: a doubtful match costs up to eleven times
a sure one, and among the producers of one item the cheaper is preferred (its price per unit of
the item relative to the median of the item's offers in the same currency, kept within ½–2×, so
no exchange rate is needed and every item's costs stay on one scale below the unmet penalty).

Scenarios add the products of joint-project passports: a product made in the partner country
supplies the item it was drafted from (as a sure match) and the items under the same code (0.9)
or subheading (0.75) from its start year on, so the coverage can be followed year by year as the
projects complete.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

import numpy as np
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from unionsync.access.policy import Action, Kind, Principal, require
from unionsync.catalog.models import Capability, Program, ProgramItem
from unionsync.core.batches import batches
from unionsync.core.errors import NotFoundError
from unionsync.core.money import Currency, Money
from unionsync.coverage.allocation import Problem, Verdict, solve
from unionsync.matching.models import Decision, Match
from unionsync.matching.scoring import Band
from unionsync.passports.models import (
    RECONCILED_OR_LATER,
    Passport,
    PassportProduct,
    PassportStatus,
)
from unionsync.reference.countries import PARTNER
from unionsync.reference.units import convert, convertible, unit_by_code

SUBHEADING = 6  # digits of a TN VED code under which a passport product supplies an item


class Scenario(StrEnum):
    """Which supply counts: today's producers, plus the products of passports."""

    EXISTING = "existing"
    RECONCILED = "reconciled"  # passports reconciled or later (committed projects)
    ALL = "all"  # every passport not cancelled, those in preparation too


SCENARIO_STATUSES: dict[Scenario, frozenset[PassportStatus]] = {
    Scenario.EXISTING: frozenset(),
    Scenario.RECONCILED: RECONCILED_OR_LATER,
    Scenario.ALL: frozenset(PassportStatus) - {PassportStatus.CANCELLED},
}


@dataclass(frozen=True, slots=True)
class Supply:
    """What one producer (or a passport's planned product) delivers to one item in one year,
    in the item's unit."""

    capability_id: int | None
    enterprise: str
    product: str
    quantity: Decimal
    probability: float
    passport_id: int | None = None
    passport_number: str | None = None
    enterprise_id: int | None = None
    passport_product_id: int | None = None  # which of the passport's products


@dataclass(slots=True)
class ItemYear:
    year: int
    demand: Decimal
    covered: Decimal
    verdict: Verdict
    supplies: list[Supply] = field(default_factory=list)
    value: Money | None = None  # of the whole demand of the year, as the program gives it

    @property
    def gap(self) -> Decimal:
        return self.demand - self.covered

    @property
    def covered_value(self) -> Money | None:
        """The value of the covered part (the demand's value in proportion)."""
        if self.value is None:
            return None
        if self.demand <= 0:
            return self.value
        share = self.covered / self.demand
        return Money.of((self.value.amount * share).quantize(Decimal("0.01")), self.value.currency)


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


# converts an amount of one year into another currency (the trade module's rate tables)
Converter = Callable[[Money, int, Currency], Money]


@dataclass(slots=True)
class Coverage:
    country: str
    against: str
    items: list[ItemCoverage]
    solve_seconds: float
    scenario: Scenario = Scenario.EXISTING

    def for_program(self, program_id: int) -> list[ItemCoverage]:
        return [i for i in self.items if i.program_id == program_id]

    def rows(
        self, keep: Callable[[ItemCoverage], bool] | None = None, year: int | None = None
    ) -> list[ItemYear]:
        return [
            y
            for i in self.items
            if keep is None or keep(i)
            for y in i.years
            if year in (None, y.year)
        ]

    def share(self, program_id: int | None = None) -> float | None:
        """Covered share of the demanded quantity, line by line (see `quantity_share`)."""
        return quantity_share(self.rows(_program_filter(program_id)))

    def value_share(
        self, program_id: int | None = None, converter: Converter | None = None
    ) -> float | None:
        """Covered share of the demand's value."""
        return value_share(self.rows(_program_filter(program_id)), converter)

    def item(self, item_id: int) -> ItemCoverage | None:
        return next((i for i in self.items if i.item_id == item_id), None)


def _program_filter(program_id: int | None) -> Callable[[ItemCoverage], bool] | None:
    if program_id is None:
        return None
    return lambda item: item.program_id == program_id


def quantity_share(rows: Sequence[ItemYear]) -> float | None:
    """The covered fraction of each demand line's quantity, averaged over the lines (an item in
    a year): quantities in different units (pieces, tonnes) cannot be added, so every line
    counts once; `value_share` weighs them by money instead. None when nothing is demanded."""
    fractions = [float(y.covered / y.demand) for y in rows if y.demand > 0]
    if not fractions:
        return None
    return sum(fractions) / len(fractions)


def value_share(rows: Sequence[ItemYear], converter: Converter | None = None) -> float | None:
    """Covered over demanded value, over the rows whose value the program gives. Values in one
    currency are compared as they are; several currencies need `converter` (each row is taken
    into the first row's currency at its own year's rate), else the answer is None."""
    valued = [y for y in rows if y.value is not None]
    if not valued:
        return None
    currencies = {y.value.currency for y in valued if y.value is not None}
    target = next(iter(sorted(currencies)))
    if len(currencies) > 1 and converter is None:
        return None
    total = covered = Decimal(0)
    for row in valued:
        assert row.value is not None and row.covered_value is not None
        value, part = row.value, row.covered_value
        if value.currency != target and converter is not None:
            value = converter(value, row.year, target)
            part = converter(part, row.year, target)
        total += value.amount
        covered += part.amount
    return float(covered / total) if total else None


def accepted_matches(session: Session, item_ids: Sequence[int]) -> list[Match]:
    """Matches a reviewer accepted, or the engine accepted and nobody rejected (read in
    batches of items, so that 10^5 items never exceed a statement's parameter limit)."""
    found: list[Match] = []
    for batch in batches(item_ids):
        found += session.scalars(
            select(Match)
            .where(
                Match.item_id.in_(batch),
                or_(
                    Match.decision == Decision.ACCEPTED,
                    (Match.band == Band.ACCEPT) & Match.decision.is_(None),
                ),
            )
            .options(joinedload(Match.capability).joinedload(Capability.enterprise))
        ).unique()
    return found


@dataclass(frozen=True, slots=True)
class _Source:
    """A node of supply: an enterprise's capability, or a passport's planned product."""

    capability_id: int | None
    passport_id: int | None
    passport_number: str | None
    enterprise: str
    product: str
    unit: str
    capacity: Decimal
    start_year: int | None  # capacity only from this year on (passport products)
    price: Money | None
    enterprise_id: int | None
    passport_product_id: int | None = None

    def capacity_in(self, year: int) -> Decimal:
        if self.start_year is not None and year < self.start_year:
            return Decimal(0)
        return self.capacity


@dataclass(frozen=True, slots=True)
class _Arc:
    item: int  # index into the items
    source: tuple[str, int]
    probability: float
    factor: Decimal  # item units per unit of the source
    cost: float = 1.0


def coverage_of_country(
    session: Session,
    actor: Principal,
    country: str,
    scenario: Scenario = Scenario.EXISTING,
) -> Coverage:
    """Every program of `country` allocated against the partner's capabilities (and, in a
    scenario, the partner-made products of passports)."""
    require(actor, Action.VIEW, Kind.PROGRAM)
    require(actor, Action.VIEW, Kind.MATCH)
    items = session.scalars(
        select(ProgramItem)
        .join(Program)
        .where(Program.country_code == country)
        .options(selectinload(ProgramItem.demands))
        .order_by(ProgramItem.program_id, ProgramItem.position)
    ).all()
    result = [
        ItemCoverage(i.id, i.program_id, i.position, i.name_ru, i.tnved_code, i.unit_okei)
        for i in items
    ]
    sources: dict[tuple[str, int], _Source] = {}
    arcs: list[_Arc] = []
    by_item: dict[int, list[Match]] = defaultdict(list)
    for match in accepted_matches(session, [i.id for i in items]):
        by_item[match.item_id].append(match)
    for index, item in enumerate(items):
        for match in by_item[item.id]:
            capability = match.capability
            key = ("capability", capability.id)
            sources[key] = _Source(
                capability.id,
                None,
                None,
                capability.enterprise.name,
                capability.product_name,
                capability.unit_okei,
                _yearly_capacity(capability),
                None,
                capability.price,
                capability.enterprise_id,
            )
            _link(result[index], item, sources[key], key, match.probability, arcs, index)
    if scenario is not Scenario.EXISTING:
        _passport_arcs(session, items, result, country, scenario, sources, arcs)
    _price_costs(sources, arcs)
    years = sorted({d.year for i in items for d in i.demands})
    seconds = 0.0
    for year in years:
        seconds += _allocate_year(year, items, result, arcs, sources)
    return Coverage(country, PARTNER.get(country, ""), result, seconds, scenario)


def _link(
    coverage: ItemCoverage,
    item: ProgramItem,
    source: _Source,
    key: tuple[str, int],
    probability: float,
    arcs: list[_Arc],
    index: int,
) -> None:
    """An arc from the source to the item, or a note when their units cannot be compared."""
    if not convertible(source.unit, item.unit_okei):
        coverage.needs_conversion.append(
            f"{_unit(item.unit_okei)} ↔ {_unit(source.unit)}: {source.enterprise}, {source.product}"
        )
        return
    factor = convert(Decimal(1), source.unit, item.unit_okei)
    arcs.append(_Arc(index, key, probability, factor))


def _passport_arcs(
    session: Session,
    items: Sequence[ProgramItem],
    result: list[ItemCoverage],
    country: str,
    scenario: Scenario,
    sources: dict[tuple[str, int], _Source],
    arcs: list[_Arc],
) -> None:
    """Products of passports in the scenario's states, made in the partner country, linked to
    the item they were drafted from (sure) or to items under the same code (full code: 0.9,
    subheading: 0.75)."""
    products = session.scalars(
        select(PassportProduct)
        .join(Passport)
        .where(
            Passport.status.in_(SCENARIO_STATUSES[scenario]),
            PassportProduct.country_code == PARTNER.get(country, ""),
        )
        .options(joinedload(PassportProduct.passport), joinedload(PassportProduct.producer))
        .order_by(PassportProduct.id)
    ).all()
    by_subheading: dict[str, list[int]] = defaultdict(list)
    index_of = {item.id: index for index, item in enumerate(items)}
    for index, item in enumerate(items):
        if item.tnved_code and len(item.tnved_code) >= SUBHEADING:
            by_subheading[item.tnved_code[:SUBHEADING]].append(index)
    for product in products:
        key = ("passport", product.id)
        passport = product.passport
        sources[key] = _Source(
            None,
            passport.id,
            passport.number,
            product.producer.name if product.producer else passport.number,
            product.name_ru,
            product.unit_okei,
            product.capacity_per_year,
            product.start_year,
            None,
            product.producer_id,
            product.id,
        )
        linked: dict[int, float] = {}
        code = product.tnved_code or ""
        if len(code) >= SUBHEADING:
            for index in by_subheading.get(code[:SUBHEADING], []):
                linked[index] = 0.9 if items[index].tnved_code == code else 0.75
        if product.source_item_id in index_of:
            linked[index_of[product.source_item_id]] = 1.0
        for index, probability in sorted(linked.items()):
            _link(result[index], items[index], sources[key], key, probability, arcs, index)


def _price_costs(sources: dict[tuple[str, int], _Source], arcs: list[_Arc]) -> None:
    """Each arc's cost from its confidence and its price relative to the item's other offers."""
    unit_prices: dict[tuple[int, Currency], list[float]] = defaultdict(list)
    for arc in arcs:
        price = sources[arc.source].price
        if price is not None and price.amount > 0:
            unit_prices[(arc.item, price.currency)].append(float(price.amount / arc.factor))
    for n, arc in enumerate(arcs):
        relative = 1.0
        price = sources[arc.source].price
        if price is not None and price.amount > 0:
            median = statistics.median(unit_prices[(arc.item, price.currency)])
            relative = min(2.0, max(0.5, float(price.amount / arc.factor) / median))
        cost = (1.0 + 10.0 * (1.0 - arc.probability)) * relative
        arcs[n] = _Arc(arc.item, arc.source, arc.probability, arc.factor, cost)


def _allocate_year(
    year: int,
    items: Sequence[ProgramItem],
    result: list[ItemCoverage],
    arcs: list[_Arc],
    sources: dict[tuple[str, int], _Source],
) -> float:
    """One year's LP. Flows are in the source's unit, so capacity rows stay in the producer's
    own unit; each demand row counts the fraction of the line covered (the arc converts the
    flow into the item's unit and divides by the demand). So every line weighs the same
    whatever its unit or size, the LP maximises the summed covered fractions (what
    `quantity_share` reports), and an arc's cost is per whole line, comparable across items."""
    demands = {index: d for index, item in enumerate(items) for d in item.demands if d.year == year}
    entries: dict[int, ItemYear] = {}
    for index, demand in demands.items():
        if demand.quantity <= 0:  # nothing to cover: trivially satisfied
            entries[index] = ItemYear(year, demand.quantity, Decimal(0), Verdict.FULLY)
    lines = sorted(i for i in demands if i not in entries)
    if not lines:
        for index in sorted(entries):
            result[index].years.append(entries[index])
        return 0.0
    demand_index = {index: n for n, index in enumerate(lines)}
    used = [a for a in arcs if a.item in demand_index and sources[a.source].capacity_in(year) > 0]
    source_index = {key: n for n, key in enumerate(sorted({a.source for a in used}))}
    per_line = np.array(
        [float(a.factor / demands[a.item].quantity) for a in used], dtype=np.float64
    )
    problem = Problem(
        np.ones(len(lines), dtype=np.float64),
        np.array([float(sources[k].capacity_in(year)) for k in source_index], dtype=np.float64),
        np.array([demand_index[a.item] for a in used], dtype=np.int64),
        np.array([source_index[a.source] for a in used], dtype=np.int64),
        np.array([a.cost for a in used], dtype=np.float64) * per_line,
        per_line,
    )
    solution = solve(problem)
    verdicts = solution.verdicts(problem.demand)
    for index in lines:
        n, demand = demand_index[index], demands[index]
        need = demand.quantity
        unmet = Decimal(str(round(float(solution.unmet[n]) * float(need), 3)))
        covered = max(Decimal(0), min(need, need - unmet))
        entries[index] = ItemYear(year, need, covered, verdicts[n], value=demand.value)
    for index in sorted(entries):
        result[index].years.append(entries[index])
    for arc, flow in zip(used, solution.flow, strict=True):
        if flow > 1e-9:
            source = sources[arc.source]
            entries[arc.item].supplies.append(
                Supply(
                    source.capability_id,
                    source.enterprise,
                    source.product,
                    Decimal(str(round(float(flow) * float(arc.factor), 3))),
                    arc.probability,
                    source.passport_id,
                    source.passport_number,
                    source.enterprise_id,
                    source.passport_product_id,
                )
            )
    return solution.solve_seconds


def _yearly_capacity(capability: Capability) -> Decimal:
    if capability.available_capacity is not None:
        return capability.available_capacity
    return capability.capacity_per_year


def _unit(code: str) -> str:
    return f"{unit_by_code(code).short_ru} ({code})"


def program_coverage(
    session: Session,
    actor: Principal,
    program_id: int,
    scenario: Scenario = Scenario.EXISTING,
) -> Coverage:
    """The coverage of the program's country, for reading one program's items out of it."""
    program = session.get(Program, program_id)
    if program is None:
        raise NotFoundError("program", program_id)
    return coverage_of_country(session, actor, program.country_code, scenario)
