"""The roadmap as it stands: the forecast from planned dates, actual dates and progress through
the critical path method; floats and the critical path per passport and overall; baselines and
each task's slippage against the latest; schedule risk by Monte Carlo.

Calendars: a task's duration is in working days of its country (weekends and the country's
public holidays); the network is scheduled in calendar days, each task's working days turned
into the calendar days they take from its planned start on its own calendar, and a dependency's
lag (working days of the successor's country) into calendar days from the predecessor's planned
finish (its start for start-to-start). A task begun keeps
its actual start; one finished keeps its actual dates; one in progress needs the rest of its
duration (by its progress) from today at the earliest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from unionsync.access.audit import record
from unionsync.access.policy import Principal
from unionsync.roadmap.calendar import WorkCalendar
from unionsync.roadmap.cpm import Dependency, Link, Network, Schedule, schedule
from unionsync.roadmap.derive import calendars
from unionsync.roadmap.models import Baseline, BaselineTask, RoadmapDependency, RoadmapTask
from unionsync.roadmap.risk import Estimate, RiskResult, simulate


@dataclass(frozen=True)
class TaskPlan:
    """One task's forecast, in dates, with its floats (calendar days) and slippage."""

    task: RoadmapTask
    start: date
    finish: date
    late_finish: date
    total_float: int
    free_float: int
    critical: bool
    baseline_finish: date | None
    slip: int | None
    baseline_start: date | None = None  # working days later (positive) or earlier than the baseline


@dataclass(frozen=True)
class Plan:
    origin: date
    tasks: list[TaskPlan]
    schedule: Schedule
    baseline: Baseline | None

    @property
    def end(self) -> date:
        return self.origin + timedelta(days=self.schedule.end)

    def passport_finish(self) -> dict[int, date]:
        """Each passport's forecast completion: the latest finish of its tasks."""
        found: dict[int, date] = {}
        for t in self.tasks:
            if t.task.passport_id is not None:
                current = found.get(t.task.passport_id)
                found[t.task.passport_id] = t.finish if current is None else max(current, t.finish)
        return found

    def critical_path(self) -> list[TaskPlan]:
        return sorted((t for t in self.tasks if t.critical), key=lambda t: (t.start, t.task.key))


def _load(
    session: Session, passport_id: int | None
) -> tuple[list[RoadmapTask], list[RoadmapDependency]]:
    stmt = select(RoadmapTask).order_by(RoadmapTask.planned_start, RoadmapTask.key)
    if passport_id is not None:
        stmt = stmt.where(RoadmapTask.passport_id == passport_id)
    tasks = list(session.scalars(stmt))
    ids = {t.id for t in tasks}
    links = [
        d
        for d in session.scalars(select(RoadmapDependency))
        if d.before_id in ids and d.after_id in ids
    ]
    return tasks, links


def _calendar_days(calendar: WorkCalendar, start: date, working: int) -> int:
    if working <= 0:
        return 0
    return (calendar.add(calendar.next_working(start), working) - start).days


def _lag_days(calendar: WorkCalendar, anchor: date, working: int) -> int:
    """A lag of `working` days of `calendar` after `anchor`, in calendar days: the successor may
    start on the day after the lag's last working day (a lead counts the same way back)."""
    if working == 0:
        return 0
    days = (calendar.add(anchor, abs(working) - 1) - anchor).days + 1
    return days if working > 0 else -days


def _begin(task: RoadmapTask, today: date) -> date:
    """When a task starts in the forecast: its actual start; or its planned start, but today
    at the earliest for what has not begun."""
    begin = task.actual_start or task.planned_start
    if task.actual_start is None and task.actual_finish is None:
        begin = max(begin, today)
    if task.actual_finish is not None:
        begin = min(begin, task.actual_finish)
    return begin


def latest_baseline(session: Session) -> Baseline | None:
    return session.scalars(select(Baseline).order_by(Baseline.number.desc()).limit(1)).first()


def forecast(
    session: Session,
    passport_id: int | None = None,
    today: date | None = None,
    *,
    as_planned: bool = False,
) -> Plan:
    """The forecast of the whole roadmap, or of one passport's tasks; `as_planned`: the plan
    itself, from planned starts and durations only (what a baseline keeps when a plan is
    approved before work begins)."""
    today = today or datetime.now(UTC).date()
    tasks, links = _load(session, passport_id)
    if as_planned:
        today = min((t.planned_start for t in tasks), default=today)
    cals = calendars(session)
    durations: list[int] = []
    begins: list[date] = []
    for t in tasks:
        calendar = cals.get(t.country) or cals["BY"]
        begin = t.planned_start if as_planned else _begin(t, today)
        begins.append(begin)
        if t.actual_finish is not None and not as_planned:
            days = (t.actual_finish - begin).days
        else:
            days = _calendar_days(calendar, begin, t.duration)
            if t.actual_start is not None and t.duration and not as_planned:
                left = round(t.duration * (100 - t.progress) / 100)
                days = max(days, (today - begin).days + _calendar_days(calendar, today, left))
        durations.append(days)
    origin = min(begins, default=today)
    starts = [(begin - origin).days for begin in begins]
    keys = [t.key for t in tasks]
    by_id = {t.id: t.key for t in tasks}
    index = {t.id: i for i, t in enumerate(tasks)}
    dependencies = []
    for d in links:  # lags in the successor's working days, from the predecessor's planned dates
        first, then = index[d.before_id], index[d.after_id]
        anchor = begins[first]
        if d.link is not Link.SS:
            anchor += timedelta(days=durations[first])
        calendar = cals.get(tasks[then].country) or cals["BY"]
        lag = _lag_days(calendar, anchor, d.lag)
        dependencies.append(Dependency(by_id[d.before_id], by_id[d.after_id], d.link, lag))
    network = Network.build(list(zip(keys, durations, strict=True)), dependencies)
    done = np.array([t.actual_finish is not None and not as_planned for t in tasks], dtype=np.bool_)
    found = schedule(network, np.array(starts, dtype=np.int64), done)
    baseline = latest_baseline(session)
    planned = (
        {b.task_key: (b.start, b.finish) for b in baseline.tasks} if baseline is not None else {}
    )
    plans = []
    for i, t in enumerate(tasks):
        finish = origin + timedelta(days=int(found.early_finish[i]))
        kept = planned.get(t.key)
        before = kept[1] if kept else None
        calendar = cals.get(t.country) or cals["BY"]
        slip = None
        if before is not None:
            slip = (
                calendar.between(before, finish)
                if finish >= before
                else -calendar.between(finish, before)
            )
        plans.append(
            TaskPlan(
                t,
                origin + timedelta(days=int(found.early_start[i])),
                finish,
                origin + timedelta(days=int(found.late_finish[i])),
                int(found.total_float[i]),
                int(found.free_float[i]),
                bool(found.critical[i]) and (as_planned or t.actual_finish is None),
                before,
                slip,
                kept[0] if kept else None,
            )
        )
    return Plan(origin, plans, found, baseline)


def save_baseline(
    session: Session, actor: Principal, note: str | None = None, *, as_planned: bool = False
) -> Baseline:
    """The current forecast of the whole roadmap (or the plan as planned) kept as the next
    baseline."""
    plan = forecast(session, as_planned=as_planned)
    number = (session.scalar(select(func.max(Baseline.number))) or 0) + 1
    baseline = Baseline(number=number, note=note, approved_by=actor.username)
    baseline.tasks = [
        BaselineTask(task_key=t.task.key, start=t.start, finish=t.finish) for t in plan.tasks
    ]
    session.add(baseline)
    session.flush()
    record(
        session,
        "roadmap.baseline",
        "roadmap_baseline",
        baseline.id,
        after={"number": number, "tasks": len(plan.tasks)},
        actor=actor,
    )
    return baseline


def risk(
    session: Session,
    passport_id: int | None = None,
    *,
    runs: int = 10_000,
    seed: int = 2026,
    today: date | None = None,
) -> tuple[Plan, RiskResult]:
    """Monte Carlo over the forecast's network: a task's optimistic and pessimistic estimates
    (working days, scaled like its duration into calendar days), its forecast duration as the
    most likely; finished tasks are certain."""
    plan = forecast(session, passport_id, today)
    network = plan.schedule.network
    estimates: list[Estimate] = []
    for i, t in enumerate(plan.tasks):
        likely = float(network.durations[i])
        if t.task.actual_finish is not None or not t.task.duration:
            estimates.append(Estimate(likely, likely, likely))
            continue
        scale = likely / t.task.duration
        low = (t.task.optimistic if t.task.optimistic is not None else t.task.duration) * scale
        high = (t.task.pessimistic if t.task.pessimistic is not None else t.task.duration) * scale
        estimates.append(Estimate(min(low, likely), likely, max(high, likely)))
    groups: dict[str, list[int]] = {}
    for i, t in enumerate(plan.tasks):
        if t.task.passport_id is not None:
            groups.setdefault(str(t.task.passport_id), []).append(i)
    starts = plan.schedule.early_start.copy()
    for i, t in enumerate(plan.tasks):  # the planned or actual starts, not the forecast ones
        starts[i] = (_begin(t.task, today or datetime.now(UTC).date()) - plan.origin).days
    done = np.array([t.task.actual_finish is not None for t in plan.tasks], dtype=np.bool_)
    result = simulate(
        network, estimates, runs=runs, seed=seed, groups=groups, starts=starts, pinned=done
    )
    return plan, result
