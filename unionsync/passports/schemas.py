"""API shapes of passports."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from unionsync.core.schemas import MoneyPublic
from unionsync.passports.models import ParticipantRole, PassportStatus


class ParticipantPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    organization_id: int
    role: ParticipantRole


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
