"""The coverage answer as JSON (the API and `unionsync coverage --json` print the same)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from unionsync.core.money import Money
from unionsync.core.schemas import MoneyPublic
from unionsync.coverage.allocation import Verdict
from unionsync.coverage.service import Coverage, ItemCoverage, Scenario
from unionsync.coverage.sync import SyncReport


class SupplyPublic(BaseModel):
    """A producer's (or a passport product's) delivery to the item in the year."""

    capability_id: int | None
    enterprise_id: int | None
    enterprise: str
    product: str
    quantity: Decimal
    probability: float
    passport_id: int | None
    passport_number: str | None


class YearPublic(BaseModel):
    year: int
    demand: Decimal
    covered: Decimal
    gap: Decimal
    verdict: Verdict
    value: MoneyPublic | None
    covered_value: MoneyPublic | None
    supplies: list[SupplyPublic]


class ItemCoveragePublic(BaseModel):
    item_id: int
    position: int
    name: str
    tnved_code: str | None
    unit: str
    verdict: Verdict
    needs_conversion: list[str]
    years: list[YearPublic]


class ProgramCoveragePublic(BaseModel):
    program_id: int
    country: str
    against: str
    scenario: Scenario
    covered_share: float | None
    covered_value_share: float | None
    fully: int
    partly: int
    not_satisfiable: int
    items: list[ItemCoveragePublic]


def item_view(item: ItemCoverage) -> ItemCoveragePublic:
    return ItemCoveragePublic(
        item_id=item.item_id,
        position=item.position,
        name=item.name,
        tnved_code=item.tnved_code,
        unit=item.unit,
        verdict=item.verdict,
        needs_conversion=item.needs_conversion,
        years=[
            YearPublic(
                year=y.year,
                demand=y.demand,
                covered=y.covered,
                gap=y.gap,
                verdict=y.verdict,
                value=money_view(y.value),
                covered_value=money_view(y.covered_value),
                supplies=[SupplyPublic.model_validate(s, from_attributes=True) for s in y.supplies],
            )
            for y in item.years
        ],
    )


def program_view(coverage: Coverage, program_id: int) -> ProgramCoveragePublic:
    items = coverage.for_program(program_id)
    verdicts = [i.verdict for i in items]
    return ProgramCoveragePublic(
        program_id=program_id,
        country=coverage.country,
        against=coverage.against,
        scenario=coverage.scenario,
        covered_share=coverage.share(program_id),
        covered_value_share=coverage.value_share(program_id),
        fully=verdicts.count(Verdict.FULLY),
        partly=verdicts.count(Verdict.PARTLY),
        not_satisfiable=verdicts.count(Verdict.NOT),
        items=[item_view(i) for i in items],
    )


def money_view(money: Money | None) -> MoneyPublic | None:
    return None if money is None else MoneyPublic(amount=money.amount, currency=money.currency)


class ItemRefPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    item_id: int
    country: str
    program_id: int
    program: str
    industry_id: int
    position: int
    name: str
    code: str | None
    target_year: int | None


class IndustryCoveragePublic(BaseModel):
    """Covered shares of each country's demand in one industry (None: all industries)."""

    industry_id: int | None
    by_covered_share: float | None
    ru_covered_share: float | None
    by_covered_value_share: float | None
    ru_covered_value_share: float | None


class OverlapPublic(BaseModel):
    code: str
    timing_conflict: bool
    by_items: list[ItemRefPublic]
    ru_items: list[ItemRefPublic]


class ComplementPublic(BaseModel):
    item: ItemRefPublic
    verdict: Verdict
    covered_share: float
    producers: list[str]


class GapPublic(BaseModel):
    item: ItemRefPublic
    demand_total: float
    unit: str
    value_usd: float | None = Field(
        None, description="the demand's value over all years in US dollars, each year at its rate"
    )


class TrajectoryPublic(BaseModel):
    country: str
    year: int
    shares: dict[Scenario, float | None]


class SyncReportPublic(BaseModel):
    industry_id: int | None
    coverage: list[IndustryCoveragePublic]
    trajectory: list[TrajectoryPublic]
    overlaps: list[OverlapPublic]
    complements: list[ComplementPublic]
    gaps: list[GapPublic]


def sync_view(report: SyncReport) -> SyncReportPublic:
    """The report as JSON: the same sections as the page and the Excel workbook."""
    industries: list[int | None] = [*report.industries(), None]
    if report.industry_id is not None:
        industries = [report.industry_id]
    return SyncReportPublic(
        industry_id=report.industry_id,
        coverage=[
            IndustryCoveragePublic(
                industry_id=i,
                by_covered_share=report.share("BY", i),
                ru_covered_share=report.share("RU", i),
                by_covered_value_share=report.value_share("BY", i),
                ru_covered_value_share=report.value_share("RU", i),
            )
            for i in industries
        ],
        trajectory=[
            TrajectoryPublic(country=p.country, year=p.year, shares=p.shares)
            for p in report.trajectory
        ],
        overlaps=[
            OverlapPublic(
                code=o.code,
                timing_conflict=o.timing_conflict,
                by_items=[ItemRefPublic.model_validate(i) for i in o.by_items],
                ru_items=[ItemRefPublic.model_validate(i) for i in o.ru_items],
            )
            for o in report.overlaps
        ],
        complements=[
            ComplementPublic(
                item=ItemRefPublic.model_validate(c.item),
                verdict=c.verdict,
                covered_share=c.covered_share,
                producers=list(c.producers),
            )
            for c in report.complements
        ],
        gaps=[
            GapPublic(
                item=ItemRefPublic.model_validate(g.item),
                demand_total=g.demand_total,
                unit=g.unit,
                value_usd=g.value_usd,
            )
            for g in report.gaps
        ],
    )
