"""Pages of passports: the list with filters and one passport."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from unionsync.access.deps import ActorDep
from unionsync.api.deps import SessionDep
from unionsync.catalog.service import list_industries
from unionsync.core.listing import ListParams
from unionsync.passports import service
from unionsync.passports.models import PassportStatus
from unionsync.web.pages import PageNumber, blank_to_none, int_or_none, render

router = APIRouter(include_in_schema=False)


@router.get("/passports", response_class=HTMLResponse)
def passports_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    page: PageNumber = 1,
    status: str | None = None,
    stage: str | None = None,
    industry_id: str | None = None,
    q: str | None = None,
) -> HTMLResponse:
    statuses = {s.value: s for s in PassportStatus}
    flt = service.PassportFilter(
        statuses.get(status or ""),
        blank_to_none(stage),
        int_or_none(industry_id),
        blank_to_none(q),
    )
    result = service.list_passports(session, actor, flt, ListParams(page, 50))
    return render(
        request,
        session,
        "passports/list.html",
        active="passports",
        page=result,
        flt=flt,
        params=dict(request.query_params),
        statuses=list(PassportStatus),
        industries=list_industries(session, actor),
    )


@router.get("/passports/{passport_id}", response_class=HTMLResponse)
def passport_page(
    request: Request, passport_id: int, session: SessionDep, actor: ActorDep
) -> HTMLResponse:
    passport = service.get_passport(session, actor, passport_id)
    return render(request, session, "passports/detail.html", active="passports", passport=passport)


@router.post("/passports/from-item/{item_id}")
def draft_from_item(item_id: int, session: SessionDep, actor: ActorDep) -> Response:
    """The «draft a passport» action of a synchronisation gap: on to the new draft."""
    passport = service.draft_from_item(session, actor, item_id)
    return RedirectResponse(f"/passports/{passport.id}", status_code=303)
