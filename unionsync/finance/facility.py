"""The facility's allocations per passport (both sides approve; never above the facility) and the
banks' credit agreements against them (never above the allocation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from unionsync.access.audit import record
from unionsync.access.models import Role, Side
from unionsync.access.policy import PermissionDeniedError, Principal
from unionsync.core.errors import ConflictError, NotFoundError
from unionsync.finance.drawdown import LimitError, is_bank_writer, lock_facility
from unionsync.finance.models import (
    Allocation,
    AllocationStatus,
    CreditAgreement,
    Facility,
    ReferenceRate,
    Repayment,
)
from unionsync.finance.schedules import Installment, RepaymentMethod, schedule
from unionsync.passports.models import RECONCILED_OR_LATER, ParticipantRole, Passport
from unionsync.passports.service import financiers

WRITERS = (Role.EDITOR, Role.APPROVER)


def _ministry_writer(actor: Principal) -> bool:
    return actor.system or (
        actor.side in (Side.BY, Side.RU) and actor.role in WRITERS and actor.organization_id is None
    )


def rate_on(session: Session, facility: Facility, on: date) -> Decimal:
    """The facility's annual rate on a day: its fixed rate, or its reference rate's value in
    force that day (the rate table's latest row from on or before it) plus the margin."""
    if facility.fixed_rate is not None:
        return facility.fixed_rate
    if not facility.reference_rate:
        raise LimitError(f"facility {facility.name} states neither a fixed nor a reference rate")
    value = session.scalar(
        select(ReferenceRate.rate)
        .where(ReferenceRate.name == facility.reference_rate, ReferenceRate.valid_from <= on)
        .order_by(ReferenceRate.valid_from.desc())
        .limit(1)
    )
    if value is None:
        raise LimitError(
            f"the rate table has no value of {facility.reference_rate} in force on {on}: "
            "load it before signing"
        )
    return Decimal(value) + (facility.margin or Decimal(0))


def allocate(
    session: Session, actor: Principal, facility_id: int, passport_id: int, amount: Decimal
) -> Allocation:
    """Propose a passport's share of the facility (a ministry's writer); the proposals and
    approvals together never exceed the facility."""
    if not _ministry_writer(actor):
        raise PermissionDeniedError(f"{actor.username} may not allocate the facility")
    facility = session.get(Facility, facility_id)
    passport = session.get(Passport, passport_id)
    if facility is None or passport is None:
        raise NotFoundError("facility" if facility is None else "passport", facility_id)
    if passport.status not in RECONCILED_OR_LATER:
        raise LimitError(f"passport {passport.number} is not reconciled: nothing is allocated")
    lock_facility(session, facility.id)
    if session.scalar(
        select(Allocation.id).where(
            Allocation.facility_id == facility.id,
            Allocation.passport_id == passport.id,
        )
    ):
        raise ConflictError(
            f"passport {passport.number} already has an allocation of this facility: change "
            "that one"
        )
    taken = session.scalar(
        select(func.coalesce(func.sum(Allocation.amount), 0)).where(
            Allocation.facility_id == facility.id,
            Allocation.status != AllocationStatus.CANCELLED,
        )
    )
    free = facility.amount - Decimal(taken or 0)
    if amount <= 0 or amount > free:
        raise LimitError(
            f"{amount} {facility.currency.value} is above what is left of the facility to "
            f"allocate: {free} {facility.currency.value}"
        )
    allocation = Allocation(facility_id=facility.id, passport_id=passport.id, amount=amount)
    session.add(allocation)
    session.flush()
    record(
        session,
        "allocation.propose",
        "finance_allocation",
        allocation.id,
        after={"passport": passport.id, "amount": str(amount)},
        actor=actor,
    )
    return allocation


def approve_allocation(session: Session, actor: Principal, allocation_id: int) -> Allocation:
    """An approver signs for their country; with both signatures the allocation is approved."""
    allocation = session.get(Allocation, allocation_id)
    if allocation is None:
        raise NotFoundError("allocation", allocation_id)
    country = actor.country
    if not (actor.role is Role.APPROVER and country in ("BY", "RU")):
        raise PermissionDeniedError(f"{actor.username} may not approve allocations")
    if allocation.status is not AllocationStatus.PROPOSED:
        raise ConflictError(f"the allocation is {allocation.status.value}")
    attribute = "approved_by_by" if country == "BY" else "approved_by_ru"
    if getattr(allocation, attribute):
        raise ConflictError(f"{country} has already approved this allocation")
    setattr(allocation, attribute, actor.username)
    if allocation.approved_by_by and allocation.approved_by_ru:
        allocation.status = AllocationStatus.APPROVED
    session.flush()
    record(
        session,
        "allocation.approve",
        "finance_allocation",
        allocation.id,
        after={"side": country, "status": allocation.status.value},
        actor=actor,
    )
    return allocation


def sign_agreement(
    session: Session,
    actor: Principal,
    allocation_id: int,
    *,
    number: str,
    amount: Decimal,
    annual_rate: Decimal | None,
    periods: int,
    method: RepaymentMethod,
    signed_on: date,
    first_due: date,
    grace_periods: int = 0,
    periods_per_year: int = 12,
    bank_id: int | None = None,
) -> CreditAgreement:
    """A bank's credit agreement with the passport's enterprise (its leader, else initiator),
    in the facility's currency, never above what is left of the allocation; signed by a bank
    that finances the passport. Without a rate, the facility's rate on the day of signing (a
    floating facility reads its reference rate from the rate table)."""
    allocation = session.get(Allocation, allocation_id)
    if allocation is None:
        raise NotFoundError("allocation", allocation_id)
    bank = actor.organization_id if not actor.system else bank_id
    if not actor.system and not (actor.side is Side.BANK and actor.role in WRITERS):
        raise PermissionDeniedError(f"{actor.username} may not sign credit agreements")
    if bank is None:
        raise PermissionDeniedError("a credit agreement is signed by a bank")
    passport = allocation.passport
    if not actor.system and bank not in financiers(passport):
        raise PermissionDeniedError(
            f"{actor.username}'s bank does not finance passport {passport.number}"
        )
    if allocation.status is not AllocationStatus.APPROVED:
        raise LimitError("the allocation is not approved by both sides yet")
    if annual_rate is None:
        annual_rate = rate_on(session, allocation.facility, signed_on)
    if periods_per_year not in (1, 2, 4, 12) or periods <= 0 or grace_periods < 0:
        raise LimitError("payments are monthly, quarterly, half-yearly or yearly, at least one")
    lock_facility(session, allocation.facility_id)
    signed = session.scalar(
        select(func.coalesce(func.sum(CreditAgreement.amount), 0)).where(
            CreditAgreement.allocation_id == allocation.id
        )
    )
    free = allocation.amount - Decimal(signed or 0)
    if amount <= 0 or amount > free:
        raise LimitError(f"{amount} is above what is left of the allocation for agreements: {free}")
    leader = next((p for p in passport.participants if p.role is ParticipantRole.LEADER), None)
    agreement = CreditAgreement(
        number=number,
        allocation_id=allocation.id,
        bank_id=bank,
        borrower_id=leader.organization_id if leader else passport.initiator_id,
        amount=amount,
        currency=allocation.facility.currency,
        annual_rate=annual_rate,
        grace_periods=grace_periods,
        periods=periods,
        periods_per_year=periods_per_year,
        method=method,
        signed_on=signed_on,
        first_due=first_due,
    )
    session.add(agreement)
    session.flush()
    record(
        session,
        "agreement.sign",
        "finance_agreement",
        agreement.id,
        after={"number": number, "amount": str(amount), "bank": bank},
        actor=actor,
    )
    return agreement


def planned_schedule(agreement: CreditAgreement) -> list[Installment]:
    """The agreement's repayment schedule as signed (on its whole amount)."""
    return schedule(
        agreement.amount,
        agreement.annual_rate,
        agreement.periods,
        agreement.method,
        agreement.first_due,
        grace_periods=agreement.grace_periods,
        periods_per_year=agreement.periods_per_year,
    )


@dataclass(frozen=True, slots=True)
class Arrears:
    """What was due by a day under the schedule, what was paid, and what is overdue."""

    due_principal: Decimal
    due_interest: Decimal
    paid_principal: Decimal
    paid_interest: Decimal

    @property
    def overdue(self) -> Decimal:
        owed = self.due_principal + self.due_interest
        return max(Decimal("0.00"), owed - self.paid_principal - self.paid_interest)


def record_repayment(
    session: Session,
    actor: Principal,
    agreement_id: int,
    paid_on: date,
    principal: Decimal,
    interest: Decimal,
) -> Repayment:
    """The lending bank records a payment received (never more principal than is owed)."""
    agreement = session.get(CreditAgreement, agreement_id)
    if agreement is None:
        raise NotFoundError("credit agreement", agreement_id)
    if not is_bank_writer(actor, agreement):
        raise PermissionDeniedError(f"{actor.username} is not a writer of the lending bank")
    repaid = session.scalar(
        select(func.coalesce(func.sum(Repayment.principal), 0)).where(
            Repayment.agreement_id == agreement.id
        )
    )
    if principal < 0 or interest < 0 or principal + interest == 0:
        raise LimitError("a repayment has a positive principal or interest")
    if Decimal(repaid or 0) + principal > agreement.amount:
        raise LimitError(
            f"{principal} of principal is more than the {agreement.amount - Decimal(repaid or 0)} "
            f"still owed"
        )
    payment = Repayment(
        agreement_id=agreement.id,
        paid_on=paid_on,
        principal=principal,
        interest=interest,
        recorded_by=actor.username,
    )
    session.add(payment)
    session.flush()
    record(
        session,
        "agreement.repayment",
        "finance_agreement",
        agreement.id,
        after={"principal": str(principal), "interest": str(interest), "on": str(paid_on)},
        actor=actor,
    )
    return payment


def arrears(session: Session, agreement: CreditAgreement, on: date) -> Arrears:
    """The schedule's installments due by `on` against the payments made by then."""
    due = [row for row in planned_schedule(agreement) if row.due <= on]
    paid = session.execute(
        select(
            func.coalesce(func.sum(Repayment.principal), 0),
            func.coalesce(func.sum(Repayment.interest), 0),
        ).where(Repayment.agreement_id == agreement.id, Repayment.paid_on <= on)
    ).one()
    return Arrears(
        sum((r.principal for r in due), Decimal("0.00")),
        sum((r.interest for r in due), Decimal("0.00")),
        Decimal(paid[0]),
        Decimal(paid[1]),
    )
