"""API shapes of passports."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from unionsync.core.schemas import MoneyPublic
from unionsync.passports.models import ParticipantRole, PassportStatus


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
