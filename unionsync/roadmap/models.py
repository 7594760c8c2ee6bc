"""The multi-year roadmap: tasks and milestones (derived from what exists, or added by hand),
their dependencies, public holidays per country, approved baselines, and the output enterprises
report for their passports' products.

A derived task carries the key of its source (`passport:5:milestone:2`, `tender:7`,
`contract:12`, `drawdown:31`): deriving again updates it in place and never duplicates it; a
task added by hand has a `manual:` key and is never touched by a derivation.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from unionsync.core.money import Currency
from unionsync.db.base import Base, Timestamped, str_enum, utcnow
from unionsync.db.types import ScaledDecimal, UtcDateTime
from unionsync.passports.models import Passport
from unionsync.roadmap.cpm import Link


class TaskKind(StrEnum):
    TASK = "task"
    MILESTONE = "milestone"  # zero duration


class TaskSource(StrEnum):
    PASSPORT_MILESTONE = "passport_milestone"  # a control point of the passport
    CALL = "call"  # a call for executors: open to decision
    TENDER = "tender"  # an equipment tender: its bidding period
    DELIVERY = "delivery"  # a contract's deliveries: signing to the last unit
    DRAWDOWN = "drawdown"  # a state-loan disbursement
    ITEM_TARGET = "item_target"  # a program item's target year
    MANUAL = "manual"


class RoadmapTask(Timestamped, Base):
    """One task or milestone of the roadmap: planned start and working-day duration, three-point
    estimates for the risk, actual dates and progress once work began."""

    __tablename__ = "roadmap_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    passport_id: Mapped[int | None] = mapped_column(ForeignKey("passport.id"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[TaskKind] = mapped_column(str_enum(TaskKind, 12), default=TaskKind.TASK)
    source: Mapped[TaskSource] = mapped_column(str_enum(TaskSource, 24))
    country: Mapped[str] = mapped_column(String(2))  # whose working days count
    owner: Mapped[str] = mapped_column(String(5))  # BY, RU or UNION: who may change it
    planned_start: Mapped[date] = mapped_column(Date)
    duration: Mapped[int] = mapped_column(Integer)  # working days (0: a milestone)
    optimistic: Mapped[int | None] = mapped_column(Integer)
    pessimistic: Mapped[int | None] = mapped_column(Integer)
    actual_start: Mapped[date | None] = mapped_column(Date)
    actual_finish: Mapped[date | None] = mapped_column(Date)
    progress: Mapped[int] = mapped_column(Integer, default=0)  # per cent
    note: Mapped[str | None] = mapped_column(Text)

    passport: Mapped[Passport | None] = relationship()


class RoadmapDependency(Base):
    """`before` constrains `after`: finish-to-start, start-to-start or finish-to-finish, with a
    lag in working days (negative: a lead)."""

    __tablename__ = "roadmap_dependency"
    __table_args__ = (UniqueConstraint("before_id", "after_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    before_id: Mapped[int] = mapped_column(
        ForeignKey("roadmap_task.id", ondelete="CASCADE"), index=True
    )
    after_id: Mapped[int] = mapped_column(
        ForeignKey("roadmap_task.id", ondelete="CASCADE"), index=True
    )
    link: Mapped[Link] = mapped_column(str_enum(Link, 2), default=Link.FS)
    lag: Mapped[int] = mapped_column(Integer, default=0)
    derived: Mapped[bool] = mapped_column(default=False)  # made by a derivation


class Holiday(Base):
    """A public holiday of a country (a day off in its working-day calendar)."""

    __tablename__ = "roadmap_holiday"
    __table_args__ = (UniqueConstraint("country", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200))


class Baseline(Base):
    """An approved plan, kept as it was (numbered like a passport's versions)."""

    __tablename__ = "roadmap_baseline"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    note: Mapped[str | None] = mapped_column(Text)
    approved_by: Mapped[str] = mapped_column(String(80))
    approved_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    tasks: Mapped[list[BaselineTask]] = relationship(
        back_populates="baseline", cascade="all, delete-orphan"
    )


class BaselineTask(Base):
    """A task's planned dates in a baseline."""

    __tablename__ = "roadmap_baseline_task"
    __table_args__ = (UniqueConstraint("baseline_id", "task_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    baseline_id: Mapped[int] = mapped_column(
        ForeignKey("roadmap_baseline.id", ondelete="CASCADE"), index=True
    )
    task_key: Mapped[str] = mapped_column(String(80))
    start: Mapped[date] = mapped_column(Date)
    finish: Mapped[date] = mapped_column(Date)

    baseline: Mapped[Baseline] = relationship(back_populates="tasks")


class OutputReport(Base):
    """Output an enterprise reports for a passport's product and period: whether the project
    replaces imports in fact."""

    __tablename__ = "roadmap_output"
    __table_args__ = (UniqueConstraint("passport_id", "product_position", "year", "quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    passport_id: Mapped[int] = mapped_column(ForeignKey("passport.id"), index=True)
    product_position: Mapped[int] = mapped_column(Integer)  # the passport's product row
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int | None] = mapped_column(Integer)  # None: the whole year
    quantity: Mapped[Decimal] = mapped_column(ScaledDecimal(3))
    value: Mapped[Decimal | None] = mapped_column(ScaledDecimal(2))
    currency: Mapped[Currency | None] = mapped_column(str_enum(Currency, 3))
    to_partner: Mapped[Decimal | None] = mapped_column(ScaledDecimal(3))  # sold to the partner
    reported_by: Mapped[str] = mapped_column(String(80))
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
