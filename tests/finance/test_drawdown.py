"""Allocations, agreements and drawdowns under the facility's limits: who may do what, every
limit refused with what is left, the states in order, and two requests racing for the last
amount on PostgreSQL (one succeeds, the other is refused)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.conftest import scratch_postgres, seeded_industry
from unionsync.access.models import Role, Side, User
from unionsync.access.policy import SYSTEM, PermissionDeniedError
from unionsync.access.service import create_user, principal_for
from unionsync.catalog.models import Organization, OrganizationKind
from unionsync.core.money import Currency
from unionsync.db.bootstrap import init_database
from unionsync.db.session import make_engine, make_session_factory
from unionsync.finance import drawdown, facility
from unionsync.finance.drawdown import DrawdownStateError, LimitError
from unionsync.finance.models import AllocationStatus, DrawdownStatus, Facility
from unionsync.finance.schedules import RepaymentMethod
from unionsync.passports.models import (
    RECONCILED_OR_LATER,
    ParticipantRole,
    Passport,
    PassportParticipant,
    PassportStatus,
)

ON = date(2024, 6, 1)


def person(session: Session, name: str):  # type: ignore[no-untyped-def]
    user = session.scalar(select(User).where(User.username == name))
    assert user is not None
    return principal_for(user)


def _facility(session: Session, amount: int = 105_000_000_000) -> Facility:
    found = Facility(
        name="Государственный кредит на импортозамещение",
        amount=Decimal(amount),
        currency=Currency.RUB,
        available_from=date(2022, 11, 1),
        available_until=date(2027, 12, 31),
        fixed_rate=Decimal("0.03"),
    )
    session.add(found)
    session.flush()
    return found


def test_a_drawdown_through_bank_and_ministry_to_disbursement(demo_session: Session):
    s = demo_session
    passport = s.scalars(
        select(Passport).where(Passport.status.in_(RECONCILED_OR_LATER)).order_by(Passport.id)
    ).first()
    bank_id = next(p.organization_id for p in passport.participants if p.role.value == "bank")
    banker = principal_for(
        create_user(s, SYSTEM, "bank-editor-t", "a-long-password", Side.BANK, Role.EDITOR, bank_id)
    )
    editor, by_approver, ru_approver = (
        person(s, "by-editor"),
        person(s, "by-approver"),
        person(s, "ru-approver"),
    )
    loan = _facility(s, 1_000_000)
    with pytest.raises(PermissionDeniedError):
        facility.allocate(s, banker, loan.id, passport.id, Decimal(10))
    with pytest.raises(LimitError, match="left of the facility to allocate: 1000000"):
        facility.allocate(s, editor, loan.id, passport.id, Decimal(2_000_000))
    allocation = facility.allocate(s, editor, loan.id, passport.id, Decimal(600_000))
    with pytest.raises(LimitError, match="not approved"):
        facility.sign_agreement(
            s,
            banker,
            allocation.id,
            number="КД-1",
            amount=Decimal(1),
            annual_rate=Decimal("0.05"),
            periods=12,
            method=RepaymentMethod.ANNUITY,
            signed_on=ON,
            first_due=date(2024, 7, 1),
        )
    facility.approve_allocation(s, by_approver, allocation.id)
    with pytest.raises(Exception, match="already approved"):
        facility.approve_allocation(s, by_approver, allocation.id)
    facility.approve_allocation(s, ru_approver, allocation.id)
    assert allocation.status is AllocationStatus.APPROVED
    with pytest.raises(LimitError, match="left of the allocation for agreements: 600000"):
        facility.sign_agreement(
            s,
            banker,
            allocation.id,
            number="КД-1",
            amount=Decimal(700_000),
            annual_rate=Decimal("0.05"),
            periods=12,
            method=RepaymentMethod.ANNUITY,
            signed_on=ON,
            first_due=date(2024, 7, 1),
        )
    agreement = facility.sign_agreement(
        s,
        banker,
        allocation.id,
        number="КД-1",
        amount=Decimal(500_000),
        annual_rate=Decimal("0.05"),
        periods=12,
        method=RepaymentMethod.ANNUITY,
        signed_on=ON,
        first_due=date(2024, 7, 1),
    )
    assert sum(r.principal for r in facility.planned_schedule(agreement)) == Decimal(500_000)

    # requests: the borrower's side; limits; the availability period; a currency without a rate
    with pytest.raises(PermissionDeniedError):
        drawdown.request(s, banker, agreement.id, Decimal(10), "станок", on=ON)
    with pytest.raises(LimitError, match="left of the agreement: 500000"):
        drawdown.request(s, editor, agreement.id, Decimal(500_001), "станок", on=ON)
    with pytest.raises(LimitError, match="outside that period"):
        drawdown.request(s, editor, agreement.id, Decimal(10), "станок", on=date(2030, 1, 1))
    with pytest.raises(LimitError, match="no exchange rate USD/RUB for 2024"):
        drawdown.request(
            s, editor, agreement.id, Decimal(10), "станок", currency=Currency.USD, on=ON
        )
    first = drawdown.request(s, editor, agreement.id, Decimal(300_000), "станок", on=ON)
    with pytest.raises(LimitError, match="left of the agreement: 200000"):
        drawdown.request(s, editor, agreement.id, Decimal(250_000), "линия", on=ON)

    # the states in order: the bank, then Belarus's ministry, then the bank disburses
    with pytest.raises(DrawdownStateError, match="cannot ministry_approve"):
        drawdown.approve_by_ministry(s, by_approver, first.id)
    with pytest.raises(PermissionDeniedError):
        drawdown.approve_by_bank(s, editor, first.id)
    drawdown.approve_by_bank(s, banker, first.id)
    with pytest.raises(PermissionDeniedError):
        drawdown.approve_by_ministry(s, ru_approver, first.id)
    drawdown.approve_by_ministry(s, by_approver, first.id)
    drawdown.disburse(s, banker, first.id, on=date(2024, 6, 20))
    assert first.status is DrawdownStatus.DISBURSED and drawdown.drawn(s, loan) == 300_000
    # a refusal frees the amount
    second = drawdown.request(s, editor, agreement.id, Decimal(200_000), "линия", on=ON)
    drawdown.refuse(s, banker, second.id, "нет документов")
    third = drawdown.request(s, editor, agreement.id, Decimal(200_000), "линия", on=ON)
    assert third.status is DrawdownStatus.REQUESTED
    found = drawdown.left(s, agreement)
    assert (found.agreement, found.allocation, found.facility) == (
        Decimal(0),
        Decimal(100_000),
        Decimal(500_000),
    )


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    for url in scratch_postgres("finance"):
        engine = make_engine(url)
        init_database(url, make_session_factory(engine))
        yield engine
        engine.dispose()


@pytest.mark.postgres
def test_two_requests_racing_for_the_last_amount_on_postgresql(pg_engine: Engine):
    factory = make_session_factory(pg_engine)
    with factory() as s:
        industry = seeded_industry(s, "machine-tools")
        plant = Organization(kind=OrganizationKind.ENTERPRISE, name="Завод", country_code="BY")
        bank = Organization(kind=OrganizationKind.BANK, name="Банк", country_code="BY")
        s.add_all([plant, bank])
        s.flush()
        passport = Passport(
            number="СГ-2024-900",
            title="Гонка",
            industry_id=industry.id,
            initiator_id=plant.id,
            period_start=2024,
            period_end=2027,
            status=PassportStatus.RECONCILED,
        )
        passport.participants.append(
            PassportParticipant(organization_id=bank.id, role=ParticipantRole.BANK)
        )
        s.add(passport)
        loan = _facility(s, 100)
        allocation = facility.allocate(s, SYSTEM, loan.id, passport.id, Decimal(100))
        allocation.status = AllocationStatus.APPROVED
        agreement = facility.sign_agreement(
            s,
            SYSTEM,
            allocation.id,
            number="КД-ГОНКА",
            amount=Decimal(100),
            annual_rate=Decimal("0.05"),
            periods=4,
            method=RepaymentMethod.BULLET,
            signed_on=ON,
            first_due=date(2024, 9, 1),
            bank_id=bank.id,
        )
        s.commit()
        agreement_id = agreement.id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def race() -> None:
        with factory() as session:
            barrier.wait()
            try:
                drawdown.request(session, SYSTEM, agreement_id, Decimal(60), "последние", on=ON)
                session.commit()
                outcomes.append("drawn")
            except LimitError as error:
                session.rollback()
                outcomes.append(f"refused: {error}")

    threads = [threading.Thread(target=race) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.split(":")[0] for o in outcomes) == ["drawn", "refused"], outcomes
    assert any("left of the agreement: 40" in o for o in outcomes)


def test_repayments_and_arrears(demo_session: Session):
    s = demo_session
    passport = s.scalars(
        select(Passport).where(Passport.status.in_(RECONCILED_OR_LATER)).order_by(Passport.id)
    ).first()
    loan = _facility(s, 10_000)
    allocation = facility.allocate(s, SYSTEM, loan.id, passport.id, Decimal(1200))
    allocation.status = AllocationStatus.APPROVED
    bank_id = next(p.organization_id for p in passport.participants if p.role.value == "bank")
    agreement = facility.sign_agreement(
        s,
        SYSTEM,
        allocation.id,
        number="КД-ГРАФИК",
        amount=Decimal(1200),
        annual_rate=Decimal("0.12"),
        periods=3,
        method=RepaymentMethod.EQUAL_PRINCIPAL,
        signed_on=date(2025, 1, 1),
        first_due=date(2025, 1, 31),
        bank_id=bank_id,
    )
    # due by the end of February: 400 + 12 and 400 + 8; paid: the first installment only
    facility.record_repayment(s, SYSTEM, agreement.id, date(2025, 1, 30), Decimal(400), Decimal(12))
    late = facility.arrears(s, agreement, date(2025, 2, 28))
    assert (late.due_principal, late.due_interest) == (Decimal(800), Decimal(20))
    assert late.overdue == Decimal(408)
    with pytest.raises(LimitError, match=r"more than the 800\.00 still owed"):
        facility.record_repayment(
            s, SYSTEM, agreement.id, date(2025, 3, 1), Decimal(801), Decimal(0)
        )
    with pytest.raises(PermissionDeniedError):
        facility.record_repayment(
            s, person(s, "by-editor"), agreement.id, date(2025, 3, 1), Decimal(1), Decimal(0)
        )


def test_cofinancing_planned_secured_actual_and_the_gap(bare_session: Session):
    from unionsync.finance.cofinancing import cofinancing

    s = bare_session
    passport = s.scalars(
        select(Passport).where(Passport.status.in_(RECONCILED_OR_LATER)).order_by(Passport.id)
    ).first()
    start = passport.period_start
    passport.content = dict(passport.content) | {
        "financing": [
            {
                "source": "state_loan",
                "year": start,
                "amount": "600",
                "currency": "RUB",
                "state": "approved",
            },
            {
                "source": "own_funds",
                "year": start,
                "amount": "400",
                "currency": "RUB",
                "state": "indicative",
            },
            {
                "source": "bank_credit",
                "year": start + 1,
                "amount": "100",
                "currency": "RUB",
                "state": "approved",
            },
            {
                "source": "budget_by",
                "year": start + 1,
                "amount": "10",
                "currency": "BYN",
                "state": "approved",
            },
        ]
    }
    s.flush()
    loan = _facility(s, 10_000)
    allocation = facility.allocate(s, SYSTEM, loan.id, passport.id, Decimal(600))
    allocation.status = AllocationStatus.APPROVED
    bank_id = next(p.organization_id for p in passport.participants if p.role.value == "bank")
    agreement = facility.sign_agreement(
        s,
        SYSTEM,
        allocation.id,
        number="КД-СОФИН",
        amount=Decimal(600),
        annual_rate=Decimal("0.05"),
        periods=4,
        method=RepaymentMethod.BULLET,
        signed_on=date(start, 1, 10),
        first_due=date(start + 1, 1, 10),
        bank_id=bank_id,
    )
    drawn = drawdown.request(
        s, SYSTEM, agreement.id, Decimal(250), "станки", on=date(max(start, 2023), 3, 1)
    )
    for act in (drawdown.approve_by_bank, drawdown.approve_by_ministry):
        act(s, SYSTEM, drawn.id)
    drawdown.disburse(s, SYSTEM, drawn.id, on=date(start, 5, 1))
    report = cofinancing(s, passport)
    first, second = report.years
    assert first.planned == {"state_loan": Decimal(600), "own_funds": Decimal(400)}
    assert first.gap == Decimal(400) and not first.closed  # own funds only indicative
    assert first.shares() == {"state_loan": Decimal("60.00"), "own_funds": Decimal("40.00")}
    assert first.actual == {"state_loan": Decimal(250)}
    # a BYN row without a BYN/RUB rate for its year is named, not guessed
    rates = report.missing_rates
    assert second.planned.get("bank_credit") == Decimal(100)
    assert ("budget_by" in second.planned) == (not rates)
    assert not report.closed
