"""The finance module's numbers equal the references on random cases: schedules and NPV/IRR
against numpy-financial, XIRR against pyxirr, the annuity against its closed form; principal
repaid sums to the loan to the kopeck."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy_financial as npf
import pytest
import pyxirr
from hypothesis import given, settings
from hypothesis import strategies as st

from unionsync.finance.economics import (
    discounted_payback,
    dscr,
    irr,
    npv,
    payback,
    xirr,
)
from unionsync.finance.schedules import RepaymentMethod, add_months, annuity_payment, schedule

money = st.decimals(min_value=Decimal("1000.00"), max_value=Decimal("50000000000.00"), places=2)
rates = st.decimals(min_value=Decimal("0"), max_value=Decimal("0.30"), places=4)
periods = st.integers(min_value=1, max_value=240)
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None)


@SETTINGS
@given(money, rates, periods, st.sampled_from(list(RepaymentMethod)), st.integers(0, 24))
def test_principal_repaid_equals_the_loan_to_the_kopeck(principal, rate, n, method, grace):
    rows = schedule(principal, rate, n, method, date(2025, 1, 31), grace_periods=grace)
    assert len(rows) == n + grace
    assert sum(r.principal for r in rows) == principal
    assert rows[-1].closing == 0
    for row in rows:
        assert row.payment == row.interest + row.principal
        assert row.closing == row.opening - row.principal
        assert row.interest == (row.opening * rate / 12).quantize(Decimal("0.01"))
        assert row.principal >= 0 and row.interest >= 0


@SETTINGS
@given(money, rates.filter(lambda r: r > 0), periods)
def test_annuity_equals_numpy_financial_and_the_closed_form(principal, rate, n):
    rows = schedule(principal, rate, n, RepaymentMethod.ANNUITY, date(2025, 3, 15))
    reference = -npf.pmt(float(rate) / 12, n, float(principal))
    closed = principal * (rate / 12) / (1 - (1 + rate / 12) ** -n)
    assert abs(annuity_payment(principal, rate / 12, n) - closed) < Decimal("0.000001")
    for row in rows[:-1]:  # every payment but the last is the rounded annuity
        assert abs(float(row.payment) - reference) <= 0.005 + 1e-9 * reference
    # the last one settles the rounding: each period's principal was off by at most a kopeck
    # (half from rounding the payment, half from rounding the interest), and that error
    # compounds at the period rate until the end
    r = rate / 12
    bound = Decimal("0.01") * ((1 + r) ** n - 1) / r + Decimal("0.01")
    assert abs(rows[-1].payment - rows[0].payment) <= bound
    # interest and principal of the first period as numpy-financial splits them
    assert abs(float(rows[0].interest) + npf.ipmt(float(rate) / 12, 1, n, float(principal))) < 0.006
    assert (
        abs(float(rows[0].principal) + npf.ppmt(float(rate) / 12, 1, n, float(principal))) < 0.011
    )


def test_equal_principal_and_bullet_by_hand():
    rows = schedule(
        Decimal(1200), Decimal("0.12"), 3, RepaymentMethod.EQUAL_PRINCIPAL, date(2025, 1, 31)
    )
    assert [(r.interest, r.principal) for r in rows] == [
        (Decimal("12.00"), Decimal("400.00")),
        (Decimal("8.00"), Decimal("400.00")),
        (Decimal("4.00"), Decimal("400.00")),
    ]
    assert [r.due for r in rows] == [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31)]
    bullet = schedule(
        Decimal(1000),
        Decimal("0.12"),
        2,
        RepaymentMethod.BULLET,
        date(2025, 1, 1),
        grace_periods=1,
        periods_per_year=4,
    )
    assert [(r.interest, r.principal) for r in bullet] == [
        (Decimal("30.00"), Decimal("0.00")),
        (Decimal("30.00"), Decimal("0.00")),
        (Decimal("30.00"), Decimal("1000.00")),
    ]
    assert [r.due for r in bullet] == [date(2025, 1, 1), date(2025, 4, 1), date(2025, 7, 1)]
    with pytest.raises(ValueError):
        schedule(Decimal(0), Decimal("0.1"), 3, RepaymentMethod.ANNUITY, date(2025, 1, 1))
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


flow = st.decimals(min_value=Decimal("1.00"), max_value=Decimal("1000000.00"), places=2)


@SETTINGS
@given(flow, st.lists(flow, min_size=1, max_size=15), rates)
def test_npv_and_irr_equal_numpy_financial(investment, returns, rate):
    flows = [-investment, *returns]
    assert abs(float(npv(rate, flows)) - npf.npv(float(rate), [float(f) for f in flows])) <= (
        1e-6 * float(sum(returns) + investment)
    )
    found = irr(flows)
    reference = npf.irr([float(f) for f in flows])
    if found is None:  # no rate in the searched bracket: the reference is outside it too
        assert reference != reference or not -0.99 < reference < 10  # nan, or far out
    else:
        assert found == pytest.approx(reference, abs=1e-6)
        assert abs(float(npv(Decimal(repr(found)), flows))) < 1e-3 * float(investment)


@SETTINGS
@given(
    flow,
    st.lists(st.tuples(st.integers(1, 3000), flow), min_size=1, max_size=12),
)
def test_xirr_equals_pyxirr(investment, later):
    start = date(2024, 1, 15)
    dates = [start] + [start + timedelta(days=d) for d, _ in later]
    amounts = [-investment] + [a for _, a in later]
    found = xirr(dates, amounts)
    reference = pyxirr.xirr(dates, [float(a) for a in amounts])
    if reference is None or not -0.99 < reference < 10:
        return  # outside the bracket this module searches
    assert found == pytest.approx(reference, abs=1e-6)


def test_payback_dscr_by_hand():
    flows = [Decimal(-1000), Decimal(300), Decimal(400), Decimal(600)]
    assert payback(flows) == Decimal(2) + Decimal(300) / Decimal(600)
    assert payback([Decimal(-10), Decimal(1)]) is None
    # years before anything is spent are counted but are not a return; earning first is 0
    assert payback([Decimal(0), Decimal(0), Decimal(-10), Decimal(5), Decimal(10)]) == Decimal(
        "3.5"
    )
    assert payback([Decimal(0), Decimal(5), Decimal(-1)]) == Decimal(0)
    discounted = discounted_payback(Decimal("0.10"), flows)
    assert discounted is not None and discounted > payback(flows)
    assert dscr([Decimal(130), Decimal(90)], [Decimal(100), Decimal(0)]) == [Decimal("1.30"), None]
