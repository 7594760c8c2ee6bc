"""Selection: calls for a joint project's executor and tenders for the equipment its loan buys.

A **call** (конкурсный отбор исполнителя) is opened for a passport in preparation or for a
synchronisation gap (a program item nobody makes); organizations of either country apply; a
commission with members of both sides scores every application on the call's weighted criteria,
blind until each member has submitted; an approver of each side signs the decision, and the
winner becomes the passport's participant.

A **tender** (закупка оборудования) buys a reconciled passport's equipment lines: one lot per
line; bids per lot from suppliers of any country; an award per lot, a contract per award and the
deliveries against it. Its states are those of OCDS (`planning`, `active`, `complete`,
`cancelled`, `unsuccessful`), so that the export needs no translation of states.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from unionsync.catalog.models import Organization, ProgramItem
from unionsync.core.money import Currency
from unionsync.db.base import Base, Timestamped, str_enum, utcnow
from unionsync.db.types import ScaledDecimal, UtcDateTime
from unionsync.passports.models import Passport


class CallStatus(StrEnum):
    DRAFT = "draft"  # being written; nobody may apply yet
    OPEN = "open"  # published: applications until the deadline
    EVALUATION = "evaluation"  # closed: the commission scores, the approvers sign
    DECIDED = "decided"  # both sides signed; the winner is the passport's executor
    CANCELLED = "cancelled"


class Call(Timestamped, Base):
    """A call for the executor of a joint project (a passport, or a gap's program item)."""

    __tablename__ = "selection_call"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    owner_side: Mapped[str] = mapped_column(String(8))  # BY, RU or UNION: who opened it
    passport_id: Mapped[int | None] = mapped_column(
        ForeignKey("passport.id", ondelete="SET NULL"), index=True
    )
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("program_item.id", ondelete="SET NULL"), index=True
    )
    tnved_code: Mapped[str | None] = mapped_column(String(10))
    unit_okei: Mapped[str] = mapped_column(String(3))
    # {"2026": "100.000", ...}: the quantities the executor must reach, per year
    quantities: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime())
    disagreement_margin: Mapped[Decimal] = mapped_column(ScaledDecimal(2), default=Decimal(15))
    status: Mapped[CallStatus] = mapped_column(
        str_enum(CallStatus, 16), default=CallStatus.DRAFT, index=True
    )
    signed_by_by: Mapped[str | None] = mapped_column(String(80))
    signed_by_ru: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(80))

    passport: Mapped[Passport | None] = relationship()
    item: Mapped[ProgramItem | None] = relationship()
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="Criterion.position"
    )
    members: Mapped[list[CommissionMember]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="CommissionMember.id"
    )
    applications: Mapped[list[Application]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="Application.id"
    )
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="Invitation.id"
    )


class Criterion(Base):
    """One criterion of a call and its weight (the weights of a call sum to 100)."""

    __tablename__ = "selection_criterion"
    __table_args__ = (UniqueConstraint("call_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("selection_call.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    weight: Mapped[Decimal] = mapped_column(ScaledDecimal(2))

    call: Mapped[Call] = relationship(back_populates="criteria")


class Invitation(Base):
    """An organization invited to apply (suggested by the matching engine, or named by hand)."""

    __tablename__ = "selection_invitation"
    __table_args__ = (UniqueConstraint("call_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("selection_call.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    evidence: Mapped[str | None] = mapped_column(Text)  # why the engine suggested it
    invited_by: Mapped[str] = mapped_column(String(80))
    invited_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    call: Mapped[Call] = relationship(back_populates="invitations")
    organization: Mapped[Organization] = relationship()


class CommissionMember(Base):
    """A member of a call's commission: a user of one side, who declares having no conflict of
    interest before scoring and submits once (then sees the others' submitted scores)."""

    __tablename__ = "selection_member"
    __table_args__ = (UniqueConstraint("call_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("selection_call.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    username: Mapped[str] = mapped_column(String(80))
    side: Mapped[str] = mapped_column(String(8))  # BY or RU
    declared_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    call: Mapped[Call] = relationship(back_populates="members")


class Application(Timestamped, Base):
    """An organization's offer to execute the project: frozen at the call's deadline."""

    __tablename__ = "selection_application"
    __table_args__ = (UniqueConstraint("call_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(
        ForeignKey("selection_call.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    product: Mapped[str] = mapped_column(String(500))
    # {"2026": "80.000", ...}: the capacity offered per year, in the call's unit
    capacity: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    price_amount: Mapped[Decimal] = mapped_column(ScaledDecimal(2))  # per unit
    price_currency: Mapped[Currency] = mapped_column(str_enum(Currency, 3))
    first_output: Mapped[date] = mapped_column(Date)
    financing_asked: Mapped[Decimal] = mapped_column(ScaledDecimal(2), default=Decimal(0))
    own_share: Mapped[Decimal] = mapped_column(ScaledDecimal(2), default=Decimal(0))  # percent
    localisation: Mapped[Decimal] = mapped_column(ScaledDecimal(2), default=Decimal(0))
    documents: Mapped[str | None] = mapped_column(Text)  # references to the documents given
    entered_by: Mapped[str] = mapped_column(String(80))
    won: Mapped[bool] = mapped_column(Boolean, default=False)  # the signed decision's winner

    call: Mapped[Call] = relationship(back_populates="applications")
    organization: Mapped[Organization] = relationship()


class Score(Base):
    """One member's score (0–10) of one application on one criterion."""

    __tablename__ = "selection_score"
    __table_args__ = (UniqueConstraint("member_id", "application_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("selection_member.id", ondelete="CASCADE"), index=True
    )
    application_id: Mapped[int] = mapped_column(
        ForeignKey("selection_application.id", ondelete="CASCADE")
    )
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("selection_criterion.id", ondelete="CASCADE")
    )
    value: Mapped[Decimal] = mapped_column(ScaledDecimal(2))


# --- equipment tenders (OCDS) -----------------------------------------------------------------


class TenderStatus(StrEnum):
    """OCDS `tenderStatus`."""

    PLANNING = "planning"
    ACTIVE = "active"
    COMPLETE = "complete"
    CANCELLED = "cancelled"
    UNSUCCESSFUL = "unsuccessful"


class Method(StrEnum):
    """OCDS `method`: a method other than open needs a stated reason."""

    OPEN = "open"
    SELECTIVE = "selective"
    LIMITED = "limited"
    DIRECT = "direct"


class AwardCriteria(StrEnum):
    LOWEST_PRICE = "priceOnly"  # OCDS awardCriteria codes
    PRICE_QUALITY = "ratedCriteria"


class Tender(Timestamped, Base):
    """A tender for a reconciled passport's equipment: its lines become lots."""

    __tablename__ = "selection_tender"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    passport_id: Mapped[int] = mapped_column(ForeignKey("passport.id"), index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    title: Mapped[str] = mapped_column(String(500))
    method: Mapped[Method] = mapped_column(str_enum(Method, 16))
    method_rationale: Mapped[str | None] = mapped_column(Text)
    award_criteria: Mapped[AwardCriteria] = mapped_column(
        str_enum(AwardCriteria, 16), default=AwardCriteria.LOWEST_PRICE
    )
    price_weight: Mapped[Decimal] = mapped_column(ScaledDecimal(2), default=Decimal(100))
    currency: Mapped[Currency] = mapped_column(str_enum(Currency, 3))
    tender_start: Mapped[datetime] = mapped_column(UtcDateTime())
    tender_end: Mapped[datetime] = mapped_column(UtcDateTime())
    enquiry_end: Mapped[datetime | None] = mapped_column(UtcDateTime())
    award_date: Mapped[date | None] = mapped_column(Date)  # planned
    status: Mapped[TenderStatus] = mapped_column(
        str_enum(TenderStatus, 16), default=TenderStatus.PLANNING, index=True
    )
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(80))

    passport: Mapped[Passport] = relationship()
    buyer: Mapped[Organization] = relationship()
    lots: Mapped[list[Lot]] = relationship(
        back_populates="tender", cascade="all, delete-orphan", order_by="Lot.position"
    )


class Lot(Base):
    """One equipment line of the passport, as a lot of the tender."""

    __tablename__ = "selection_lot"
    __table_args__ = (UniqueConstraint("tender_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(
        ForeignKey("selection_tender.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    line: Mapped[int] = mapped_column(Integer)  # the row of the passport's equipment table
    name: Mapped[str] = mapped_column(String(500))
    tnved_code: Mapped[str | None] = mapped_column(String(10))
    quantity: Mapped[int] = mapped_column(Integer)
    budget: Mapped[Decimal | None] = mapped_column(ScaledDecimal(2))  # in the tender's currency
    unsuccessful: Mapped[bool] = mapped_column(Boolean, default=False)

    tender: Mapped[Tender] = relationship(back_populates="lots")
    bids: Mapped[list[Bid]] = relationship(
        back_populates="lot", cascade="all, delete-orphan", order_by="Bid.id"
    )


class Bid(Base):
    """A supplier's offer for one lot; its amount is also kept in the tender's currency."""

    __tablename__ = "selection_bid"
    __table_args__ = (UniqueConstraint("lot_id", "supplier_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("selection_lot.id", ondelete="CASCADE"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    origin: Mapped[str] = mapped_column(String(2))  # the country the equipment comes from
    units: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    currency: Mapped[Currency] = mapped_column(str_enum(Currency, 3))
    amount_in_tender: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    quality: Mapped[Decimal | None] = mapped_column(ScaledDecimal(2))  # 0–100
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    entered_by: Mapped[str] = mapped_column(String(80))

    lot: Mapped[Lot] = relationship(back_populates="bids")
    supplier: Mapped[Organization] = relationship()


class Award(Base):
    """The winning bid of a lot (OCDS award, `active` once the tender is complete)."""

    __tablename__ = "selection_award"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(
        ForeignKey("selection_lot.id", ondelete="CASCADE"), unique=True
    )
    bid_id: Mapped[int] = mapped_column(ForeignKey("selection_bid.id"))
    score: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    awarded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    lot: Mapped[Lot] = relationship()
    bid: Mapped[Bid] = relationship()


class Contract(Base):
    """The contract signed on an award: amount, units and the delivery schedule."""

    __tablename__ = "selection_contract"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("selection_award.id"), unique=True)
    amount: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    currency: Mapped[Currency] = mapped_column(str_enum(Currency, 3))
    units: Mapped[int] = mapped_column(Integer)
    signed_on: Mapped[date] = mapped_column(Date)
    # [{"date": "2026-05-01", "units": 4}, ...]: when how many units are due
    schedule: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(80))

    award: Mapped[Award] = relationship()
    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="Delivery.delivered_on"
    )


class Delivery(Base):
    """Units delivered under a contract on a date."""

    __tablename__ = "selection_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("selection_contract.id", ondelete="CASCADE"), index=True
    )
    units: Mapped[int] = mapped_column(Integer)
    delivered_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(80))

    contract: Mapped[Contract] = relationship(back_populates="deliveries")
