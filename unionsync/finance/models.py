"""The money side of joint projects: the state loan facility, its allocations per passport, the
banks' credit agreements, drawdown requests and repayments.

Russia's state loan to Belarus for import substitution (November 2022, 105 bn RUB) is lent on by
Belarusian banks to the enterprises: the facility is allocated per passport (both sides approve),
a bank signs a credit agreement against an allocation, and the borrower draws it down request by
request (the bank and Belarus's ministry approve, the bank disburses).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from unionsync.catalog.models import Organization
from unionsync.core.money import Currency
from unionsync.db.base import Base, Timestamped, str_enum, utcnow
from unionsync.db.types import ScaledDecimal, UtcDateTime
from unionsync.finance.schedules import RepaymentMethod
from unionsync.passports.models import Passport


class Facility(Timestamped, Base):
    """A loan facility: how much, in what, until when, at what rate."""

    __tablename__ = "finance_facility"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    amount: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    currency: Mapped[Currency] = mapped_column(str_enum(Currency, 3))
    available_from: Mapped[date] = mapped_column(Date)
    available_until: Mapped[date] = mapped_column(Date)
    fixed_rate: Mapped[Decimal | None] = mapped_column(ScaledDecimal(6))  # 0.095 for 9.5 %
    reference_rate: Mapped[str | None] = mapped_column(String(80))  # or a reference rate's name
    margin: Mapped[Decimal | None] = mapped_column(ScaledDecimal(6))  # plus this margin
    repayment_terms: Mapped[str | None] = mapped_column(Text)


class ReferenceRate(Base):
    """A reference rate's value from a date on (the rate table a floating facility reads)."""

    __tablename__ = "finance_reference_rate"
    __table_args__ = (UniqueConstraint("name", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    valid_from: Mapped[date] = mapped_column(Date)
    rate: Mapped[Decimal] = mapped_column(ScaledDecimal(6))


class AllocationStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"  # both sides approved
    CANCELLED = "cancelled"


class Allocation(Timestamped, Base):
    """The part of a facility set aside for one passport (approved by both sides)."""

    __tablename__ = "finance_allocation"
    __table_args__ = (UniqueConstraint("facility_id", "passport_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("finance_facility.id"), index=True)
    passport_id: Mapped[int] = mapped_column(ForeignKey("passport.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    status: Mapped[AllocationStatus] = mapped_column(
        str_enum(AllocationStatus, 12), default=AllocationStatus.PROPOSED
    )
    approved_by_by: Mapped[str | None] = mapped_column(String(80))
    approved_by_ru: Mapped[str | None] = mapped_column(String(80))

    facility: Mapped[Facility] = relationship()
    passport: Mapped[Passport] = relationship()


class CreditAgreement(Timestamped, Base):
    """A bank's credit agreement with the passport's enterprise, against an allocation."""

    __tablename__ = "finance_agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("finance_allocation.id"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    borrower_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    amount: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    currency: Mapped[Currency] = mapped_column(str_enum(Currency, 3))
    annual_rate: Mapped[Decimal] = mapped_column(ScaledDecimal(6))
    grace_periods: Mapped[int] = mapped_column(Integer, default=0)
    periods: Mapped[int] = mapped_column(Integer)
    periods_per_year: Mapped[int] = mapped_column(Integer, default=12)
    method: Mapped[RepaymentMethod] = mapped_column(str_enum(RepaymentMethod, 16))
    signed_on: Mapped[date] = mapped_column(Date)
    first_due: Mapped[date] = mapped_column(Date)

    allocation: Mapped[Allocation] = relationship()
    bank: Mapped[Organization] = relationship(foreign_keys=[bank_id])
    borrower: Mapped[Organization] = relationship(foreign_keys=[borrower_id])


class DrawdownStatus(StrEnum):
    REQUESTED = "requested"
    BANK_APPROVED = "bank_approved"
    APPROVED = "approved"  # the bank and Belarus's ministry approved
    DISBURSED = "disbursed"
    REFUSED = "refused"


LIVE_DRAWDOWN = (
    DrawdownStatus.REQUESTED,
    DrawdownStatus.BANK_APPROVED,
    DrawdownStatus.APPROVED,
    DrawdownStatus.DISBURSED,
)


class DrawdownRequest(Base):
    """A request to draw part of an agreement for a purpose (a tender's contract, or another
    expense line of the passport); a live request holds its amount against every limit."""

    __tablename__ = "finance_drawdown"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("finance_agreement.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(ScaledDecimal(2))  # in the agreement's currency
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("selection_contract.id"))
    purpose: Mapped[str] = mapped_column(String(500))
    status: Mapped[DrawdownStatus] = mapped_column(
        str_enum(DrawdownStatus, 16), default=DrawdownStatus.REQUESTED, index=True
    )
    requested_by: Mapped[str] = mapped_column(String(80))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    bank_approved_by: Mapped[str | None] = mapped_column(String(80))
    ministry_approved_by: Mapped[str | None] = mapped_column(String(80))
    disbursed_by: Mapped[str | None] = mapped_column(String(80))
    disbursed_on: Mapped[date | None] = mapped_column(Date)
    refused_reason: Mapped[str | None] = mapped_column(Text)

    agreement: Mapped[CreditAgreement] = relationship()


class Repayment(Base):
    """A payment the borrower made under an agreement: principal and interest, on a day."""

    __tablename__ = "finance_repayment"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("finance_agreement.id"), index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    principal: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    interest: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    recorded_by: Mapped[str] = mapped_column(String(80))
