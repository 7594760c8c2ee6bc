"""Project economics: NPV, IRR, XIRR, payback and discounted payback, DSCR.

Conventions (those of `numpy-financial` and `pyxirr`, which the tests use as references):
- yearly flows are `flows[0]` now (undiscounted), `flows[t]` at the end of year t;
- NPV = Σ flows[t] / (1 + rate)^t, in `Decimal`;
- IRR is the rate at which NPV is zero, searched in (−99 %, 1,000 %); when the flows change sign
  more than once several rates may exist and the one closest to zero is returned; None when NPV
  never changes sign (no rate exists);
- XIRR on dated flows counts years as days / 365 from the first date (actual/365 fixed);
- payback: the years until the cumulative flow turns non-negative, interpolated within the year
  that turns it (None if it never does); discounted payback the same on discounted flows;
- DSCR per year: cash available for debt service / debt service (None in a year without debt
  service).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal, localcontext

LOW, HIGH = -0.99, 10.0  # the bracket rates are searched in
TOLERANCE = 1e-12


def npv(rate: Decimal, flows: Sequence[Decimal]) -> Decimal:
    """Net present value of yearly flows (the first one now)."""
    with localcontext() as context:
        context.prec = 40
        total = Decimal(0)
        factor = Decimal(1)
        for flow in flows:
            total += flow / factor
            factor *= 1 + rate
        return +total


def _roots(function: Callable[[float], float]) -> list[float]:
    """Every sign change of `function` over a fine grid of the bracket, refined by bisection."""
    grid = [LOW + (HIGH - LOW) * (i / 4000) ** 2 for i in range(4001)]
    found: list[float] = []
    previous_x, previous_y = grid[0], function(grid[0])
    for x in grid[1:]:
        y = function(x)
        if previous_y == 0:
            found.append(previous_x)
        elif (previous_y < 0) != (y < 0) and y != 0:
            low, high, f_low = previous_x, x, previous_y
            for _ in range(200):
                middle = (low + high) / 2
                f_middle = function(middle)
                if (f_middle < 0) == (f_low < 0):
                    low, f_low = middle, f_middle
                else:
                    high = middle
                if high - low < TOLERANCE:
                    break
            found.append((low + high) / 2)
        previous_x, previous_y = x, y
    return found


def irr(flows: Sequence[Decimal]) -> float | None:
    """The internal rate of return of yearly flows (see the module for which root)."""
    values = [float(f) for f in flows]

    def present(rate: float) -> float:
        return sum(v / (1 + rate) ** t for t, v in enumerate(values))

    roots = _roots(present)
    return min(roots, key=abs) if roots else None


def xirr(dates: Sequence[date], amounts: Sequence[Decimal]) -> float | None:
    """The internal rate of return of dated flows (actual/365 from the first date)."""
    if len(dates) != len(amounts) or not dates:
        raise ValueError("one amount per date")
    start = min(dates)
    years = [(d - start).days / 365 for d in dates]
    values = [float(a) for a in amounts]

    def present(rate: float) -> float:
        return float(sum(v / (1 + rate) ** y for y, v in zip(years, values, strict=True)))

    roots = _roots(present)
    return min(roots, key=abs) if roots else None


def payback(flows: Sequence[Decimal]) -> Decimal | None:
    """Years until the cumulative flow is no longer negative, counted from the first year
    (flows at each year's end, linear within the year of return); 0 for a project that earns
    before it spends; None if the investment never returns. Leading years without flows
    (nothing started yet) do not count as returned."""
    cumulative = Decimal(0)
    invested = False
    for year, flow in enumerate(flows):
        before = cumulative
        cumulative += flow
        if cumulative < 0:
            invested = True
        elif invested:
            return Decimal(year - 1) + (-before / flow)
        elif cumulative > 0:
            return Decimal(0)
    return None


def discounted_payback(rate: Decimal, flows: Sequence[Decimal]) -> Decimal | None:
    """`payback` of the flows discounted at `rate`."""
    with localcontext() as context:
        context.prec = 40
        discounted = [flow / (1 + rate) ** year for year, flow in enumerate(flows)]
    return payback(discounted)


def dscr(available: Sequence[Decimal], debt_service: Sequence[Decimal]) -> list[Decimal | None]:
    """Per year: cash available for debt service over the debt service due."""
    return [
        (cash / due).quantize(Decimal("0.01")) if due > 0 else None
        for cash, due in zip(available, debt_service, strict=True)
    ]
