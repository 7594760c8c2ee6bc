"""JSON API of passports: lists and details, drafts, the workflow's acts, change requests,
versions and their differences, the history, and the documents (DOCX, PDF)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Response

from unionsync.access.deps import ActorDep
from unionsync.access.models import Side
from unionsync.api.deps import ListDep, SessionDep
from unionsync.core.schemas import IdPath, IdQuery, Language, Page, SearchQuery
from unionsync.core.validation import MAX_ID
from unionsync.passports import editing, service
from unionsync.passports.models import PassportStatus
from unionsync.passports.schemas import (
    ActRequest,
    ChangeDecision,
    ChangeRequestCreate,
    ChangeRequestPublic,
    DifferencePublic,
    EventPublic,
    PassportCreate,
    PassportFinancePublic,
    PassportPublic,
    PassportUpdate,
    VersionDetail,
    VersionPublic,
    passport_view,
)
from unionsync.passports.workflow import Act

router = APIRouter(prefix="/api/v1", tags=["passports"])


@router.get("/passports")
def list_passports(
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    status: PassportStatus | None = None,
    stage: Annotated[str | None, Query(pattern="^[a-z_]{1,40}$")] = None,
    industry_id: IdQuery = None,
    q: SearchQuery = None,
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
    passport_id: IdPath, session: SessionDep, actor: ActorDep
) -> PassportPublic | PassportFinancePublic:
    return passport_view(service.get_passport(session, actor, passport_id), actor.side is Side.BANK)


@router.post("/passports/from-item/{item_id}", status_code=201)
def draft_from_item(
    item_id: IdPath, response: Response, session: SessionDep, actor: ActorDep
) -> PassportPublic:
    """Draft a joint-project passport answering a program item's demand (a synchronisation
    gap): 409 when a live passport already answers it."""
    passport = editing.draft_from_item(session, actor, item_id)
    response.headers["Location"] = f"/api/v1/passports/{passport.id}"
    return PassportPublic.model_validate(passport)


@router.post("/passports", status_code=201)
def create_passport(
    body: PassportCreate, response: Response, session: SessionDep, actor: ActorDep
) -> PassportPublic:
    """A new draft, version 1."""
    fields = body.model_dump(exclude_none=True, mode="json")
    passport = editing.create_passport(session, actor, fields)
    response.headers["Location"] = f"/api/v1/passports/{passport.id}"
    return PassportPublic.model_validate(passport)


@router.patch("/passports/{passport_id}")
def update_passport(
    passport_id: IdPath, body: PassportUpdate, session: SessionDep, actor: ActorDep
) -> PassportPublic:
    """Change a draft (a new version is kept). 409 if `lock_version` is stale or the passport
    is past the draft; 422 lists every field at fault by section, row and field."""
    changes: dict[str, Any] = body.model_dump(exclude_unset=True, mode="json")
    lock = changes.pop("lock_version")
    passport = editing.update_passport(session, actor, passport_id, lock, changes)
    return PassportPublic.model_validate(passport)


@router.post("/passports/{passport_id}/acts/{act}")
def act(
    passport_id: IdPath, act: Act, body: ActRequest, session: SessionDep, actor: ActorDep
) -> PassportPublic:
    """One act of the workflow: submit, accept, approve (for the approver's country), return
    (with a comment), drawdown, selection, implement, complete, cancel (with a reason)."""
    passport = editing.act(
        session, actor, passport_id, act, body.comment, body.lock_version, body.signer
    )
    return PassportPublic.model_validate(passport)


@router.get("/passports/{passport_id}/versions")
def list_versions(passport_id: IdPath, session: SessionDep, actor: ActorDep) -> list[VersionPublic]:
    return [VersionPublic.model_validate(v) for v in editing.versions(session, actor, passport_id)]


@router.get("/passports/{passport_id}/versions/{number}")
def get_version(
    passport_id: IdPath, number: IdPath, session: SessionDep, actor: ActorDep
) -> VersionDetail:
    return VersionDetail.model_validate(editing.version(session, actor, passport_id, number))


@router.get("/passports/{passport_id}/diff")
def diff(
    passport_id: IdPath,
    session: SessionDep,
    actor: ActorDep,
    a: Annotated[int, Query(ge=1, le=MAX_ID, description="the earlier version")],
    b: Annotated[int, Query(ge=1, le=MAX_ID, description="the later version")],
    lang: Language = "ru",
) -> list[DifferencePublic]:
    """What changed between two versions, field by field and row by row."""
    first = editing.version(session, actor, passport_id, a)
    second = editing.version(session, actor, passport_id, b)
    found = editing.differences(
        first.snapshot,
        second.snapshot,
        lang,
        editing.reference_names(session, lang, first.snapshot, second.snapshot),
    )
    return [DifferencePublic.model_validate(d) for d in found]


@router.post("/passports/{passport_id}/change-requests", status_code=201)
def propose_change(
    passport_id: IdPath, body: ChangeRequestCreate, session: SessionDep, actor: ActorDep
) -> ChangeRequestPublic:
    """Propose a change to a reconciled passport; it applies once both sides approve."""
    request = editing.propose_change(session, actor, passport_id, body.changes, body.reason)
    return ChangeRequestPublic.model_validate(request)


@router.get("/passports/{passport_id}/change-requests")
def list_change_requests(
    passport_id: IdPath, session: SessionDep, actor: ActorDep
) -> list[ChangeRequestPublic]:
    found = editing.change_requests(session, actor, passport_id)
    return [ChangeRequestPublic.model_validate(r) for r in found]


@router.post("/change-requests/{request_id}/decision")
def decide_change(
    request_id: IdPath, body: ChangeDecision, session: SessionDep, actor: ActorDep
) -> ChangeRequestPublic:
    """An approver approves for their country (applied when both have) or rejects with a
    comment."""
    request = editing.decide_change(
        session, actor, request_id, body.approve, body.comment, body.signer
    )
    return ChangeRequestPublic.model_validate(request)


@router.get("/passports/{passport_id}/timeline")
def timeline(passport_id: IdPath, session: SessionDep, actor: ActorDep) -> list[EventPublic]:
    """Who did what to the passport and when (the audit trail)."""
    return [EventPublic.model_validate(e) for e in editing.timeline(session, actor, passport_id)]


@router.get(
    "/passports/{passport_id}/document",
    response_class=Response,
    responses={200: {"content": {m: {} for m in editing.FORMATS.values()}}},
)
def passport_document(
    passport_id: IdPath,
    session: SessionDep,
    actor: ActorDep,
    format: Annotated[str, Query(pattern="^(docx|pdf)$")] = "pdf",
    lang: Language = "ru",
    version: IdQuery = None,
    part: Annotated[str, Query(pattern="^(all|financing)$")] = "all",
) -> Response:
    """The passport as DOCX or PDF (Russian or English) with its version and content hash;
    `part=financing`: its financing part only (for a financing bank)."""
    data, name, media = editing.document(session, actor, passport_id, format, lang, version, part)
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )
