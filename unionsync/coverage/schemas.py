"""The coverage answer as JSON (the API and `unionsync coverage --json` print the same)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel

from unionsync.coverage.allocation import Verdict
from unionsync.coverage.service import Coverage, ItemCoverage


class SupplyPublic(BaseModel):
    capability_id: int
    enterprise: str
    product: str
    quantity: Decimal
    probability: float


class YearPublic(BaseModel):
    year: int
    demand: Decimal
    covered: Decimal
    gap: Decimal
    verdict: Verdict
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
    covered_share: float | None
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
        covered_share=coverage.share(program_id),
        fully=verdicts.count(Verdict.FULLY),
        partly=verdicts.count(Verdict.PARTLY),
        not_satisfiable=verdicts.count(Verdict.NOT),
        items=[item_view(i) for i in items],
    )
