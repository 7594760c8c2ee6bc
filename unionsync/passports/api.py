"""JSON API of passports (read, and drafting from a program item; the workflow endpoints come
with the Passport issue)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from unionsync.access.deps import ActorDep
from unionsync.access.models import Side
from unionsync.api.deps import ListDep, SessionDep
from unionsync.core.schemas import Page
from unionsync.passports import service
from unionsync.passports.models import PassportStatus
from unionsync.passports.schemas import PassportFinancePublic, PassportPublic, passport_view

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
) -> Page[PassportPublic | PassportFinancePublic]:
    result = service.list_passports(
        session, actor, service.PassportFilter(status, stage, industry_id, q), params
    )
    finance_only = actor.side is Side.BANK
    return Page[PassportPublic | PassportFinancePublic](
        items=[passport_view(p, finance_only) for p in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
    )


@router.get("/passports/{passport_id}")
def get_passport(
    passport_id: int, session: SessionDep, actor: ActorDep
) -> PassportPublic | PassportFinancePublic:
    return passport_view(service.get_passport(session, actor, passport_id), actor.side is Side.BANK)


@router.post("/passports/from-item/{item_id}", status_code=201)
def draft_from_item(
    item_id: int, response: Response, session: SessionDep, actor: ActorDep
) -> PassportPublic:
    """Draft a joint-project passport answering a program item's demand (a synchronisation
    gap): 409 when a live passport already answers it."""
    passport = service.draft_from_item(session, actor, item_id)
    response.headers["Location"] = f"/api/v1/passports/{passport.id}"
    return PassportPublic.model_validate(passport)
