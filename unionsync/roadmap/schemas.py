"""What the roadmap API reads and writes: dates as ISO text, durations in working days."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from unionsync.core.money import Currency
from unionsync.core.schemas import Amount, Day, Id, Name, Note, Quantity, Year
from unionsync.core.validation import YEAR_MAX, YEAR_MIN
from unionsync.roadmap.cpm import Link
from unionsync.roadmap.models import TaskKind, TaskSource


def _in_range(value: date) -> date:
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise ValueError(f"a roadmap date lies between {YEAR_MIN} and {YEAR_MAX}")
    return value


PlanDay = Annotated[Day, AfterValidator(_in_range)]
WorkingDays = Annotated[int, Field(ge=0, le=5000)]
Lag = Annotated[int, Field(ge=-500, le=500)]


class TaskPublic(BaseModel):
    """A task with its forecast: dates, floats (calendar days), slippage (working days)."""

    id: int
    key: str
    passport_id: int | None
    title: str
    kind: TaskKind
    source: TaskSource
    country: str
    owner: str
    planned_start: date
    duration: int
    optimistic: int | None
    pessimistic: int | None
    actual_start: date | None
    actual_finish: date | None
    progress: int
    start: date
    finish: date
    late_finish: date
    total_float: int
    free_float: int
    critical: bool
    baseline_finish: date | None
    slip: int | None


class DependencyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    before_id: int
    after_id: int
    link: Link
    lag: int
    derived: bool


class RoadmapPublic(BaseModel):
    origin: date
    end: date
    baseline: int | None
    passports: dict[str, date]  # passport id → forecast completion
    tasks: list[TaskPublic]
    dependencies: list[DependencyPublic]


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    passport_id: Id | None = None  # none: the Union State level (the Committee's)
    title: Name
    planned_start: PlanDay
    duration: WorkingDays
    optimistic: WorkingDays | None = None
    pessimistic: WorkingDays | None = None
    note: Note | None = None


class TaskChange(BaseModel):
    """Fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    title: Name | None = None
    planned_start: PlanDay | None = None
    duration: WorkingDays | None = None
    optimistic: WorkingDays | None = None
    pessimistic: WorkingDays | None = None
    actual_start: PlanDay | None = None
    actual_finish: PlanDay | None = None
    progress: Annotated[int, Field(ge=0, le=100)] | None = None
    note: Note | None = None


class DependencyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    before_id: Id
    after_id: Id
    link: Link = Link.FS
    lag: Lag = 0


class BaselineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Note | None = None


class BaselinePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: int
    note: str | None
    approved_by: str


class CompletionPublic(BaseModel):
    p50: date
    p80: date
    p95: date


class RiskPublic(BaseModel):
    runs: int
    seed: int
    roadmap: CompletionPublic
    passports: dict[str, CompletionPublic]
    criticality: dict[str, float]  # task key → share of runs on the critical path (top 50)


class OutputIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    passport_id: Id
    product_position: Annotated[int, Field(ge=1, le=100)] = 1
    year: Year
    quarter: Annotated[int, Field(ge=1, le=4)] | None = None
    quantity: Quantity
    value: Amount | None = None
    currency: Currency | None = None  # of the value; RUB when a value comes without one
    to_partner: Quantity | None = None


class OutputPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    passport_id: int
    product_position: int
    year: int
    quarter: int | None
    quantity: Decimal
    value: Decimal | None
    currency: Currency | None
    to_partner: Decimal | None
    reported_by: str


class DerivedPublic(BaseModel):
    created: int
    updated: int
    dependencies: int


class YearOutputPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    year: int
    planned: Decimal
    reported: Decimal | None
    to_partner: Decimal | None


class TradeLinePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    year: int
    reporter: str
    flow: str
    mutual: bool
    currency: str
    value: Decimal
    records: int


class ProductEvidencePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    position: int
    name: str
    code: str | None
    start_year: int
    capacity: Decimal
    years: list[YearOutputPublic]
    trade: list[TradeLinePublic]


class VerdictPublic(BaseModel):
    """on_track, behind or no_evidence, why, and the rows behind it."""

    model_config = ConfigDict(from_attributes=True)

    passport_id: int
    verdict: str
    reason: str
    products: list[ProductEvidencePublic]
