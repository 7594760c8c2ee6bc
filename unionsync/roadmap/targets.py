"""What the roadmap means for the programs: the items whose covering passport now ends after the
item's target year, and the coverage trajectory as reported.

A passport covers an item as the coverage allocation links them: the passport's product was
drafted from the item, or is made in the partner country under the item's 6-digit subheading.
The item is late when the passport's forecast completion (its latest task) falls in a year
after the item's target year; the baseline completion beside it says whether the plan itself
was already late or the slip made it so.

The trajectory as reported takes the allocation with the reconciled passports (the "as
planned" line) and scales every passport product's delivery by the share of its planned
capacity the enterprise reported producing that year (at most all of it; nothing reported
counts nothing), for the years up to the last one with any report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from unionsync.access.policy import NotAuthenticatedError, PermissionDeniedError, Principal
from unionsync.catalog.models import Program, ProgramItem
from unionsync.core.shared import data_version, version_of
from unionsync.coverage.service import SUBHEADING, Coverage, ItemCoverage, ItemYear
from unionsync.coverage.sync import coverage_version
from unionsync.passports.models import Passport, PassportProduct, PassportStatus
from unionsync.reference.countries import PARTNER
from unionsync.roadmap.models import OutputReport
from unionsync.roadmap.plan import Plan, forecast
from unionsync.roadmap.service import visible_passports


@dataclass(frozen=True, slots=True)
class LateItem:
    """A program item with a target year and a passport covering it, with the passport's
    forecast and baseline completion (late when the forecast ends after the target year)."""

    item_id: int
    country: str
    program: str
    industry_id: int
    position: int
    name: str
    target_year: int
    passport_id: int
    passport_number: str
    finish: date  # the passport's forecast completion
    baseline_finish: date | None  # and in the latest baseline

    @property
    def late(self) -> bool:
        """The passport's forecast completion falls in a year after the target year."""
        return self.finish.year > self.target_year

    @property
    def slipped_past_target(self) -> bool:
        """The baseline met the target year and the forecast no longer does."""
        return (
            self.late
            and self.baseline_finish is not None
            and self.baseline_finish.year <= self.target_year
        )


def covering_passports(session: Session) -> dict[int, set[int]]:
    """Item id → the live passports whose products cover it (see the module)."""
    items = session.execute(
        select(ProgramItem.id, ProgramItem.tnved_code, Program.country_code).join(Program)
    ).all()
    by_subheading: dict[tuple[str, str], list[int]] = defaultdict(list)
    for item_id, code, country in items:
        if code and len(code) >= SUBHEADING:
            by_subheading[(country, code[:SUBHEADING])].append(item_id)
    found: dict[int, set[int]] = defaultdict(set)
    for passport_id, source_item, code, made_in in session.execute(
        select(
            PassportProduct.passport_id,
            PassportProduct.source_item_id,
            PassportProduct.tnved_code,
            PassportProduct.country_code,
        )
        .join(Passport)
        .where(Passport.status != PassportStatus.CANCELLED)
    ):
        if source_item is not None:
            found[source_item].add(passport_id)
        if code and len(code) >= SUBHEADING:
            for country, partner in PARTNER.items():
                if partner == made_in:
                    for item_id in by_subheading.get((country, code[:SUBHEADING]), []):
                        found[item_id].add(passport_id)
    return found


def late_items(session: Session, plan: Plan, industry_id: int | None = None) -> list[LateItem]:
    """Items (of one industry, or all) whose covering passport in `plan` ends after their
    target year, the worst first (the most years late)."""
    return [x for x in item_targets(session, plan, industry_id) if x.late]


def item_targets(
    session: Session, plan: Plan, industry_id: int | None = None, passport_id: int | None = None
) -> list[LateItem]:
    """Every item with a target year that a passport of `plan` covers (of one industry, or
    covered by one passport), each with that passport's completion; the latest first."""
    finish = plan.passport_finish()
    if passport_id is not None:
        finish = {k: v for k, v in finish.items() if k == passport_id}
    baseline: dict[int, date] = {}
    for t in plan.tasks:
        if t.task.passport_id is not None and t.baseline_finish is not None:
            current = baseline.get(t.task.passport_id)
            baseline[t.task.passport_id] = max(current or t.baseline_finish, t.baseline_finish)
    covering = covering_passports(session)
    wanted = [i for i, passports in covering.items() if passports & finish.keys()]
    if not wanted:
        return []
    numbers = dict(session.execute(select(Passport.id, Passport.number)).all())
    query = (
        select(ProgramItem, Program)
        .join(Program)
        .where(ProgramItem.id.in_(wanted), ProgramItem.target_year.is_not(None))
    )
    if industry_id is not None:
        query = query.where(Program.industry_id == industry_id)
    late = []
    for item, program in session.execute(query):
        target = item.target_year
        assert target is not None  # selected so
        for covered_by in sorted(covering[item.id] & finish.keys()):
            late.append(
                LateItem(
                    item.id,
                    program.country_code,
                    program.code,
                    program.industry_id,
                    item.position,
                    item.name_ru,
                    target,
                    covered_by,
                    numbers[covered_by],
                    finish[covered_by],
                    baseline.get(covered_by),
                )
            )
    late.sort(key=lambda x: (x.target_year - x.finish.year, x.program, x.position, x.passport_id))
    return late


def cached_late_items(
    holder: Any, session: Session, actor: Principal, industry_id: int | None = None
) -> list[LateItem]:
    """`late_items` of today's forecast for the synchronisation page, computed once per version
    of the coverage and roadmap inputs and per day (shared like the allocations, see
    `core.shared`), cut to the passports the actor may see; nothing for an actor who may not
    see the roadmap."""
    try:
        visible = visible_passports(session, actor)
    except (NotAuthenticatedError, PermissionDeniedError):
        return []
    today = datetime.now(UTC).date()

    def solve() -> list[LateItem]:
        return late_items(session, forecast(session, today=today), industry_id)

    shared = getattr(holder, "shared", None)
    if shared is None:
        found = solve()
    else:
        stamp = version_of(
            (coverage_version(session), data_version(session, "roadmap"), today.isoformat())
        )
        found = shared.get(f"late-items:{industry_id or 'all'}", stamp, solve)
    return [x for x in found if visible is None or x.passport_id in visible]


def trajectory_as_reported(
    session: Session,
    actor: Principal,
    planned: dict[str, Coverage],
    keep: Callable[[str], Callable[[ItemCoverage], bool]],
) -> dict[str, list[tuple[int, float]]]:
    """`reported_trajectory` for an actor who sees every passport's roadmap (a bank, who sees
    only the passports it finances, and anyone without the roadmap get none: the line is
    made of every project's reported output)."""
    try:
        if visible_passports(session, actor) is not None:
            return {}
    except (NotAuthenticatedError, PermissionDeniedError):
        return {}
    return reported_trajectory(planned, keep, reported_ratios(session), last_reported_year(session))


def reported_ratios(session: Session) -> dict[tuple[int, int], Decimal]:
    """(passport product id, year) → reported output over the product's planned capacity,
    at most 1, for every year some output of the product was reported."""
    rows = session.execute(
        select(
            PassportProduct.id,
            PassportProduct.capacity_per_year,
            OutputReport.year,
            func.sum(OutputReport.quantity),
        )
        .join(
            OutputReport,
            (OutputReport.passport_id == PassportProduct.passport_id)
            & (OutputReport.product_position == PassportProduct.position),
        )
        .group_by(PassportProduct.id, PassportProduct.capacity_per_year, OutputReport.year)
    ).all()
    ratios = {}
    for product_id, capacity, year, quantity in rows:
        share = Decimal(quantity) / capacity if capacity and capacity > 0 else Decimal(0)
        ratios[(product_id, year)] = min(Decimal(1), share)
    return ratios


def last_reported_year(session: Session) -> int | None:
    year: int | None = session.scalar(select(func.max(OutputReport.year)))
    return year


def _as_reported(row: ItemYear, ratios: dict[tuple[int, int], Decimal]) -> float | None:
    """The row's covered fraction with each passport delivery scaled by its reported share."""
    if row.demand <= 0:
        return None
    covered = row.covered
    for supply in row.supplies:
        if supply.passport_product_id is not None:
            share = ratios.get((supply.passport_product_id, row.year), Decimal(0))
            covered -= supply.quantity * (1 - share)
    return float(max(Decimal(0), covered) / row.demand)


def reported_trajectory(
    planned: dict[str, Coverage],
    keep: Callable[[str], Callable[[ItemCoverage], bool]],
    ratios: dict[tuple[int, int], Decimal],
    last_year: int | None,
) -> dict[str, list[tuple[int, float]]]:
    """Per country, (year, covered share) as reported, from the allocation with the
    reconciled passports (`planned`); `keep(country)` chooses the items (an industry)."""
    lines: dict[str, list[tuple[int, float]]] = {}
    if last_year is None:
        return lines
    for country, coverage in planned.items():
        by_year: dict[int, list[float]] = defaultdict(list)
        for row in coverage.rows(keep(country)):
            if row.year <= last_year and (fraction := _as_reported(row, ratios)) is not None:
                by_year[row.year].append(fraction)
        lines[country] = [(y, sum(f) / len(f)) for y, f in sorted(by_year.items())]
    return lines
