"""JSON API of passports (read; the workflow endpoints come with the Passport issue)."""

from __future__ import annotations

from fastapi import APIRouter

from unionsync.access.deps import ActorDep
from unionsync.api.deps import ListDep, SessionDep
from unionsync.core.schemas import Page, to_page
from unionsync.passports import service
from unionsync.passports.models import PassportStatus
from unionsync.passports.schemas import PassportPublic

router = APIRouter(prefix="/api/v1", tags=["passports"])


@router.get("/passports")
def list_passports(
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    status: PassportStatus | None = None,
    stage: str | None = None,
    industry_id: int | None = None,
    q: str | None = None,
) -> Page[PassportPublic]:
    result = service.list_passports(
        session, actor, service.PassportFilter(status, stage, industry_id, q), params
    )
    return to_page(PassportPublic, result)


@router.get("/passports/{passport_id}")
def get_passport(passport_id: int, session: SessionDep, actor: ActorDep) -> PassportPublic:
    return PassportPublic.model_validate(service.get_passport(session, actor, passport_id))
