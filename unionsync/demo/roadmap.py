"""The demo's roadmap: both countries' fixed-date public holidays 2023–2029, the tasks derived
from the passports, tenders, contracts and drawdowns, three-point estimates, the plan approved as
baseline 1, the control points already reached recorded as such (two passports' equipment is
late: their slip is visible), and the output reported by the projects whose products are made.

A private random stream: adding this changes nothing else in the demo.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.access.policy import SYSTEM
from unionsync.demo.generator import SEED, DemoCounts
from unionsync.passports.models import RECONCILED_OR_LATER, Passport
from unionsync.roadmap.derive import derive
from unionsync.roadmap.models import Holiday, OutputReport, RoadmapTask, TaskSource
from unionsync.roadmap.plan import forecast, save_baseline
from unionsync.roadmap.targets import late_items

# fixed-date public holidays (official calendars; movable feasts and transferred days left out)
HOLIDAYS = {
    "BY": [
        (1, 1, "Новый год"),
        (1, 2, "Новый год"),
        (1, 7, "Рождество Христово (православное)"),
        (3, 8, "День женщин"),
        (5, 1, "Праздник труда"),
        (5, 9, "День Победы"),
        (7, 3, "День Независимости"),
        (11, 7, "День Октябрьской революции"),
        (12, 25, "Рождество Христово (католическое)"),
    ],
    "RU": [
        *((1, d, "Новогодние каникулы") for d in range(1, 7)),
        (1, 7, "Рождество Христово"),
        (1, 8, "Новогодние каникулы"),
        (2, 23, "День защитника Отечества"),
        (3, 8, "Международный женский день"),
        (5, 1, "Праздник Весны и Труда"),
        (5, 9, "День Победы"),
        (6, 12, "День России"),
        (11, 4, "День народного единства"),
    ],
}
LATE = 2  # passports whose equipment milestone is not reached yet


def _late_passports(session: Session, tasks: list[RoadmapTask], ids: list[int]) -> set[int]:
    """The passports made late: those whose slip, with their due control points from the
    equipment on not reached, carries some program items past their target years (so `/sync`
    flags them; the passports that carry the fewest, to keep the picture plain); the last ones
    if none does. Passports' derived tasks do not depend on
    each other, so one forecast with every such control point unreached tells each passport's
    effect."""
    slipped: dict[int, int] = {}
    for item in late_items(session, forecast(session)):
        if item.slipped_past_target and item.passport_id in ids:
            slipped[item.passport_id] = slipped.get(item.passport_id, 0) + 1
    chosen = sorted(slipped, key=lambda i: (slipped[i], i))[:LATE]  # a few items each
    return set(chosen + [i for i in reversed(ids) if i not in chosen][: LATE - len(chosen)])


def _reached(task: RoadmapTask) -> None:
    task.actual_start = task.actual_finish = task.planned_start
    task.progress = 100


def build_roadmap(session: Session, counts: DemoCounts) -> None:
    rng = random.Random(f"{SEED}:roadmap")
    for country, days in HOLIDAYS.items():
        for year in range(2023, 2030):
            session.add_all(
                Holiday(country=country, day=date(year, month, day), name=name)
                for month, day, name in days
            )
    session.flush()
    derived = derive(session)
    counts.add("roadmap tasks", derived.created)
    tasks = list(session.scalars(select(RoadmapTask).order_by(RoadmapTask.id)))
    for task in tasks:  # three-point estimates: a little faster at best, much slower at worst
        if task.duration:
            task.optimistic = max(1, round(task.duration * rng.uniform(0.75, 0.9)))
            task.pessimistic = round(task.duration * rng.uniform(1.3, 1.8))
    session.flush()
    save_baseline(session, SYSTEM, "Утверждённый план (демонстрационные данные)", as_planned=True)
    today = datetime.now(UTC).date()
    passports = session.scalars(
        select(Passport).where(Passport.status.in_(RECONCILED_OR_LATER)).order_by(Passport.id)
    ).all()
    due = [
        t for t in tasks if t.source is TaskSource.PASSPORT_MILESTONE and t.planned_start <= today
    ]
    for task in due:  # the first control points reached; the equipment and later ones not yet
        if task.key.endswith(":milestone:1"):
            _reached(task)
    session.flush()
    late = _late_passports(session, tasks, [p.id for p in passports])
    for task in due:
        if not task.key.endswith(":milestone:1") and task.passport_id not in late:
            _reached(task)  # the late ones' stay unreached: the forecast moves what follows
    session.flush()
    reports = 0
    for passport in passports:
        for row in (passport.content or {}).get("products") or []:
            start_year = int(str(row.get("start_year") or 0))
            capacity = Decimal(str(row.get("capacity") or 0))
            for year in range(start_year - 1, min(today.year, start_year + 3)):
                share = Decimal("0.5") if year < start_year else Decimal(rng.uniform(0.55, 0.95))
                quantity = (capacity * share).quantize(Decimal(1))
                session.add(
                    OutputReport(
                        passport_id=passport.id,
                        product_position=1,
                        year=year,
                        quantity=quantity,
                        to_partner=(quantity * Decimal(rng.uniform(0.3, 0.7))).quantize(Decimal(1)),
                        reported_by="by-editor",
                    )
                )
                reports += 1
    session.flush()
    counts.add("output reports", reports)
