"""A passport's co-financing by source and year: planned (its financing section), secured (the
rows marked approved), actual (the state loan's disbursed drawdowns), each source's share and the
gap per year. The plan is the passport's own: a change goes through the passport (a draft's
form, or a change request once reconciled), never around it; this module only reads it.

Amounts in other currencies are converted to the report's currency at the year's rate of the
trade module's rate table (a year without a rate is named in `missing_rates`, its rows left out).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from unionsync.core.money import Currency
from unionsync.finance.models import Allocation, CreditAgreement, DrawdownRequest, DrawdownStatus
from unionsync.passports.models import Passport
from unionsync.trade.service import MissingRateError, rate_factor

CENT = Decimal("0.01")
STATE_LOAN = "state_loan"


@dataclass
class Year:
    """One year of a passport's financing, in the report's currency."""

    year: int
    planned: dict[str, Decimal] = field(default_factory=dict)  # source → amount
    secured: dict[str, Decimal] = field(default_factory=dict)  # approved rows only
    actual: dict[str, Decimal] = field(default_factory=dict)  # what was disbursed

    @property
    def need(self) -> Decimal:
        return sum(self.planned.values(), Decimal(0))

    @property
    def gap(self) -> Decimal:
        """Planned but not secured (approved) financing: zero when the year is closed."""
        return max(Decimal(0), self.need - sum(self.secured.values(), Decimal(0)))

    @property
    def closed(self) -> bool:
        return self.gap == 0

    def shares(self) -> dict[str, Decimal]:
        """Each source's share of the year's planned financing, in percent."""
        need = self.need
        return {s: (a * 100 / need).quantize(CENT) for s, a in self.planned.items()} if need else {}


@dataclass
class Cofinancing:
    passport_id: int
    currency: Currency
    years: list[Year]
    missing_rates: list[str]

    @property
    def closed(self) -> bool:
        return all(y.closed for y in self.years)


def cofinancing(
    session: Session, passport: Passport, currency: Currency = Currency.RUB
) -> Cofinancing:
    """The passport's financing by source and year, planned, secured and actual."""
    years: dict[int, Year] = {}
    missing: set[str] = set()

    def converted(amount: Decimal, source: Currency, year: int) -> Decimal | None:
        if source == currency:
            return amount
        try:
            factor, _used = rate_factor(session, source, currency, year)
        except MissingRateError:
            missing.add(f"{source.value}/{currency.value} {year}")
            return None
        return (amount * factor).quantize(CENT)

    for row in (passport.content or {}).get("financing") or []:
        if not isinstance(row, dict):
            continue
        try:
            year = int(row["year"])
            amount = Decimal(str(row["amount"]))
            source_currency = Currency(str(row.get("currency") or currency))
        except (KeyError, ValueError, ArithmeticError):
            continue  # the passport's own validation reports malformed rows
        value = converted(amount, source_currency, year)
        if value is None:
            continue
        line = years.setdefault(year, Year(year))
        source = str(row.get("source") or "")
        line.planned[source] = line.planned.get(source, Decimal(0)) + value
        if row.get("state") == "approved":
            line.secured[source] = line.secured.get(source, Decimal(0)) + value
    disbursed: dict[tuple[int, Currency], Decimal] = defaultdict(Decimal)
    for year, agreement_currency, total in session.execute(
        select(
            extract("year", DrawdownRequest.disbursed_on),
            CreditAgreement.currency,
            func.sum(DrawdownRequest.amount),
        )
        .join(CreditAgreement, DrawdownRequest.agreement_id == CreditAgreement.id)
        .join(Allocation, CreditAgreement.allocation_id == Allocation.id)
        .where(
            Allocation.passport_id == passport.id,
            DrawdownRequest.status == DrawdownStatus.DISBURSED,
        )
        .group_by(extract("year", DrawdownRequest.disbursed_on), CreditAgreement.currency)
    ):
        disbursed[(int(year), Currency(agreement_currency))] += Decimal(total)
    for (year, source_currency), total in disbursed.items():
        value = converted(total, source_currency, year)
        if value is not None:
            line = years.setdefault(year, Year(year))
            line.actual[STATE_LOAN] = line.actual.get(STATE_LOAN, Decimal(0)) + value
    return Cofinancing(passport.id, currency, [years[y] for y in sorted(years)], sorted(missing))
