"""A passport's economics: flows from its own content, NPV equal to numpy-financial's, the EAEU
subsidy under its cap, DSCR against the agreements' schedules, and the tornado."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy_financial as npf
from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.access.policy import SYSTEM
from unionsync.core.money import Currency
from unionsync.finance import facility
from unionsync.finance.models import AllocationStatus, Facility
from unionsync.finance.projects import EAEU_SUBSIDY_CAP, evaluate, inputs_of, tornado
from unionsync.finance.schedules import RepaymentMethod
from unionsync.passports.models import RECONCILED_OR_LATER, Passport


def test_economics_of_a_passport(bare_session: Session):
    s = bare_session
    passport = s.scalars(
        select(Passport).where(Passport.status.in_(RECONCILED_OR_LATER)).order_by(Passport.id)
    ).first()
    passport.content = dict(passport.content) | {
        "financing": [
            {
                "source": "state_loan",
                "year": 2025,
                "amount": "8000000000",
                "currency": "RUB",
                "state": "approved",
            },
            {
                "source": "own_funds",
                "year": 2025,
                "amount": "2000000000",
                "currency": "RUB",
                "state": "approved",
            },
        ],
        "effect": [
            {"year": y, "imports_replaced": "6000000000", "currency": "RUB"}
            for y in range(2026, 2031)
        ],
    }
    s.flush()
    loan = Facility(
        name="Кредит",
        amount=Decimal(10**11),
        currency=Currency.RUB,
        available_from=date(2022, 11, 1),
        available_until=date(2027, 12, 31),
    )
    s.add(loan)
    s.flush()
    allocation = facility.allocate(s, SYSTEM, loan.id, passport.id, Decimal(8_000_000_000))
    allocation.status = AllocationStatus.APPROVED
    bank = next(p.organization_id for p in passport.participants if p.role.value == "bank")
    facility.sign_agreement(
        s,
        SYSTEM,
        allocation.id,
        number="КД-ЭКОН",
        amount=Decimal(8_000_000_000),
        annual_rate=Decimal("0.08"),
        periods=5,
        method=RepaymentMethod.EQUAL_PRINCIPAL,
        signed_on=date(2025, 1, 1),
        first_due=date(2025, 12, 31),
        grace_periods=0,
        periods_per_year=1,
        bank_id=bank,
    )
    inputs = inputs_of(s, passport, discount_rate=Decimal("0.10"), opex_share=Decimal("0.70"))
    result = evaluate(inputs)
    assert result.flows[2025] == Decimal(-10_000_000_000)
    assert result.flows[2026] == Decimal(1_800_000_000)  # 6 bn × (1 − 0.70)
    ordered = [float(result.flows[y]) for y in inputs.years]
    assert abs(float(result.npv) - npf.npv(0.10, ordered)) < 1.0
    assert result.irr is not None and abs(result.irr - npf.irr(ordered)) < 1e-6
    assert result.payback is None or result.payback > 0
    # interest of the first year: 8 bn × 8 % = 640 mn, above the 350 mn cap
    assert inputs.eaeu_cooperation and result.subsidy[2025] == EAEU_SUBSIDY_CAP
    # DSCR of 2026: 1.8 bn against 1.6 bn principal + 512 mn interest
    assert result.dscr[2026] == (Decimal(1_800_000_000) / Decimal(2_112_000_000)).quantize(
        Decimal("0.01")
    )
    assert any("70 %" in a for a in result.assumptions)
    chart = tornado(inputs)
    assert [abs(c) for _n, c in chart] == sorted((abs(c) for _n, c in chart), reverse=True)
    changes = dict(chart)
    assert changes["price +20 %"] > 0 > changes["price −20 %"]
    assert changes["capex +20 %"] < 0 and changes["rate +2 pp"] < 0
    assert changes["one year later"] < 0
