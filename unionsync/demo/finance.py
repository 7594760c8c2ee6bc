"""The demo's financing, built through the finance services (so every limit and act holds): the
state loan facility of 105 bn RUB (November 2022), an allocation per reconciled passport (its
planned state-loan rows, approved by both sides), 16 credit agreements with four Belarusian
banks, and drawdowns reproducing the published picture (June 2024: 16 agreements, about 60 of
the 105 bn RUB drawn): each tender contract of a passport paid by a drawdown, the rest by other
expense lines; a few requests still in progress for the inbox, one refused.

A private random stream: adding this changes nothing else in the demo.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.access.models import User
from unionsync.access.policy import SYSTEM
from unionsync.access.service import principal_for
from unionsync.catalog.models import Organization, OrganizationKind
from unionsync.catalog.taxid import unp_with_check_digit
from unionsync.core.money import Currency
from unionsync.demo.generator import SEED, DemoCounts
from unionsync.finance import drawdown, facility
from unionsync.finance.cofinancing import STATE_LOAN, cofinancing
from unionsync.finance.models import Facility
from unionsync.finance.schedules import RepaymentMethod
from unionsync.passports.models import (
    RECONCILED_OR_LATER,
    ParticipantRole,
    Passport,
    PassportParticipant,
)

FACILITY_AMOUNT = Decimal("105000000000.00")
DRAWN_TARGET = Decimal("60000000000")  # about 60 bn RUB drawn by June 2024
AGREEMENTS = 16
NEW_BANKS = (
    ("ОАО «Белорусский индустриальный банк» (демо)", "Белиндустрбанк"),
    ("ЗАО «Банк промышленной кооперации» (демо)", "Банк промкооперации"),
)
OTHER_LINES = (
    "Строительно-монтажные работы",
    "Пусконаладочные работы",
    "Реконструкция производственного корпуса",
    "Инжиниринговые услуги и проектная документация",
    "Обучение персонала и сертификация продукции",
)
CENT = Decimal("0.01")
METHODS = (RepaymentMethod.ANNUITY, RepaymentMethod.ANNUITY, RepaymentMethod.EQUAL_PRINCIPAL)


def build_finance(session: Session, counts: DemoCounts) -> None:
    """The facility, allocations, agreements and drawdowns (after the tenders' contracts)."""
    rng = random.Random(f"{SEED}:finance")
    banks = _belarusian_banks(session, rng)
    counts.add("organizations", len(NEW_BANKS))
    found = Facility(
        name="Государственный кредит Российской Федерации Республике Беларусь "
        "на импортозамещение (демо)",
        amount=FACILITY_AMOUNT,
        currency=Currency.RUB,
        available_from=date(2022, 11, 15),
        available_until=date(2027, 12, 31),
        fixed_rate=Decimal("0.045"),
        repayment_terms="Погашение равными долями или аннуитетом после льготного периода "
        "(демонстрационные условия).",
    )
    session.add(found)
    session.flush()
    passports = session.scalars(
        select(Passport).where(Passport.status.in_(RECONCILED_OR_LATER)).order_by(Passport.id)
    ).all()
    approvers = [
        principal_for(session.scalars(select(User).where(User.username == name)).one())
        for name in ("by-approver", "ru-approver")
    ]
    # two agreements (two banks) for the largest projects, one for the others
    shares = sorted(passports, key=lambda p: -(p.budget_amount or 0))
    doubled = {p.id for p in shares[: AGREEMENTS - len(passports)]}
    agreements = []
    for n, passport in enumerate(passports):
        amount = sum(
            (y.planned.get(STATE_LOAN, Decimal(0)) for y in cofinancing(session, passport).years),
            Decimal(0),
        ).quantize(CENT)
        allocation = facility.allocate(session, SYSTEM, found.id, passport.id, amount)
        for approver in approvers:
            facility.approve_allocation(session, approver, allocation.id)
        lenders = _lenders(session, rng, passport, banks, 2 if passport.id in doubled else 1)
        parts = (
            [amount]
            if len(lenders) == 1
            else [
                (amount * Decimal("0.6")).quantize(CENT),
                amount - (amount * Decimal("0.6")).quantize(CENT),
            ]
        )
        signed_on = date(passport.period_start, rng.randint(2, 5), rng.randint(1, 28))
        for k, (bank, part) in enumerate(zip(lenders, parts, strict=True), start=1):
            agreements.append(
                facility.sign_agreement(
                    session,
                    SYSTEM,
                    allocation.id,
                    number=f"КД-{passport.period_start}-{n + 1:02d}{'/' + str(k) if k > 1 else ''}",
                    amount=part,
                    annual_rate=Decimal("0.045") + Decimal(rng.choice((5, 10, 15, 20))) / 1000,
                    periods=84,
                    periods_per_year=12,
                    grace_periods=24,
                    method=rng.choice(METHODS),
                    signed_on=signed_on,
                    first_due=date(passport.period_start + 1, signed_on.month, 28),
                    bank_id=bank.id,
                )
            )
    counts.add("credit agreements", len(agreements))
    signed = sum((a.amount for a in agreements), Decimal(0))
    ratio = DRAWN_TARGET / signed
    pending_bank = banks[0].id  # the demo bank users' bank sees requests in progress
    pending_left = ["requested", "bank_approved", "approved", "refused"]
    paid: set[int] = set()  # each contract is paid from one agreement
    for agreement in agreements:
        target = agreement.amount * min(Decimal("0.97"), ratio * Decimal(rng.uniform(0.8, 1.2)))
        drawn = Decimal(0)
        day = agreement.signed_on + timedelta(days=20)
        for contract in drawdown.contracts_of(session, agreement):
            if contract.id in paid or contract.currency is not agreement.currency:
                continue
            if drawn + contract.amount > target:
                break
            when = max(day, contract.signed_on + timedelta(days=rng.randint(7, 30)))
            _drawn(
                session,
                agreement.id,
                contract.amount,
                f"Оплата по договору {contract.number}",
                when,
                contract.id,
            )
            drawn += contract.amount
            paid.add(contract.id)
            counts.add("drawdowns")
        line = 0
        while drawn < target:
            day += timedelta(days=rng.randint(25, 60))
            if day > date(2026, 10, 31):
                break
            amount = min(target - drawn, (agreement.amount * Decimal(rng.uniform(0.06, 0.14))))
            amount = amount.quantize(Decimal(1000))
            if amount <= 0:
                break
            _drawn(session, agreement.id, amount, OTHER_LINES[line % len(OTHER_LINES)], day, None)
            drawn += amount
            line += 1
            counts.add("drawdowns")
        if agreement.bank_id == pending_bank and pending_left:
            _pending(session, agreement.id, pending_left.pop(0), agreement.amount, rng)
            counts.add("drawdowns")
    # the borrowers pay their schedules on time, except one that is three installments behind
    today = datetime.now(UTC).date()
    late = agreements[len(agreements) // 2].id
    for agreement in agreements:
        due = [r for r in facility.planned_schedule(agreement) if r.due <= today]
        if agreement.id == late:
            due = due[:-3]
        for row in due:
            facility.record_repayment(
                session, SYSTEM, agreement.id, row.due, row.principal, row.interest
            )
        counts.add("repayments", len(due))


def _belarusian_banks(session: Session, rng: random.Random) -> list[Organization]:
    """The demo's Belarusian banks and two more (four lend on the state loan)."""
    banks = list(
        session.scalars(
            select(Organization)
            .where(Organization.kind == OrganizationKind.BANK, Organization.country_code == "BY")
            .order_by(Organization.id)
        )
    )
    for name, short in NEW_BANKS:
        bank = Organization(
            kind=OrganizationKind.BANK,
            country_code="BY",
            tax_id=unp_with_check_digit(f"{rng.randint(1, 7)}{rng.randint(0, 99_999_999):08d}"),
            name=name,
            short_name=short,
        )
        session.add(bank)
        banks.append(bank)
    session.flush()
    return banks


def _lenders(
    session: Session,
    rng: random.Random,
    passport: Passport,
    banks: list[Organization],
    count: int,
) -> list[Organization]:
    """The passport's Belarusian bank first (a Russian one does not lend the state loan on),
    then others; each lender becomes a financing participant of the passport."""
    own = [
        p.organization
        for p in passport.participants
        if p.role is ParticipantRole.BANK and p.organization in banks
    ]
    others = [b for b in banks if b not in own]
    rng.shuffle(others)
    lenders = (own + others)[:count]
    for bank in lenders:
        if bank not in own:
            passport.participants.append(
                PassportParticipant(organization=bank, role=ParticipantRole.BANK)
            )
    session.flush()
    return lenders


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)


def _drawn(
    session: Session,
    agreement_id: int,
    amount: Decimal,
    purpose: str,
    day: date,
    contract_id: int | None,
) -> None:
    """A request replayed through every act: requested, approved by the bank and the ministry,
    disbursed a few days later."""
    found = drawdown.request(
        session, SYSTEM, agreement_id, amount, purpose, contract_id=contract_id, on=day
    )
    found.requested_at = _at(day)
    drawdown.approve_by_bank(session, SYSTEM, found.id)
    drawdown.approve_by_ministry(session, SYSTEM, found.id)
    drawdown.disburse(session, SYSTEM, found.id, on=day + timedelta(days=6))


def _pending(
    session: Session, agreement_id: int, state: str, amount: Decimal, rng: random.Random
) -> None:
    today = datetime.now(UTC).date()
    found = drawdown.request(
        session,
        SYSTEM,
        agreement_id,
        (amount * Decimal(rng.uniform(0.01, 0.02))).quantize(Decimal(1000)),
        OTHER_LINES[rng.randrange(len(OTHER_LINES))],
        on=today,
    )
    if state in ("bank_approved", "approved"):
        drawdown.approve_by_bank(session, SYSTEM, found.id)
    if state == "approved":
        drawdown.approve_by_ministry(session, SYSTEM, found.id)
    if state == "refused":
        drawdown.refuse(
            session,
            SYSTEM,
            found.id,
            "Не приложены акты выполненных работ по предыдущему траншу",
        )
