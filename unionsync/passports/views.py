"""Pages of passports: the list, one passport with its workflow, the edit form (a draft, or a
change request once reconciled), versions and their differences, documents, new drafts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.access.deps import ActorDep
from unionsync.access.models import Role, Side
from unionsync.access.policy import (
    Action,
    Kind,
    PermissionDeniedError,
    Principal,
    can,
    require,
)
from unionsync.api.deps import SessionDep
from unionsync.catalog.models import Organization, OrganizationKind
from unionsync.catalog.service import list_industries
from unionsync.core.errors import ConflictError, DomainValidationError, FieldError, NotFoundError
from unionsync.core.listing import ListParams
from unionsync.core.schemas import IdPath, IdQuery
from unionsync.passports import editing, service, workflow
from unionsync.passports.models import (
    ChangeRequestStatus,
    ParticipantRole,
    Passport,
    PassportComment,
    PassportStatus,
)
from unionsync.passports.template import load_template
from unionsync.selection import tenders
from unionsync.web.i18n import current_language
from unionsync.web.pages import PageNumber, blank_to_none, int_or_none, render, use_language

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
        may_create=can(actor, Action.CREATE, Kind.PASSPORT, owner=actor.country),
    )


@router.get("/passports/new", response_class=HTMLResponse)
def new_page(request: Request, session: SessionDep, actor: ActorDep) -> HTMLResponse:
    """A new draft: the header first, the sections on the next page."""
    require(actor, Action.CREATE, Kind.PASSPORT, owner=actor.country)
    return render(
        request,
        session,
        "passports/new.html",
        active="passports",
        industries=list_industries(session, actor),
        initiators=_initiators(session, actor),
        errors=[],
        values={},
    )


@router.post("/passports/new", response_class=HTMLResponse)
async def create_from_form(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    require(actor, Action.CREATE, Kind.PASSPORT, owner=actor.country)
    form = await request.form()
    fields = {
        k: str(form.get(k, ""))
        for k in ("title", "industry_id", "initiator_id", "period_start", "period_end")
    }
    try:
        passport = editing.create_passport(session, actor, fields)
    except DomainValidationError as error:  # found before anything was written
        return render(
            request,
            session,
            "passports/new.html",
            active="passports",
            status_code=422,
            industries=list_industries(session, actor),
            initiators=_initiators(session, actor),
            errors=error.errors,
            values=fields,
        )
    return RedirectResponse(f"/passports/{passport.id}/edit", status_code=303)


@router.get("/passports/{passport_id}", response_class=HTMLResponse)
def passport_page(
    request: Request, passport_id: IdPath, session: SessionDep, actor: ActorDep
) -> HTMLResponse:
    """The passport: its sections, state and the acts open to this user, change requests,
    versions, comments and history, and its documents."""
    passport = service.get_passport(session, actor, passport_id)
    return _passport_page(request, session, actor, passport)


@dataclass(frozen=True, slots=True)
class Refused:
    """A workflow act refused: which, and why (field errors, or one sentence)."""

    act: str
    errors: list[FieldError]
    problem: str = ""


def _passport_page(
    request: Request,
    session: Session,
    actor: Principal,
    passport: Passport,
    *,
    refused: Refused | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    extra = (
        {"tpl": load_template()}  # a bank reads the financing section only
        if actor.side is Side.BANK
        else _detail_context(session, actor, passport)
    )
    return render(
        request,
        session,
        "passports/detail.html",
        active="passports",
        status_code=status_code,
        refused=refused,
        passport=passport,
        tender_trail=tenders.passport_tenders(session, actor, passport),
        equipment_progress=tenders.equipment_progress(session, passport),
        may_tender=passport.status.value in ("reconciled", "in_drawdown", "in_selection")
        and _may_tender(actor, passport),
        **extra,
    )


def _may_tender(actor: Principal, passport: Passport) -> bool:
    try:
        tenders.require_run(actor, passport)
    except PermissionDeniedError:
        return False
    return True


@router.post("/passports/from-item/{item_id}")
def draft_from_item(item_id: IdPath, session: SessionDep, actor: ActorDep) -> Response:
    """The «draft a passport» action of a synchronisation gap: on to the new draft."""
    passport = editing.draft_from_item(session, actor, item_id)
    return RedirectResponse(f"/passports/{passport.id}", status_code=303)


# --- the document, the workflow, editing, change requests, versions --------------------------


def _detail_context(session: Session, actor: Principal, passport: Passport) -> dict[str, Any]:
    sides = editing.sides_of(passport)
    submitter = editing.submitted_by(session, passport)
    acts = [
        t
        for t in workflow.transitions_from(passport.status)
        if workflow.may(actor, t, sides)
        and (t.signer is None or t.signer == actor.country or actor.system)
        and not (t.act is workflow.Act.ACCEPT and submitter == actor.username)  # four eyes
    ]
    unique_acts = list({t.act: t for t in acts}.values())
    may_edit = can(actor, Action.UPDATE, Kind.PASSPORT, owner=actor.country) and (
        actor.country in sides or actor.side is Side.UNION
    )
    requests = editing.change_requests(session, actor, passport.id)
    current = editing.snapshot(passport)
    return {
        "tpl": load_template(),
        "acts": unique_acts,
        "may_edit": may_edit and passport.status in workflow.EDITABLE,
        "may_propose": may_edit and passport.status in workflow.CHANGE_BY_REQUEST,
        "may_sign": actor.role is Role.APPROVER and actor.country in ("BY", "RU"),
        "versions": editing.versions(session, actor, passport.id),
        "requests": requests,
        "request_changes": {
            r.id: editing.differences(
                current,
                r.proposed,
                current_language.get(),
                editing.reference_names(session, current_language.get(), current, r.proposed),
            )
            for r in requests
            if r.status is ChangeRequestStatus.OPEN
        },
        "comments": session.scalars(
            select(PassportComment)
            .where(PassportComment.passport_id == passport.id)
            .order_by(PassportComment.id)
        ).all(),
        "events": editing.timeline(session, actor, passport.id),
        "content_hash": editing.current_hash(session, passport),
    }


@router.post("/passports/{passport_id}/acts/{what}")
def passport_act(
    request: Request,
    passport_id: IdPath,
    what: str,
    session: SessionDep,
    actor: ActorDep,
    comment: Annotated[str | None, Form()] = None,
    lock_version: Annotated[int | None, Form()] = None,
) -> Response:
    """A workflow button: back to the passport, where the new state and history show; a
    refused act comes back to the passport too, with what to complete linked to the form."""
    acts = {a.value: a for a in workflow.Act}
    if what not in acts:
        raise NotFoundError("act", what)
    try:
        editing.act(session, actor, passport_id, acts[what], comment, lock_version)
    except editing.ConcurrentWriteError:
        raise
    except DomainValidationError as error:  # checked before anything changed
        passport = service.get_passport(session, actor, passport_id)
        return _passport_page(
            request, session, actor, passport, refused=Refused(what, error.errors), status_code=422
        )
    except ConflictError as error:
        passport = service.get_passport(session, actor, passport_id)
        return _passport_page(
            request,
            session,
            actor,
            passport,
            refused=Refused(what, [], str(error)),
            status_code=409,
        )
    return RedirectResponse(f"/passports/{passport_id}", status_code=303)


def _form_values(passport: Passport) -> dict[str, Any]:
    """The form's values from the stored passport (header and every section)."""
    template = load_template()
    values: dict[str, Any] = {key: getattr(passport, key) for key in editing.HEADER}
    values = {k: ("" if v is None else str(v)) for k, v in values.items()}
    values["participants"] = [
        {"organization_id": str(p.organization_id), "role": p.role.value}
        for p in passport.participants
        if p.role is not ParticipantRole.INITIATOR
    ]
    content = passport.content or {}
    for section in template.sections:
        if section.is_table:
            values[section.key] = [
                {f.key: f.as_input(row.get(f.key)) for f in section.fields}
                for row in content.get(section.key) or []
            ]
        else:
            record = content.get(section.key) or {}
            values[section.key] = {f.key: f.as_input(record.get(f.key)) for f in section.fields}
    return values


def _posted(form: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(changes for the service, values to show again) from the edit form's fields:
    `h.<header>`, `c.<section>.<field>`, `t.<section>.<row>.<field>`."""
    template = load_template()
    header = {key: form.get(f"h.{key}", "") for key in editing.HEADER if f"h.{key}" in form}
    content: dict[str, Any] = {}
    for section in template.sections:
        if section.is_table:
            rows: dict[int, dict[str, str]] = {}
            for name, value in form.multi_items():
                parts = name.split(".")
                if len(parts) == 4 and parts[:2] == ["t", section.key] and parts[2].isdigit():
                    rows.setdefault(int(parts[2]), {})[parts[3]] = str(value)
            content[section.key] = [rows[n] for n in sorted(rows)]
        else:
            content[section.key] = {
                f.key: str(form.get(f"c.{section.key}.{f.key}", "")) for f in section.fields
            }
    people: dict[int, dict[str, str]] = {}
    for name, value in form.multi_items():
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "p" and parts[1].isdigit():
            people.setdefault(int(parts[1]), {})[parts[2]] = str(value)
    participants = [people[n] for n in sorted(people)]
    shown = {**header, **content, "participants": participants}
    return {**header, "content": content, "participants": participants}, shown


SPARE_ROWS = 2


def _edit_page(
    request: Request,
    session: Session,
    passport: Passport,
    values: dict[str, Any],
    *,
    errors: list[FieldError] | None = None,
    problem: str | None = None,
    reason: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        session,
        "passports/edit.html",
        active="passports",
        status_code=status_code,
        passport=passport,
        tpl=load_template(),
        values=values,
        errors=errors or [],
        problem=problem,
        reason=reason,
        spare=SPARE_ROWS,
        by_request=passport.status in workflow.CHANGE_BY_REQUEST,
        industries=list_industries(session, request.state.actor),
        organizations=session.scalars(
            select(Organization).order_by(
                Organization.country_code, Organization.kind, Organization.name
            )
        ).all(),
        roles=[r for r in ParticipantRole if r is not ParticipantRole.INITIATOR],
    )


@router.get("/passports/{passport_id}/edit", response_class=HTMLResponse)
def edit_page(
    request: Request, passport_id: IdPath, session: SessionDep, actor: ActorDep
) -> HTMLResponse:
    """The whole passport as one form (a draft), or a change to propose (once reconciled)."""
    passport = editing.full_view(session, actor, passport_id)
    editing.require_edit(actor, passport)
    return _edit_page(request, session, passport, _form_values(passport))


@router.post("/passports/{passport_id}/edit", response_class=HTMLResponse)
async def save_edit(
    request: Request, passport_id: IdPath, session: SessionDep, actor: ActorDep
) -> Response:
    """Save the draft (a new version), or file the change request; on a problem the form comes
    back with what was typed, so nothing is lost."""
    passport = editing.full_view(session, actor, passport_id)
    editing.require_edit(actor, passport)
    form = await request.form()
    changes, shown = _posted(form)
    reason = str(form.get("reason", ""))
    try:
        if passport.status in workflow.CHANGE_BY_REQUEST:
            editing.propose_change(session, actor, passport_id, changes, reason)
        else:
            editing.update_passport(
                session, actor, passport_id, int(str(form.get("lock_version") or 0)), changes
            )
    # the services check everything before they change anything, so the form can come back
    # from this same transaction (a write that lost a race spoils it: that one propagates)
    except DomainValidationError as error:
        return _edit_page(
            request, session, passport, shown, errors=error.errors, reason=reason, status_code=422
        )
    except editing.ConcurrentWriteError:
        raise
    except ConflictError as error:
        return _edit_page(
            request, session, passport, shown, problem=str(error), reason=reason, status_code=409
        )
    return RedirectResponse(f"/passports/{passport_id}", status_code=303)


@router.post("/passports/change-requests/{request_id}/decision")
def change_decision(
    request_id: IdPath,
    session: SessionDep,
    actor: ActorDep,
    decision: Annotated[str, Form()],
    comment: Annotated[str | None, Form()] = None,
) -> Response:
    request = editing.decide_change(session, actor, request_id, decision == "approve", comment)
    return RedirectResponse(f"/passports/{request.passport_id}", status_code=303)


@router.get("/passports/{passport_id}/diff", response_class=HTMLResponse)
def diff_page(
    request: Request,
    passport_id: IdPath,
    session: SessionDep,
    actor: ActorDep,
    a: Annotated[int, Query()],
    b: Annotated[int, Query()],
) -> HTMLResponse:
    """The differences between two kept versions."""
    passport = editing.full_view(session, actor, passport_id)
    first = editing.version(session, actor, passport_id, a)
    second = editing.version(session, actor, passport_id, b)
    lang = use_language(request)
    return render(
        request,
        session,
        "passports/diff.html",
        active="passports",
        passport=passport,
        first=first,
        second=second,
        differences=editing.differences(
            first.snapshot,
            second.snapshot,
            lang,
            editing.reference_names(session, lang, first.snapshot, second.snapshot),
        ),
        versions=editing.versions(session, actor, passport_id),
    )


@router.get("/passports/{passport_id}/document.{fmt}")
def document_download(
    request: Request,
    passport_id: IdPath,
    fmt: str,
    session: SessionDep,
    actor: ActorDep,
    lang: str | None = None,
    version: IdQuery = None,
    part: Annotated[str, Query(max_length=20)] = "all",
) -> Response:
    """The passport as Word or PDF, in the page's language unless `lang` says otherwise;
    `part=financing` gives the financing part only (what a financing bank may read)."""
    language = lang if lang in ("ru", "en") else use_language(request)
    data, name, media = editing.document(session, actor, passport_id, fmt, language, version, part)
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def _initiators(session: Session, actor: Principal) -> list[Organization]:
    """Organizations that may initiate: enterprises and ministries of the user's country."""
    stmt = select(Organization).where(
        Organization.kind.in_((OrganizationKind.ENTERPRISE, OrganizationKind.MINISTRY))
    )
    if actor.country:
        stmt = stmt.where(Organization.country_code == actor.country)
    return list(session.scalars(stmt.order_by(Organization.kind, Organization.name)))
