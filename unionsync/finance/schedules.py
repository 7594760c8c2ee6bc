"""Repayment schedules of a credit agreement, in exact money (`Decimal`, kopecks).

Rounding, stated once: each period's interest is the opening balance × the period rate, rounded
half-even to the kopeck; an annuity's payment is the closed form P·r / (1 − (1 + r)^−n) rounded
half-even to the kopeck; equal principal is P / n rounded down to the kopeck. The last
installment takes whatever principal remains, so the principal repaid sums to the loan exactly
(its payment may differ from the others by a few kopecks). During a grace period only interest
is paid; the repayment periods follow it.

The period rate is the annual rate / periods per year (a nominal rate, as Belarusian and Russian
credit agreements state it); `numpy-financial` is the reference the tests compare against.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, localcontext
from enum import StrEnum

KOPECK = Decimal("0.01")


class RepaymentMethod(StrEnum):
    ANNUITY = "annuity"  # equal payments
    EQUAL_PRINCIPAL = "equal_principal"  # equal principal, falling interest
    BULLET = "bullet"  # interest each period, the principal at the end


@dataclass(frozen=True, slots=True)
class Installment:
    """One period: the balance before, the interest, the principal, the payment, the balance
    after."""

    number: int
    due: date
    opening: Decimal
    interest: Decimal
    principal: Decimal
    payment: Decimal
    closing: Decimal


def _kopecks(value: Decimal, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    return value.quantize(KOPECK, rounding=rounding)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(f"no date {year}-{month}")  # unreachable: every month has a 28th


def annuity_payment(principal: Decimal, period_rate: Decimal, periods: int) -> Decimal:
    """The closed form P·r / (1 − (1 + r)^−n), unrounded (P / n at a zero rate)."""
    if periods <= 0:
        raise ValueError("an annuity needs at least one period")
    if period_rate == 0:
        return principal / periods
    with localcontext() as context:
        context.prec = 40
        factor = (1 + period_rate) ** -periods
        return principal * period_rate / (1 - factor)


def schedule(
    principal: Decimal,
    annual_rate: Decimal,
    periods: int,
    method: RepaymentMethod,
    first_due: date,
    *,
    grace_periods: int = 0,
    periods_per_year: int = 12,
) -> list[Installment]:
    """The installments of a loan of `principal` at `annual_rate` (0.095 for 9.5 %): `grace`
    interest-only periods, then `periods` repayment periods, every 12 / `periods_per_year`
    months from `first_due`."""
    if principal <= 0 or periods <= 0 or grace_periods < 0:
        raise ValueError("a schedule needs a positive principal and at least one period")
    if periods_per_year not in (1, 2, 4, 12):
        raise ValueError("payments are monthly, quarterly, half-yearly or yearly")
    step = 12 // periods_per_year
    rate = annual_rate / periods_per_year
    balance = _kopecks(principal)
    rows: list[Installment] = []
    for n in range(grace_periods):
        interest = _kopecks(balance * annual_rate / periods_per_year)
        rows.append(
            Installment(
                n + 1,
                add_months(first_due, n * step),
                balance,
                interest,
                Decimal("0.00"),
                interest,
                balance,
            )
        )
    payment = _kopecks(annuity_payment(balance, rate, periods))
    level = _kopecks(balance / periods, ROUND_DOWN)
    for k in range(periods):
        number = grace_periods + k + 1
        due = add_months(first_due, (number - 1) * step)
        interest = _kopecks(balance * annual_rate / periods_per_year)
        last = k == periods - 1
        if method is RepaymentMethod.BULLET:
            part = balance if last else Decimal("0.00")
        elif method is RepaymentMethod.EQUAL_PRINCIPAL:
            part = balance if last else level
        else:
            part = balance if last else min(balance, payment - interest)
        rows.append(
            Installment(number, due, balance, interest, part, interest + part, balance - part)
        )
        balance -= part
    return rows
