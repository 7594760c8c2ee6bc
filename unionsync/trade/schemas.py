"""API shapes of trade records and totals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from unionsync.core.money import Currency
from unionsync.core.schemas import MoneyPublic
from unionsync.trade.models import FlowDirection


class TradeFlowPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reporter_code: str
    partner_code: str
    year: int
    flow: FlowDirection
    tnved_code: str
    value: MoneyPublic
    quantity: Decimal | None
    unit_okei: str | None
    source: str


class RatePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    year: int
    currency: Currency
    quote: Currency
    rate: Decimal
    kind: str
    source: str


class TradeTotalPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    reporter: str
    year: int
    total: MoneyPublic
    rates: list[RatePublic]
    records: int


class MirrorYearPublic(BaseModel):
    """A year's figures in the report's currency: the two records, the estimate, the interval."""

    year: int
    exporter_record: float
    importer_record: float
    estimate: float
    low: float
    high: float
    rates: list[RatePublic]


class MirrorRowPublic(BaseModel):
    """One code and year: both records (the importer's raw and CIF/FOB-adjusted), the
    discrepancy measures, the reconciled estimate with its interval, and the flags."""

    exporter: str
    importer: str
    code: str
    year: int
    exporter_record: float | None
    importer_record: float | None
    importer_record_fob: float | None
    cif_fob: float
    absolute: float | None
    relative: float | None
    symmetric: float | None
    estimate: float
    low: float
    high: float
    flags: list[str]


class VariancePublic(BaseModel):
    reporter: str
    role: str
    log_variance: float


class MirrorReportPublic(BaseModel):
    exporter: str
    importer: str
    mutual: bool
    currency: Currency
    years: list[MirrorYearPublic]
    reliability: list[VariancePublic]
    rows: list[MirrorRowPublic]


def mirror_view(report: Any, year: int | None, mutual: bool) -> MirrorReportPublic:
    """The report as JSON (the CLI's `--json` and the API print the same)."""

    def money(value: float | None, row_year: int) -> float | None:
        return None if value is None else round(report.in_currency(value, row_year), 2)

    return MirrorReportPublic(
        exporter=report.exporter,
        importer=report.importer,
        mutual=mutual,
        currency=report.currency,
        years=[
            MirrorYearPublic(
                year=y.year,
                exporter_record=round(y.exporter_record, 2),
                importer_record=round(y.importer_record, 2),
                estimate=round(y.estimate, 2),
                low=round(y.low, 2),
                high=round(y.high, 2),
                rates=[RatePublic.model_validate(r, from_attributes=True) for r in y.rates],
            )
            for y in report.years
            if year in (None, y.year)
        ],
        reliability=[
            VariancePublic(reporter=reporter, role=role, log_variance=round(v, 6))
            for (reporter, role), v in sorted(report.mirror.variances.items())
        ],
        rows=[
            MirrorRowPublic(
                exporter=r.exporter,
                importer=r.importer,
                code=r.code,
                year=r.year,
                exporter_record=money(r.x, r.year),
                importer_record=money(r.imported.value if r.imported else None, r.year),
                importer_record_fob=money(r.m_fob, r.year),
                cif_fob=r.cif_fob,
                absolute=money(r.absolute, r.year),
                relative=None if r.relative is None else round(r.relative, 4),
                symmetric=None if r.symmetric is None else round(r.symmetric, 4),
                estimate=money(r.estimate, r.year) or 0.0,
                low=money(r.low, r.year) or 0.0,
                high=money(r.high, r.year) or 0.0,
                flags=[f.value for f in r.flags],
            )
            for r in report.rows(year)
        ],
    )
