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
from unionsync.roadmap.plan import save_baseline

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
    late = {p.id for p in passports[-LATE:]}
    for task in tasks:
        if task.source is not TaskSource.PASSPORT_MILESTONE or task.planned_start > today:
            continue
        equipment = task.key.endswith(":milestone:2")
        if task.passport_id in late and equipment:
            continue  # not reached: the forecast moves it and what follows
        task.actual_start = task.actual_finish = task.planned_start
        task.progress = 100
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
