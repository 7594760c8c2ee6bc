"""API shapes of users, tokens and audit entries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from unionsync.access.models import Role, Side
from unionsync.core.schemas import Id


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    side: Side
    role: Role
    organization_id: int | None
    active: bool
    last_sign_in_at: datetime | None


class UserCreate(BaseModel):
    username: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{2,79}$", examples=["by-analyst"])
    password: str = Field(min_length=10, max_length=200)
    side: Side
    role: Role
    organization_id: Id | None = None


class TokenPublic(BaseModel):
    """A token as listed: never its secret, only the first characters to recognise it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class AuditEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: str
    actor: str
    side: str | None
    action: str
    entity: str | None
    entity_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    address: str | None
    prev_hash: str
    hash: str
