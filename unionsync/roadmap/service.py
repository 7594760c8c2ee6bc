"""The roadmap with access applied: reading the forecast (a bank: its passports' tasks only),
tasks added and changed by hand, dependencies (a cycle refused by name), baselines, and the
output enterprises report.

Derived tasks keep their planned dates from their source (a tender's period is changed on the
tender); on the roadmap they take actual dates, progress and three-point estimates. A task added
by hand is changed here in every field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from unionsync.access.audit import record
from unionsync.access.models import Side
from unionsync.access.policy import Action, Kind, Principal, require
from unionsync.core.errors import ConflictError, DomainValidationError, FieldError, NotFoundError
from unionsync.core.messages import N_, Message
from unionsync.core.money import Currency
from unionsync.passports.models import Passport
from unionsync.passports.service import financed_by, financiers
from unionsync.roadmap.cpm import Dependency, Link, Network
from unionsync.roadmap.models import (
    Baseline,
    OutputReport,
    RoadmapDependency,
    RoadmapTask,
    TaskKind,
    TaskSource,
)
from unionsync.roadmap.plan import Plan, forecast, save_baseline


def _problem(field: str, text: str, **params: object) -> FieldError:
    """A field's problem in words a page shows in its reader's language."""
    return FieldError.explained(field, Message(text, **params))


def visible_passports(session: Session, actor: Principal) -> set[int] | None:
    """The passports whose tasks a bank sees (None: every task)."""
    if actor.side is Side.BANK and not actor.system:
        require(actor, Action.VIEW, Kind.ROADMAP, financiers=[actor.organization_id or 0])
        return set(session.scalars(financed_by(actor.organization_id or 0)))
    require(actor, Action.VIEW, Kind.ROADMAP)
    return None


def visible_passport(session: Session, actor: Principal, passport_id: int) -> Passport:
    """A passport whose roadmap the actor may see (a bank: one it finances)."""
    passport = session.get(Passport, passport_id)
    if passport is None:
        raise NotFoundError("passport", passport_id)
    require(actor, Action.VIEW, Kind.ROADMAP, financiers=financiers(passport))
    return passport


def view(
    session: Session, actor: Principal, passport_id: int | None = None, today: date | None = None
) -> Plan:
    """The forecast of the whole roadmap (dependencies across passports count), cut to one
    passport's tasks or to what the actor may see."""
    if passport_id is not None:
        visible_passport(session, actor, passport_id)
        allowed: set[int] | None = {passport_id}
    else:
        allowed = visible_passports(session, actor)
    plan = forecast(session, today=today)
    if allowed is None:
        return plan
    return Plan(
        plan.origin,
        [t for t in plan.tasks if t.task.passport_id in allowed],
        plan.schedule,
        plan.baseline,
    )


def _owner(session: Session, passport_id: int | None) -> tuple[str, str]:
    """Who owns a task of this passport (its initiator's country) and whose calendar counts;
    the Union State level belongs to the Committee (Belarus's calendar)."""
    if passport_id is None:
        return "UNION", "BY"
    passport = session.get(Passport, passport_id)
    if passport is None:
        raise NotFoundError("passport", passport_id)
    country = passport.initiator.country_code
    return country, country


@dataclass(frozen=True, slots=True)
class TaskValues:
    """What a hand-made task holds (and what a change may set)."""

    title: str | None = None
    planned_start: date | None = None
    duration: int | None = None
    optimistic: int | None = None
    pessimistic: int | None = None
    actual_start: date | None = None
    actual_finish: date | None = None
    progress: int | None = None
    note: str | None = None


def _check(task: RoadmapTask) -> None:
    errors = []
    if not 0 <= task.progress <= 100:
        errors.append(_problem("progress", N_("progress is a percentage from 0 to 100")))
    if task.duration < 0 or task.duration > 5000:
        errors.append(_problem("duration", N_("a duration is 0 to 5000 working days")))
    if task.optimistic is not None and task.optimistic > task.duration:
        errors.append(_problem("optimistic", N_("the optimistic estimate exceeds the duration")))
    if task.pessimistic is not None and task.pessimistic < task.duration:
        errors.append(_problem("pessimistic", N_("the pessimistic estimate is below the duration")))
    if (
        task.actual_start is not None
        and task.actual_finish is not None
        and task.actual_finish < task.actual_start
    ):
        errors.append(_problem("actual_finish", N_("the actual finish is before the actual start")))
    today = datetime.now(UTC).date()
    for name in ("actual_start", "actual_finish"):
        value = getattr(task, name)
        if value is not None and value > today:
            errors.append(_problem(name, N_("an actual date cannot be in the future")))
    if errors:
        raise DomainValidationError(errors)


def add_task(
    session: Session, actor: Principal, passport_id: int | None, values: TaskValues
) -> RoadmapTask:
    owner, country = _owner(session, passport_id)
    require(actor, Action.CREATE, Kind.ROADMAP, owner=owner)
    if not values.title or values.planned_start is None or values.duration is None:
        raise DomainValidationError(
            [_problem("title", N_("a task needs a title, a planned start and a duration"))]
        )
    number = (session.scalar(select(func.count()).select_from(RoadmapTask)) or 0) + 1
    key = f"manual:{number}"
    while session.scalar(select(RoadmapTask.id).where(RoadmapTask.key == key)):
        number += 1
        key = f"manual:{number}"
    task = RoadmapTask(
        key=key,
        passport_id=passport_id,
        title=values.title,
        kind=TaskKind.MILESTONE if values.duration == 0 else TaskKind.TASK,
        source=TaskSource.MANUAL,
        country=country,
        owner=owner,
        planned_start=values.planned_start,
        duration=values.duration,
        optimistic=values.optimistic,
        pessimistic=values.pessimistic,
        actual_start=values.actual_start,
        actual_finish=values.actual_finish,
        progress=values.progress or 0,
        note=values.note,
    )
    _check(task)
    session.add(task)
    session.flush()
    return task


def get_task(session: Session, actor: Principal, task_id: int) -> RoadmapTask:
    task = session.get(RoadmapTask, task_id)
    if task is None:
        raise NotFoundError("roadmap task", task_id)
    passport = task.passport
    require(actor, Action.VIEW, Kind.ROADMAP, financiers=financiers(passport) if passport else ())
    return task


PLANNED = ("title", "planned_start", "duration")


def change_task(
    session: Session, actor: Principal, task_id: int, values: TaskValues
) -> RoadmapTask:
    """Record progress, actual dates, estimates; a hand-made task's plan too."""
    task = get_task(session, actor, task_id)
    require(actor, Action.UPDATE, Kind.ROADMAP, owner=task.owner)
    changes = {
        name: getattr(values, name)
        for name in TaskValues.__slots__
        if getattr(values, name) is not None  # left out: unchanged
    }
    planned = sorted(set(changes) & set(PLANNED))
    if planned and task.source is not TaskSource.MANUAL:
        raise ConflictError(
            f"the plan of {task.key} comes from its {task.source.value}: change "
            f"{', '.join(planned)} there"
        )
    for name, value in changes.items():
        setattr(task, name, value)
    if "duration" in changes:
        task.kind = TaskKind.MILESTONE if task.duration == 0 else TaskKind.TASK
    _check(task)
    session.flush()
    return task


def add_dependency(
    session: Session, actor: Principal, before_id: int, after_id: int, link: Link, lag: int
) -> RoadmapDependency:
    """A hand-drawn dependency; refused (422) when it closes a cycle, naming its tasks."""
    before = get_task(session, actor, before_id)
    after = get_task(session, actor, after_id)
    require(actor, Action.UPDATE, Kind.ROADMAP, owner=after.owner)
    if before.id == after.id:
        raise DomainValidationError([_problem("after_id", N_("a task cannot depend on itself"))])
    exists = session.scalar(
        select(RoadmapDependency).where(
            RoadmapDependency.before_id == before.id, RoadmapDependency.after_id == after.id
        )
    )
    if exists is not None:
        raise ConflictError(f"{before.key} → {after.key} exists already")
    keys: dict[int, str] = {
        i: k for i, k in session.execute(select(RoadmapTask.id, RoadmapTask.key))
    }
    links = [
        Dependency(keys[b], keys[a], link_kind, lag_days)
        for b, a, link_kind, lag_days in session.execute(
            select(
                RoadmapDependency.before_id,
                RoadmapDependency.after_id,
                RoadmapDependency.link,
                RoadmapDependency.lag,
            )
        )
    ]
    links.append(Dependency(before.key, after.key, link, lag))
    Network.build([(k, 0) for k in keys.values()], links)  # refuses a cycle by name
    dependency = RoadmapDependency(before_id=before.id, after_id=after.id, link=link, lag=lag)
    session.add(dependency)
    session.flush()
    return dependency


def remove_dependency(session: Session, actor: Principal, dependency_id: int) -> None:
    dependency = session.get(RoadmapDependency, dependency_id)
    if dependency is None:
        raise NotFoundError("dependency", dependency_id)
    after = get_task(session, actor, dependency.after_id)
    require(actor, Action.DELETE, Kind.ROADMAP, owner=after.owner)
    if dependency.derived:
        raise ConflictError("a derived dependency follows its sources: change them instead")
    session.delete(dependency)
    session.flush()


def approve_baseline(session: Session, actor: Principal, note: str | None) -> Baseline:
    require(actor, Action.APPROVE, Kind.ROADMAP)
    return save_baseline(session, actor, note)


@dataclass(frozen=True, slots=True)
class OutputValues:
    passport_id: int
    product_position: int
    year: int
    quarter: int | None
    quantity: Decimal
    value: Decimal | None = None
    to_partner: Decimal | None = None
    currency: Currency | None = None  # of the value; RUB when a value comes without one


def _check_output(session: Session, passport: Passport, values: OutputValues) -> None:
    """A period that has begun, within the passport's life, reported either as a whole year or
    by quarters (not both: the year's output would count twice)."""
    errors = []
    this_year = datetime.now(UTC).year
    if values.year > this_year:
        errors.append(_problem("year", N_("output cannot be reported for a year not begun")))
    elif values.year < passport.period_start - 1:
        errors.append(
            _problem(
                "year",
                N_("the passport's period begins in %(year)s"),
                year=passport.period_start,
            )
        )
    if values.to_partner is not None and values.to_partner > values.quantity:
        errors.append(_problem("to_partner", N_("sales to the partner exceed the output")))
    if values.value is None and values.currency is not None:
        errors.append(_problem("currency", N_("a currency without a value")))
    other = session.scalar(
        select(func.count())
        .select_from(OutputReport)
        .where(
            OutputReport.passport_id == passport.id,
            OutputReport.product_position == values.product_position,
            OutputReport.year == values.year,
            OutputReport.quarter.is_not(None)
            if values.quarter is None
            else OutputReport.quarter.is_(None),
        )
    )
    if other:
        errors.append(
            _problem(
                "quarter",
                N_("%(year)s is reported by quarters: report a quarter")
                if values.quarter is None
                else N_("%(year)s is reported as a whole year: change that report"),
                year=values.year,
            )
        )
    if errors:
        raise DomainValidationError(errors)


def report_output(session: Session, actor: Principal, values: OutputValues) -> OutputReport:
    """An enterprise's (or its ministry's) report of output for a passport product and period;
    a second report for the same period replaces the first (audited)."""
    passport = session.get(Passport, values.passport_id)
    if passport is None:
        raise NotFoundError("passport", values.passport_id)
    product = next((p for p in passport.products if p.position == values.product_position), None)
    if product is None:
        raise DomainValidationError(
            [
                _problem(
                    "product_position",
                    N_("passport %(number)s has no such product"),
                    number=passport.number,
                )
            ]
        )
    require(actor, Action.UPDATE, Kind.ROADMAP, owner=product.country_code)
    _check_output(session, passport, values)
    found = session.scalar(
        select(OutputReport).where(
            OutputReport.passport_id == passport.id,
            OutputReport.product_position == values.product_position,
            OutputReport.year == values.year,
            OutputReport.quarter.is_(None)
            if values.quarter is None
            else OutputReport.quarter == values.quarter,
        )
    )
    if found is None:
        found = OutputReport(
            passport_id=passport.id,
            product_position=values.product_position,
            year=values.year,
            quarter=values.quarter,
            quantity=values.quantity,
            reported_by=actor.username,
        )
        session.add(found)
    found.quantity = values.quantity
    found.value = values.value
    found.currency = None if values.value is None else (values.currency or Currency.RUB)
    found.to_partner = values.to_partner
    found.reported_by = actor.username
    session.flush()
    record(
        session,
        "roadmap.output",
        "roadmap_output",
        found.id,
        after={"passport": passport.number, "year": values.year, "quantity": str(values.quantity)},
        actor=actor,
    )
    return found
