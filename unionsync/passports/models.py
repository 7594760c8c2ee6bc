"""Passport v1: the joint project both governments sign; later issues add its full content."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from unionsync.catalog.models import Organization
from unionsync.core.money import Currency, Money
from unionsync.db.base import Base, Timestamped, str_enum, utcnow
from unionsync.db.types import ScaledDecimal, UtcDateTime
from unionsync.reference.models import Industry


class PassportStatus(StrEnum):
    """States of the reconciliation workflow (its state machine comes with the Passport issue)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_RECONCILIATION = "under_reconciliation"
    APPROVED_BY_BY = "approved_by_by"
    APPROVED_BY_RU = "approved_by_ru"
    RECONCILED = "reconciled"
    IN_DRAWDOWN = "in_drawdown"
    IN_SELECTION = "in_selection"
    IN_IMPLEMENTATION = "in_implementation"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


IN_PREPARATION = frozenset(
    {
        PassportStatus.DRAFT,
        PassportStatus.SUBMITTED,
        PassportStatus.UNDER_RECONCILIATION,
        PassportStatus.APPROVED_BY_BY,
        PassportStatus.APPROVED_BY_RU,
    }
)
RECONCILED_OR_LATER = frozenset(
    {
        PassportStatus.RECONCILED,
        PassportStatus.IN_DRAWDOWN,
        PassportStatus.IN_SELECTION,
        PassportStatus.IN_IMPLEMENTATION,
        PassportStatus.COMPLETED,
    }
)


class ParticipantRole(StrEnum):
    INITIATOR = "initiator"
    CURATOR = "curator"
    LEADER = "leader"
    PARTICIPANT = "participant"
    BANK = "bank"


class Passport(Timestamped, Base):
    """A joint project passport: who does what, when, for how much."""

    __tablename__ = "passport"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    title_en: Mapped[str | None] = mapped_column(String(500))
    industry_id: Mapped[int] = mapped_column(ForeignKey("industry.id"), index=True)
    initiator_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    period_start: Mapped[int] = mapped_column(Integer)
    period_end: Mapped[int] = mapped_column(Integer)
    status: Mapped[PassportStatus] = mapped_column(
        str_enum(PassportStatus), default=PassportStatus.DRAFT, index=True
    )
    budget_amount: Mapped[Decimal | None] = mapped_column(ScaledDecimal(2))
    budget_currency: Mapped[Currency | None] = mapped_column(str_enum(Currency, 3))
    summary: Mapped[str | None] = mapped_column(Text)
    # the sections of the template (`template.json`) as a JSON document
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)  # the latest kept version
    # optimistic locking: every UPDATE checks and bumps it, so a stale write fails
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012 - SQLAlchemy's hook

    industry: Mapped[Industry] = relationship()
    initiator: Mapped[Organization] = relationship()
    participants: Mapped[list[PassportParticipant]] = relationship(
        back_populates="passport", cascade="all, delete-orphan", order_by="PassportParticipant.id"
    )
    products: Mapped[list[PassportProduct]] = relationship(
        back_populates="passport", cascade="all, delete-orphan", order_by="PassportProduct.position"
    )

    @property
    def budget(self) -> Money | None:
        if self.budget_amount is None or self.budget_currency is None:
            return None
        return Money(self.budget_amount, self.budget_currency)


class PassportParticipant(Base):
    """An organization of either country taking part in a passport, in a role."""

    __tablename__ = "passport_participant"
    __table_args__ = (UniqueConstraint("passport_id", "organization_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    passport_id: Mapped[int] = mapped_column(ForeignKey("passport.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    role: Mapped[ParticipantRole] = mapped_column(str_enum(ParticipantRole, 16))

    passport: Mapped[Passport] = relationship(back_populates="participants")
    organization: Mapped[Organization] = relationship()


class PassportProduct(Base):
    """A product the project will make: where, how much a year, from which year, and (when the
    passport was drafted from a program's gap) the item whose demand it answers.

    Production in one country serves consumers on the other side, so the coverage scenarios
    add this capacity to the partner country's supply from `start_year` on.
    """

    __tablename__ = "passport_product"
    __table_args__ = (UniqueConstraint("passport_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    passport_id: Mapped[int] = mapped_column(
        ForeignKey("passport.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    name_ru: Mapped[str] = mapped_column(String(500))
    name_en: Mapped[str | None] = mapped_column(String(500))
    tnved_code: Mapped[str | None] = mapped_column(String(10), index=True)
    unit_okei: Mapped[str] = mapped_column(String(3))
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"))  # where it is made
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    capacity_per_year: Mapped[Decimal] = mapped_column(ScaledDecimal(3))
    start_year: Mapped[int] = mapped_column(Integer)  # the first year of full capacity
    source_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("program_item.id", ondelete="SET NULL")
    )

    passport: Mapped[Passport] = relationship(back_populates="products")
    producer: Mapped[Organization | None] = relationship()


class PassportVersion(Base):
    """Every state of a passport's document that was saved: what was signed stays readable."""

    __tablename__ = "passport_version"
    __table_args__ = (UniqueConstraint("passport_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    passport_id: Mapped[int] = mapped_column(
        ForeignKey("passport.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)  # header, participants, content
    content_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the canonical snapshot
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)


class ChangeRequestStatus(StrEnum):
    OPEN = "open"
    APPLIED = "applied"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class PassportChangeRequest(Timestamped, Base):
    """A change to a reconciled passport: the proposed document, signed by both sides before it
    becomes the next version."""

    __tablename__ = "passport_change_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    passport_id: Mapped[int] = mapped_column(
        ForeignKey("passport.id", ondelete="CASCADE"), index=True
    )
    base_version: Mapped[int] = mapped_column(Integer)
    proposed: Mapped[dict[str, Any]] = mapped_column(JSON)  # header and content, as a snapshot
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ChangeRequestStatus] = mapped_column(
        str_enum(ChangeRequestStatus, 12), default=ChangeRequestStatus.OPEN
    )
    created_by: Mapped[str] = mapped_column(String(80))
    approved_by_by: Mapped[str | None] = mapped_column(String(80))
    approved_by_ru: Mapped[str | None] = mapped_column(String(80))
    decided_by: Mapped[str | None] = mapped_column(String(80))
    comment: Mapped[str | None] = mapped_column(Text)
    applied_version: Mapped[int | None] = mapped_column(Integer)


class PassportComment(Base):
    """What a side said when it acted: a return's remarks, a cancellation's reason."""

    __tablename__ = "passport_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    passport_id: Mapped[int] = mapped_column(
        ForeignKey("passport.id", ondelete="CASCADE"), index=True
    )
    act: Mapped[str] = mapped_column(String(20))
    author: Mapped[str] = mapped_column(String(80))
    side: Mapped[str | None] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
