"""API shapes of passports."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from unionsync.core.money import Currency
from unionsync.core.schemas import Amount, Id, MoneyPublic, Name, Note, NotNull, Year
from unionsync.passports.models import ChangeRequestStatus, ParticipantRole, PassportStatus
from unionsync.passports.workflow import Act


class ParticipantPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    organization_id: int
    role: ParticipantRole


class PassportProductPublic(BaseModel):
    """A product the project will make, where, how much a year and from which year."""

    model_config = ConfigDict(from_attributes=True)

    position: int
    name_ru: str
    name_en: str | None
    tnved_code: str | None
    unit_okei: str
    country_code: str
    producer_id: int | None
    capacity_per_year: Decimal
    start_year: int
    source_item_id: int | None


class PassportPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    title: str
    title_en: str | None
    industry_id: int
    initiator_id: int
    period_start: int
    period_end: int
    status: PassportStatus
    budget: MoneyPublic | None
    summary: str | None
    participants: list[ParticipantPublic]
    products: list[PassportProductPublic]
    content: dict[str, Any]
    version: int
    lock_version: int  # send it back with a change: a stale change is refused with 409
    cancel_reason: str | None


class PassportFinancePublic(BaseModel):
    """What a financing bank sees of a passport: the project's identity and its financing."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    title: str
    status: PassportStatus
    period_start: int
    period_end: int
    budget: MoneyPublic | None
    participants: list[ParticipantPublic]


def passport_view(passport: object, finance_only: bool) -> PassportPublic | PassportFinancePublic:
    """The full passport, or only its financing part (for banks)."""
    if not finance_only:
        return PassportPublic.model_validate(passport)
    view = PassportFinancePublic.model_validate(passport)
    banks = [p for p in view.participants if p.role is ParticipantRole.BANK]
    return view.model_copy(update={"participants": banks})


class ParticipantIn(BaseModel):
    organization_id: Id
    role: ParticipantRole


Participants = Annotated[list[ParticipantIn], Field(max_length=200)]
LockVersion = Annotated[int, Field(ge=0, le=2**31 - 1)]
Signer = Literal["BY", "RU"]


class PassportCreate(BaseModel):
    """A new draft: the header, and the content by the template (may be incomplete)."""

    title: Name
    title_en: Name | None = None
    industry_id: Id
    initiator_id: Id
    period_start: Year
    period_end: Year
    budget_amount: Amount | None = None
    budget_currency: Currency | None = None
    summary: Note | None = None
    content: dict[str, Any] | None = None
    participants: Participants | None = None


class PassportUpdate(BaseModel):
    """Changes to a draft: only the fields given change. `lock_version` is the one read; a
    field that may not be empty cannot be set to null."""

    lock_version: LockVersion
    title: Annotated[Name | None, NotNull()] = None
    title_en: Name | None = None
    industry_id: Annotated[Id | None, NotNull()] = None
    period_start: Annotated[Year | None, NotNull()] = None
    period_end: Annotated[Year | None, NotNull()] = None
    budget_amount: Amount | None = None
    budget_currency: Currency | None = None
    summary: Note | None = None
    content: Annotated[dict[str, Any] | None, NotNull()] = None
    participants: Annotated[Participants | None, NotNull()] = None  # the initiator always stays


class ActRequest(BaseModel):
    comment: Note | None = None
    lock_version: LockVersion | None = None
    signer: Signer | None = None  # the operator's API only: which country an approval is for


class VersionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    content_hash: str
    created_by: str
    created_at: datetime
    note: str | None


class VersionDetail(VersionPublic):
    snapshot: dict[str, Any]


class DifferencePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    where: str
    before: str
    after: str


class ChangeRequestCreate(BaseModel):
    reason: Note
    changes: dict[str, Any]  # header fields and/or `content`, as in a draft's update


class ChangeRequestPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    passport_id: int
    base_version: int
    reason: str
    status: ChangeRequestStatus
    created_by: str
    approved_by_by: str | None
    approved_by_ru: str | None
    decided_by: str | None
    comment: str | None
    applied_version: int | None
    proposed: dict[str, Any]


class ChangeDecision(BaseModel):
    approve: bool
    comment: Note | None = None
    signer: Signer | None = None


class EventPublic(BaseModel):
    """One line of a passport's history, from the audit trail."""

    model_config = ConfigDict(from_attributes=True)

    at: str
    actor: str
    side: str | None
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


ACTS = [a.value for a in Act]
