"""Allocations, credit agreements and drawdown requests under the facility's limits.

Every live request (requested, approved or disbursed) holds its amount against three limits: what
is left of its agreement, of the agreement's allocation and of the facility. Checking a limit and
writing the request happen under one lock, the facility row's (an UPDATE of it first: a row lock
on PostgreSQL, the write lock on SQLite), so two requests racing for the last available amount
are taken one after the other: the first succeeds, the second is refused with 409 naming the
limit and what is left.

    requested ──bank approves──▶ bank approved ──ministry (BY) approves──▶ approved
    approved ──bank disburses──▶ disbursed        requested / bank approved ──refuse──▶ refused
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from unionsync.access.acts import change_state
from unionsync.access.audit import record
from unionsync.access.models import Role, Side
from unionsync.access.policy import PermissionDeniedError, Principal
from unionsync.core.errors import ConflictError, DomainValidationError, FieldError, NotFoundError
from unionsync.core.money import Currency
from unionsync.finance.models import (
    LIVE_DRAWDOWN,
    Allocation,
    AllocationStatus,
    CreditAgreement,
    DrawdownRequest,
    DrawdownStatus,
    Facility,
)
from unionsync.selection.models import Award, Contract, Lot, Tender
from unionsync.trade.service import MissingRateError, rate_factor

CENT = Decimal("0.01")
D = DrawdownStatus


class LimitError(ConflictError):
    """A request above what is left of its agreement, allocation or facility."""


class DrawdownStateError(ConflictError):
    """An act the request's state does not allow."""


@dataclass(frozen=True, slots=True)
class Left:
    """What is left to draw, in the facility's currency."""

    agreement: Decimal
    allocation: Decimal
    facility: Decimal


def _held(session: Session, *conditions: object) -> Decimal:
    total = session.scalar(
        select(func.coalesce(func.sum(DrawdownRequest.amount), 0))
        .join(CreditAgreement, DrawdownRequest.agreement_id == CreditAgreement.id)
        .join(Allocation, CreditAgreement.allocation_id == Allocation.id)
        .where(DrawdownRequest.status.in_(LIVE_DRAWDOWN), *conditions)  # type: ignore[arg-type]
    )
    return Decimal(total or 0)


def left(session: Session, agreement: CreditAgreement) -> Left:
    allocation = agreement.allocation
    facility = allocation.facility
    return Left(
        agreement.amount - _held(session, CreditAgreement.id == agreement.id),
        allocation.amount - _held(session, Allocation.id == allocation.id),
        facility.amount - _held(session, Allocation.facility_id == facility.id),
    )


def lock_facility(session: Session, facility_id: int) -> None:
    """Serialise every writer of this facility's drawdowns until the transaction ends."""
    session.execute(
        update(Facility)
        .where(Facility.id == facility_id)
        .values(updated_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )


def _agreement(session: Session, agreement_id: int) -> CreditAgreement:
    agreement = session.get(CreditAgreement, agreement_id)
    if agreement is None:
        raise NotFoundError("credit agreement", agreement_id)
    return agreement


def may_request(actor: Principal, agreement: CreditAgreement) -> bool:
    """The borrower's writers ask, or Belarus's ministry's writers on the borrower's behalf."""
    if actor.system:
        return True
    if actor.role not in (Role.EDITOR, Role.APPROVER):
        return False
    if actor.organization_id is not None:
        return actor.organization_id == agreement.borrower_id
    return actor.side is Side.BY


def request(
    session: Session,
    actor: Principal,
    agreement_id: int,
    amount: Decimal,
    purpose: str,
    *,
    currency: Currency | None = None,
    contract_id: int | None = None,
    on: date | None = None,
) -> DrawdownRequest:
    """The borrower asks to draw `amount` (in `currency`, converted to the agreement's at the
    year's rate) for a purpose; refused above any limit, outside the facility's availability
    period, or in a currency without a rate."""
    agreement = _agreement(session, agreement_id)
    if not may_request(actor, agreement):
        raise PermissionDeniedError(
            f"{actor.username} may not request drawdowns of agreement {agreement.number}"
        )
    day = on or datetime.now(UTC).date()
    facility = agreement.allocation.facility
    if not facility.available_from <= day <= facility.available_until:
        raise LimitError(
            f"the facility is available from {facility.available_from} to "
            f"{facility.available_until}; a drawdown on {day} is outside that period"
        )
    if agreement.allocation.status is not AllocationStatus.APPROVED:
        raise LimitError("the allocation of this agreement is not approved by both sides")
    if currency is not None and currency != agreement.currency:
        try:
            factor, _used = rate_factor(session, currency, agreement.currency, day.year)
        except MissingRateError:
            raise LimitError(
                f"no exchange rate {currency.value}/{agreement.currency.value} for {day.year}: "
                f"request in {agreement.currency.value} or load the rate"
            ) from None
        amount = (amount * factor).quantize(CENT)
    if amount <= 0:
        raise LimitError("a drawdown must be of a positive amount")
    if contract_id is not None:
        _check_contract(session, agreement, contract_id)
    lock_facility(session, facility.id)
    found = left(session, agreement)
    for name, available in (
        ("agreement", found.agreement),
        ("allocation", found.allocation),
        ("facility", found.facility),
    ):
        if amount > available:
            raise LimitError(
                f"{amount} {agreement.currency.value} is above what is left of the {name}: "
                f"{available} {agreement.currency.value}"
            )
    drawdown = DrawdownRequest(
        agreement_id=agreement.id,
        amount=amount,
        contract_id=contract_id,
        purpose=purpose,
        requested_by=actor.username,
    )
    session.add(drawdown)
    session.flush()
    record(
        session,
        "drawdown.request",
        "finance_drawdown",
        drawdown.id,
        after={"agreement": agreement.id, "amount": str(amount), "purpose": purpose},
        actor=actor,
    )
    return drawdown


def contracts_of(session: Session, agreement: CreditAgreement) -> list[Contract]:
    """The contracts of the agreement's passport (from its tenders): what a drawdown may pay."""
    return list(
        session.scalars(
            select(Contract)
            .join(Award, Contract.award_id == Award.id)
            .join(Lot, Award.lot_id == Lot.id)
            .join(Tender, Lot.tender_id == Tender.id)
            .where(Tender.passport_id == agreement.allocation.passport_id)
            .order_by(Contract.signed_on, Contract.id)
        )
    )


def _check_contract(session: Session, agreement: CreditAgreement, contract_id: int) -> None:
    if contract_id not in {c.id for c in contracts_of(session, agreement)}:
        raise DomainValidationError(
            [
                FieldError(
                    "contract_id",
                    f"contract {contract_id} is not a contract of passport "
                    f"{agreement.allocation.passport.number}'s tenders",
                )
            ]
        )


def _drawdown(session: Session, drawdown_id: int) -> DrawdownRequest:
    found = session.get(DrawdownRequest, drawdown_id)
    if found is None:
        raise NotFoundError("drawdown request", drawdown_id)
    return found


def is_bank_writer(actor: Principal, agreement: CreditAgreement) -> bool:
    """A writer of the lending bank (who approves, disburses and records repayments)."""
    return actor.system or (
        actor.side is Side.BANK
        and actor.organization_id == agreement.bank_id
        and actor.role in (Role.EDITOR, Role.APPROVER)
    )


def _move(
    session: Session,
    actor: Principal,
    drawdown: DrawdownRequest,
    act: str,
    source: tuple[DrawdownStatus, ...],
    target: DrawdownStatus,
) -> None:
    change_state(
        session,
        actor,
        drawdown,
        act=act,
        allowed=source,
        target=target,
        noun="drawdown request",
        entity="finance_drawdown",
        error=DrawdownStateError,
    )


def approve_by_bank(session: Session, actor: Principal, drawdown_id: int) -> DrawdownRequest:
    drawdown = _drawdown(session, drawdown_id)
    if not is_bank_writer(actor, drawdown.agreement):
        raise PermissionDeniedError(f"{actor.username} is not a writer of the lending bank")
    _move(session, actor, drawdown, "bank_approve", (D.REQUESTED,), D.BANK_APPROVED)
    drawdown.bank_approved_by = actor.username
    return drawdown


def approve_by_ministry(session: Session, actor: Principal, drawdown_id: int) -> DrawdownRequest:
    """Belarus's ministry approves (an approver of the BY side) after the bank."""
    drawdown = _drawdown(session, drawdown_id)
    if not (actor.system or (actor.side is Side.BY and actor.role is Role.APPROVER)):
        raise PermissionDeniedError(f"{actor.username} may not approve drawdowns for Belarus")
    _move(session, actor, drawdown, "ministry_approve", (D.BANK_APPROVED,), D.APPROVED)
    drawdown.ministry_approved_by = actor.username
    return drawdown


def disburse(
    session: Session, actor: Principal, drawdown_id: int, on: date | None = None
) -> DrawdownRequest:
    """The bank records the disbursement of an approved request."""
    drawdown = _drawdown(session, drawdown_id)
    if not is_bank_writer(actor, drawdown.agreement):
        raise PermissionDeniedError(f"{actor.username} is not a writer of the lending bank")
    _move(session, actor, drawdown, "disburse", (D.APPROVED,), D.DISBURSED)
    drawdown.disbursed_by = actor.username
    drawdown.disbursed_on = on or datetime.now(UTC).date()
    return drawdown


def refuse(session: Session, actor: Principal, drawdown_id: int, reason: str) -> DrawdownRequest:
    """The bank or the ministry refuses (with a reason): the amount is free again."""
    drawdown = _drawdown(session, drawdown_id)
    allowed = is_bank_writer(actor, drawdown.agreement) or (
        actor.side is Side.BY and actor.role is Role.APPROVER
    )
    if not allowed:
        raise PermissionDeniedError(f"{actor.username} may not refuse drawdowns")
    if not reason.strip():
        raise DrawdownStateError("refusing a drawdown needs a reason")
    _move(session, actor, drawdown, "refuse", (D.REQUESTED, D.BANK_APPROVED), D.REFUSED)
    drawdown.refused_reason = reason.strip()
    return drawdown


def drawn(session: Session, facility: Facility) -> Decimal:
    """The facility's disbursed total."""
    total = session.scalar(
        select(func.coalesce(func.sum(DrawdownRequest.amount), 0))
        .join(CreditAgreement, DrawdownRequest.agreement_id == CreditAgreement.id)
        .join(Allocation, CreditAgreement.allocation_id == Allocation.id)
        .where(Allocation.facility_id == facility.id, DrawdownRequest.status == D.DISBURSED)
    )
    return Decimal(total or 0)
