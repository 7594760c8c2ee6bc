"""Whether a passport's project replaces imports in fact: per product, the output planned (its
capacity from the year it is reached) against the output reported, and the trade evidence for
its code (the 6-digit subheading) year by year: each side's imports from third countries and
the mutual trade, before and after the start year. A verdict per passport: on track (reported
at least 90 % of what was planned for the years reported), behind, or no evidence yet (nothing
due, or nothing reported), with the rows behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from unionsync.passports.models import Passport
from unionsync.roadmap.models import OutputReport
from unionsync.trade.models import TradeFlow

ON_TRACK_SHARE = Decimal("0.9")
UNION = ("BY", "RU")


class Verdict(StrEnum):
    ON_TRACK = "on_track"
    BEHIND = "behind"
    NO_EVIDENCE = "no_evidence"


@dataclass(frozen=True, slots=True)
class YearOutput:
    year: int
    planned: Decimal
    reported: Decimal | None  # None: nothing reported for the year
    to_partner: Decimal | None


@dataclass(frozen=True, slots=True)
class TradeLine:
    """One year of trade in the product's subheading, as one side recorded it."""

    year: int
    reporter: str
    flow: str  # import / export
    mutual: bool  # with the other Union State country; else third countries
    currency: str
    value: Decimal
    records: int


@dataclass
class ProductEvidence:
    position: int
    name: str
    code: str | None
    start_year: int
    capacity: Decimal
    years: list[YearOutput] = field(default_factory=list)
    trade: list[TradeLine] = field(default_factory=list)


@dataclass
class PassportVerdict:
    passport_id: int
    verdict: Verdict
    reason: str
    products: list[ProductEvidence]
    planned: Decimal = Decimal(0)  # for the years with a report
    reported: Decimal = Decimal(0)


def _planned(capacity: Decimal, start_year: int, year: int) -> Decimal:
    if year >= start_year:
        return capacity
    return capacity / 2 if year == start_year - 1 else Decimal(0)


def evidence(
    session: Session, passport: Passport, today_year: int | None = None
) -> PassportVerdict:
    """The verdict and the rows behind it (see the module)."""
    this_year = today_year or datetime.now(UTC).year
    reports: dict[tuple[int, int], tuple[Decimal, Decimal | None]] = {}
    for position, year, quantity, to_partner in session.execute(
        select(
            OutputReport.product_position,
            OutputReport.year,
            func.sum(OutputReport.quantity),
            func.sum(OutputReport.to_partner),
        )
        .where(OutputReport.passport_id == passport.id)
        .group_by(OutputReport.product_position, OutputReport.year)
    ):
        reports[(position, year)] = (
            Decimal(quantity),
            None if to_partner is None else Decimal(to_partner),
        )
    rows = {
        int(r.get("position") or n): r
        for n, r in enumerate((passport.content or {}).get("products") or [], start=1)
        if isinstance(r, dict)
    }
    products = []
    planned_total = reported_total = Decimal(0)
    due = reported_any = False
    for product in passport.products:
        row = rows.get(product.position, {})
        try:
            start_year = int(str(row.get("start_year") or passport.period_end))
            capacity = Decimal(str(row.get("capacity") or 0))
        except (ValueError, ArithmeticError):
            start_year, capacity = passport.period_end, Decimal(0)
        found = ProductEvidence(
            product.position, product.name_ru, product.tnved_code, start_year, capacity
        )
        for year in range(min(start_year - 1, passport.period_start), this_year + 1):
            planned = _planned(capacity, start_year, year)
            reported = reports.get((product.position, year))
            found.years.append(
                YearOutput(
                    year,
                    planned,
                    None if reported is None else reported[0],
                    None if reported is None else reported[1],
                )
            )
            if planned > 0 and year <= this_year:
                due = True
                if reported is not None:
                    reported_any = True
                    planned_total += planned
                    reported_total += reported[0]
        if product.tnved_code:
            found.trade = _trade(session, product.tnved_code[:6])
        products.append(found)
    if not due:
        verdict, reason = Verdict.NO_EVIDENCE, "no output is due yet"
    elif not reported_any:
        verdict, reason = Verdict.NO_EVIDENCE, "output is due but none is reported"
    elif reported_total >= planned_total * ON_TRACK_SHARE:
        verdict = Verdict.ON_TRACK
        reason = f"reported {reported_total} of {planned_total} planned for the years reported"
    else:
        verdict = Verdict.BEHIND
        reason = f"reported {reported_total} of {planned_total} planned for the years reported"
    return PassportVerdict(passport.id, verdict, reason, products, planned_total, reported_total)


def _trade(session: Session, subheading: str) -> list[TradeLine]:
    lines = []
    for year, reporter, partner, flow, currency, value, records in session.execute(
        select(
            TradeFlow.year,
            TradeFlow.reporter_code,
            TradeFlow.partner_code,
            TradeFlow.flow,
            TradeFlow.value_currency,
            func.sum(TradeFlow.value_amount),
            func.count(),
        )
        .where(TradeFlow.tnved_code.startswith(subheading), TradeFlow.reporter_code.in_(UNION))
        .group_by(
            TradeFlow.year,
            TradeFlow.reporter_code,
            TradeFlow.partner_code,
            TradeFlow.flow,
            TradeFlow.value_currency,
        )
    ):
        lines.append(
            TradeLine(
                int(year),
                reporter,
                str(getattr(flow, "value", flow)),
                partner in UNION and partner != reporter,
                str(getattr(currency, "value", currency)),
                Decimal(value),
                int(records),
            )
        )
    merged: dict[tuple[int, str, str, bool, str], TradeLine] = {}
    for line in lines:  # third-country partners added up
        key = (line.year, line.reporter, line.flow, line.mutual, line.currency)
        before = merged.get(key)
        merged[key] = (
            line
            if before is None
            else TradeLine(
                line.year,
                line.reporter,
                line.flow,
                line.mutual,
                line.currency,
                before.value + line.value,
                before.records + line.records,
            )
        )
    return sorted(merged.values(), key=lambda t: (t.year, t.reporter, t.flow, not t.mutual))
