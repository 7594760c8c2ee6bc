"""Tasks and milestones from what exists: each reconciled passport's control points, its
equipment tenders (the bidding period), the contracts signed on them (signing to the last
scheduled delivery), the state-loan drawdowns that pay them, and the calls for executors.

Derivation is idempotent: a source's task is found by its key and updated in place (planned
dates from the source, actual dates and progress from what happened); tasks added by hand and
dependencies drawn by hand are never touched. Derived dependencies: a passport's control points
follow one another, each at least the planned working days after the one before (the stage
between them takes its time, so a control point reached late moves the next); a tender
precedes the contracts signed on it; a contract precedes the passport's last control point (its
equipment in place before the project is complete); a drawdown starts with the contract it
pays.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from unionsync.finance.models import DrawdownRequest, DrawdownStatus
from unionsync.passports.models import RECONCILED_OR_LATER, Passport
from unionsync.roadmap.calendar import WorkCalendar
from unionsync.roadmap.cpm import Link
from unionsync.roadmap.models import (
    Holiday,
    RoadmapDependency,
    RoadmapTask,
    TaskKind,
    TaskSource,
)
from unionsync.selection.models import Award, Call, Contract, Lot, Tender


def calendars(session: Session) -> dict[str, WorkCalendar]:
    """Each country's calendar from the holidays stored (weekends are Saturday and Sunday)."""
    days: dict[str, list[date]] = {"BY": [], "RU": []}
    for country, day in session.execute(select(Holiday.country, Holiday.day)):
        days.setdefault(country, []).append(day)
    return {country: WorkCalendar(country, tuple(found)) for country, found in days.items()}


@dataclass
class Derived:
    """What a derivation found, changed and linked."""

    created: int = 0
    updated: int = 0
    dependencies: int = 0


def _day(value: date | datetime) -> date:
    return value.astimezone(UTC).date() if isinstance(value, datetime) else value


class _Builder:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.calendars = calendars(session)
        self.tasks = {t.key: t for t in session.scalars(select(RoadmapTask))}
        self.result = Derived()
        self.links: list[tuple[str, str, Link, int]] = []

    def calendar_of(self, passport: Passport | None) -> WorkCalendar:
        """The working calendar of the passport's initiator's country (Belarus's without one)."""
        country = passport.initiator.country_code if passport is not None else "BY"
        return self.calendars.get(country) or self.calendars["BY"]

    def task(
        self,
        key: str,
        *,
        passport: Passport | None,
        title: str,
        source: TaskSource,
        start: date,
        finish: date | None = None,
        actual_start: date | None = None,
        actual_finish: date | None = None,
        progress: int = 0,
        reported: bool = True,
    ) -> None:
        """Create or update a derived task; `reported=False`: the source says nothing about
        what happened (a passport's control point), so the actual dates and progress recorded
        on the roadmap are kept."""
        country = passport.initiator.country_code if passport is not None else "BY"
        calendar = self.calendar_of(passport)
        duration = 0 if finish is None else max(1, calendar.between(start, finish))
        found = self.tasks.get(key)
        values = {
            "passport_id": None if passport is None else passport.id,
            "title": title[:500],
            "kind": TaskKind.MILESTONE if finish is None else TaskKind.TASK,
            "source": source,
            "country": country,
            "owner": country if country in ("BY", "RU") else "UNION",
            "planned_start": start,
            "duration": duration,
        }
        if reported:
            values |= {
                "actual_start": actual_start,
                "actual_finish": actual_finish,
                "progress": progress,
            }
        if found is None:
            found = RoadmapTask(key=key, **values)
            self.session.add(found)
            self.tasks[key] = found
            self.result.created += 1
        else:
            changed = False
            for name, value in values.items():
                if getattr(found, name) != value:
                    setattr(found, name, value)
                    changed = True
            self.result.updated += changed

    def link(self, before: str, after: str, kind: Link = Link.FS, lag: int = 0) -> None:
        self.links.append((before, after, kind, lag))


def derive(session: Session) -> Derived:
    """Create or update the derived tasks and replace the derived dependencies."""
    builder = _Builder(session)
    today = datetime.now(UTC).date()
    passports = session.scalars(
        select(Passport)
        .where(Passport.status.in_(RECONCILED_OR_LATER))
        .options(selectinload(Passport.initiator))
        .order_by(Passport.id)
    ).all()
    for passport in passports:
        milestones = []
        for n, row in enumerate((passport.content or {}).get("milestones") or [], start=1):
            if not isinstance(row, dict) or not row.get("due"):
                continue
            try:
                due = date.fromisoformat(str(row["due"]))
            except ValueError:
                continue
            key = f"passport:{passport.id}:milestone:{n}"
            builder.task(
                key,
                passport=passport,
                title=str(row.get("title") or key),
                source=TaskSource.PASSPORT_MILESTONE,
                start=due,
                reported=False,  # reached or not: recorded on the roadmap
            )
            milestones.append((due, key))
        milestones.sort()
        calendar = builder.calendar_of(passport)
        for (due, first), (then, second) in itertools.pairwise(milestones):
            builder.link(first, second, lag=calendar.between(due, then))
        tenders = session.scalars(
            select(Tender).where(Tender.passport_id == passport.id).order_by(Tender.id)
        ).all()
        for tender in tenders:
            key = f"tender:{tender.id}"
            start, end = _day(tender.tender_start), _day(tender.tender_end)
            closed = tender.status.value in ("complete", "unsuccessful", "cancelled")
            builder.task(
                key,
                passport=passport,
                title=f"Тендер {tender.number}: {tender.title}",
                source=TaskSource.TENDER,
                start=start,
                finish=max(end, start),
                actual_start=start if start <= today else None,
                actual_finish=(tender.award_date or end) if closed else None,
                progress=100 if closed else 0,
            )
            contracts = session.scalars(
                select(Contract)
                .join(Award, Contract.award_id == Award.id)
                .join(Lot, Award.lot_id == Lot.id)
                .where(Lot.tender_id == tender.id)
                .options(selectinload(Contract.deliveries))
                .order_by(Contract.id)
            ).all()
            for contract in contracts:
                ckey = f"contract:{contract.id}"
                dues = [
                    date.fromisoformat(str(entry["due_on"]))
                    for entry in contract.schedule or []
                    if isinstance(entry, dict) and entry.get("due_on")
                ]
                last_due = max(dues) if dues else contract.signed_on
                delivered = sum(d.units for d in contract.deliveries)
                complete = delivered >= contract.units
                builder.task(
                    ckey,
                    passport=passport,
                    title=f"Поставка по договору {contract.number}",
                    source=TaskSource.DELIVERY,
                    start=contract.signed_on,
                    finish=max(last_due, contract.signed_on),
                    actual_start=contract.signed_on,
                    actual_finish=max(d.delivered_on for d in contract.deliveries)
                    if complete and contract.deliveries
                    else None,
                    progress=min(100, round(100 * delivered / contract.units))
                    if contract.units
                    else 0,
                )
                builder.link(key, ckey)
                if milestones:  # equipment in place before the project's completion
                    builder.link(ckey, milestones[-1][1])
                for drawn in session.scalars(
                    select(DrawdownRequest).where(
                        DrawdownRequest.contract_id == contract.id,
                        DrawdownRequest.status != DrawdownStatus.REFUSED,
                    )
                ):
                    dkey = f"drawdown:{drawn.id}"
                    builder.task(
                        dkey,
                        passport=passport,
                        title=f"Выборка кредита: {drawn.purpose}",
                        source=TaskSource.DRAWDOWN,
                        start=_day(drawn.requested_at),
                        actual_finish=drawn.disbursed_on,
                        progress=100 if drawn.disbursed_on else 0,
                    )
                    builder.link(ckey, dkey, Link.SS)
        for call in session.scalars(select(Call).where(Call.passport_id == passport.id)):
            key = f"call:{call.id}"
            opened = _day(call.created_at)
            builder.task(
                key,
                passport=passport,
                title=f"Отбор исполнителя {call.number}",
                source=TaskSource.CALL,
                start=opened,
                finish=max(_day(call.deadline), opened),
                actual_start=opened if opened <= today else None,
                actual_finish=_day(call.decided_at) if call.decided_at else None,
                progress=100 if call.decided_at else 0,
            )
    session.flush()
    # derived dependencies are replaced as a whole (hand-drawn ones stay)
    session.execute(delete(RoadmapDependency).where(RoadmapDependency.derived.is_(True)))
    ids = {key: task.id for key, task in builder.tasks.items()}
    seen: set[tuple[int, int]] = {
        (b, a)
        for b, a in session.execute(select(RoadmapDependency.before_id, RoadmapDependency.after_id))
    }  # hand-drawn pairs win
    for before, after, kind, lag in builder.links:
        pair = (ids[before], ids[after])
        if pair in seen or pair[0] == pair[1]:
            continue
        seen.add(pair)
        session.add(
            RoadmapDependency(before_id=pair[0], after_id=pair[1], link=kind, lag=lag, derived=True)
        )
        builder.result.dependencies += 1
    session.flush()
    return builder.result
