"""Pages of selection: the overview («tenders for N units, M delivered»), calls (opening, the
applications, acts, results), one member's evaluation sheet, tenders with their lots, bids,
awards, contracts and deliveries, and the protocol documents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.access.deps import ActorDep
from unionsync.access.models import Role, Side
from unionsync.access.policy import Action, Kind, PermissionDeniedError, Principal, can, require
from unionsync.api.deps import SessionDep
from unionsync.catalog.models import Organization, OrganizationKind
from unionsync.catalog.service import list_industries
from unionsync.core.errors import DomainValidationError, FieldError, NotFoundError
from unionsync.core.listing import ListParams
from unionsync.core.schemas import IdPath, IdQuery
from unionsync.passports.models import IN_PREPARATION, Passport
from unionsync.selection import calls, protocol, report, tenders
from unionsync.selection.models import (
    AwardCriteria,
    Call,
    CallStatus,
    Contract,
    Method,
    Tender,
    TenderStatus,
)
from unionsync.selection.schemas import (
    DEFAULT_CRITERIA,
    ApplicationIn,
    BidIn,
    CallCreate,
    ContractIn,
    DeliveryIn,
    ScoreIn,
    TenderCreate,
)
from unionsync.web.i18n import N_
from unionsync.web.pages import PageNumber, form_values, int_or_none, render, validated_form

router = APIRouter(include_in_schema=False)
# the default criteria as the form names them (their stored names are the Russian ones)
CRITERION_LABELS = {
    "technical_fit": N_("Technical fit"),
    "capacity": N_("Capacity against the demand"),
    "price": N_("Price"),
    "own_share": N_("Own co-financing share"),
    "time_to_output": N_("Time to first output"),
    "localisation": N_("Localisation share"),
    "experience": N_("Experience"),
}


@router.get("/selection", response_class=HTMLResponse)
def selection_page(request: Request, session: SessionDep, actor: ActorDep) -> HTMLResponse:
    """Winners chosen for N units of equipment, M delivered: by passport, industry and supplier
    country (each figure links to its tenders), then the calls and the tenders."""
    overview = report.overview(session, actor)
    call_list = (
        calls.list_calls(session, actor, ListParams(1, 100)).items
        if actor.side is not Side.BANK
        else []
    )
    tender_list = tenders.list_tenders(session, actor, ListParams(1, 100)).items
    return render(
        request,
        session,
        "selection/overview.html",
        active="selection",
        overview=overview,
        calls=call_list,
        tenders=tender_list,
        may_open=can(actor, Action.CREATE, Kind.SELECTION, owner=actor.country or "UNION")
        and actor.side in (Side.BY, Side.RU, Side.UNION),
    )


# --- calls ------------------------------------------------------------------------------------


@router.get("/calls/new", response_class=HTMLResponse)
def new_call_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    passport_id: str | None = None,
    item_id: str | None = None,
) -> HTMLResponse:
    require(actor, Action.CREATE, Kind.SELECTION, owner=actor.country or "UNION")
    values = {
        "passport_id": passport_id or "",
        "item_id": item_id or "",
        "deadline": (datetime.now(UTC) + timedelta(days=21)).date().isoformat(),
        "year": str(datetime.now(UTC).year + 1),
        "quantity": "",
        "members": "",
        **{f"weight_{k}": str(w) for k, _n, w in DEFAULT_CRITERIA},
    }
    return _new_call_form(request, session, values, [])


def _new_call_form(
    request: Request,
    session: Session,
    values: dict[str, str],
    errors: list[FieldError],
    status_code: int = 200,
) -> HTMLResponse:
    passports = session.scalars(
        select(Passport).where(Passport.status.in_(IN_PREPARATION)).order_by(Passport.number)
    ).all()
    return render(
        request,
        session,
        "selection/call_new.html",
        active="selection",
        status_code=status_code,
        values=values,
        errors=errors,
        passports=passports,
        criteria=DEFAULT_CRITERIA,
        criterion_labels=CRITERION_LABELS,
    )


@router.post("/calls/new", response_class=HTMLResponse)
async def create_call(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """The form of a new call: the same validation as the API (`CallCreate`)."""
    require(actor, Action.CREATE, Kind.SELECTION, owner=actor.country or "UNION")
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    deadline_day = values.get("deadline", "")
    body: dict[str, Any] = {
        "title": values.get("title", ""),
        "passport_id": values.get("passport_id") or None,
        "item_id": values.get("item_id") or None,
        "quantities": [{"year": values.get("year", ""), "quantity": values.get("quantity", "")}],
        "deadline": f"{deadline_day}T18:00:00+03:00" if deadline_day else "",
        "members": [m.strip() for m in values.get("members", "").split(",") if m.strip()],
        "criteria": [
            {"key": k, "name": n, "weight": values.get(f"weight_{k}", "0") or "0"}
            for k, n, _w in DEFAULT_CRITERIA
            if (values.get(f"weight_{k}", "0") or "0") not in ("0", "0.0", "0,0")
        ],
    }
    try:
        call = calls.open_call(session, actor, validated_form(CallCreate, body))
    except DomainValidationError as error:
        return _new_call_form(request, session, values, error.errors, 422)
    return RedirectResponse(f"/calls/{call.id}", status_code=303)


@router.get("/calls/{call_id}", response_class=HTMLResponse)
def call_page(
    request: Request, call_id: IdPath, session: SessionDep, actor: ActorDep
) -> HTMLResponse:
    """The call: facts, criteria, commission, candidates, applications, results and acts."""
    call = calls.get_call(session, actor, call_id)
    member = calls.member_of(call, actor)
    runs = _runs(actor, call)
    try:
        results = calls.results(session, actor, call_id)
    except PermissionDeniedError:
        results = None
    return render(
        request,
        session,
        "selection/call.html",
        active="selection",
        call=call,
        member=member,
        runs=runs,
        may_sign=actor.role is Role.APPROVER and actor.country in ("BY", "RU"),
        applications=calls.applications(session, actor, call_id),
        applicable=_applicable(session, actor) if call.status is CallStatus.OPEN else [],
        candidates=calls.candidates(session, actor, call_id) if runs else [],
        results=results,
        now=datetime.now(UTC),
        events=report.history(session, "call", call_id),
    )


def _runs(actor: Principal, call: Call) -> bool:
    return can(actor, Action.UPDATE, Kind.SELECTION, owner=call.owner_side)


@router.post("/calls/{call_id}/acts/{what}")
def call_act(
    call_id: IdPath,
    what: str,
    session: SessionDep,
    actor: ActorDep,
    comment: Annotated[str | None, Form(max_length=10_000)] = None,
) -> Response:
    """A button of the call: back to the call, where its new state shows."""
    acts = {
        "publish": lambda: calls.publish(session, actor, call_id),
        "close": lambda: calls.close(session, actor, call_id),
        "sign": lambda: calls.sign(session, actor, call_id),
        "cancel": lambda: calls.cancel(session, actor, call_id, comment),
    }
    if what not in acts:
        raise NotFoundError("act", what)
    acts[what]()
    return RedirectResponse(f"/calls/{call_id}", status_code=303)


def _applicable(session: Session, actor: Principal) -> list[Organization]:
    """The enterprises this person may apply for: their own, or (a ministry's writer) those
    of their country."""
    if actor.role not in (Role.EDITOR, Role.APPROVER) or actor.country is None:
        return []
    own = calls.enterprise_of(session, actor)
    if own is not None:
        return [own]
    return list(
        session.scalars(
            select(Organization)
            .where(
                Organization.kind == OrganizationKind.ENTERPRISE,
                Organization.country_code == actor.country,
            )
            .order_by(Organization.name)
        )
    )


@router.post("/calls/{call_id}/applications", response_class=HTMLResponse)
async def apply(
    request: Request, call_id: IdPath, session: SessionDep, actor: ActorDep
) -> Response:
    """The application form of the call page: the API's validation (`ApplicationIn`)."""
    calls.get_call(session, actor, call_id)
    if not _applicable(session, actor):
        raise PermissionDeniedError(f"{actor.username} applies for no organization")
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    body = {
        "organization_id": values.get("organization_id") or None,
        "product": values.get("product", ""),
        "capacity": [{"year": values.get("year", ""), "quantity": values.get("capacity", "")}],
        "price": values.get("price", "").replace(",", ".").replace(" ", ""),
        "currency": values.get("currency", "RUB"),
        "first_output": values.get("first_output", ""),
        "own_share": values.get("own_share") or "0",
        "localisation": values.get("localisation") or "0",
        "financing_asked": values.get("financing_asked") or "0",
        "documents": values.get("documents") or None,
    }
    calls.submit_application(session, actor, call_id, validated_form(ApplicationIn, body))
    return RedirectResponse(f"/calls/{call_id}#applications", status_code=303)


@router.post("/calls/{call_id}/invite/{organization_id}")
def invite(
    call_id: IdPath, organization_id: IdPath, session: SessionDep, actor: ActorDep
) -> Response:
    found = {c.organization.id: c.evidence for c in calls.candidates(session, actor, call_id, 50)}
    calls.invite(session, actor, call_id, organization_id, found.get(organization_id))
    return RedirectResponse(f"/calls/{call_id}#candidates", status_code=303)


@router.get("/calls/{call_id}/sheet", response_class=HTMLResponse)
def sheet_page(
    request: Request, call_id: IdPath, session: SessionDep, actor: ActorDep
) -> HTMLResponse:
    """One member's evaluation sheet: every application × criterion, 0–10, Tab from cell to
    cell; the others' scores stay hidden until this member submits."""
    call = calls.get_call(session, actor, call_id)
    member = calls.member_of(call, actor)
    if member is None:
        raise PermissionDeniedError(f"{actor.username} is not on the commission of {call.number}")
    return _sheet(request, session, actor, call, [])


def _sheet(
    request: Request,
    session: Session,
    actor: Principal,
    call: Call,
    errors: list[FieldError],
    status_code: int = 200,
) -> HTMLResponse:
    member = calls.member_of(call, actor)
    given = calls.my_scores(session, actor, call.id)
    return render(
        request,
        session,
        "selection/sheet.html",
        active="selection",
        status_code=status_code,
        call=call,
        member=member,
        given={f"{a}:{k}": v for (a, k), v in given.items()},
        errors=errors,
    )


@router.post("/calls/{call_id}/declaration")
def declare(call_id: IdPath, session: SessionDep, actor: ActorDep) -> Response:
    calls.declare(session, actor, call_id)
    return RedirectResponse(f"/calls/{call_id}/sheet", status_code=303)


@router.post("/calls/{call_id}/sheet", response_class=HTMLResponse)
async def save_sheet(
    request: Request, call_id: IdPath, session: SessionDep, actor: ActorDep
) -> Response:
    """Save the scores given (and, with «submit», submit them for good)."""
    call = calls.get_call(session, actor, call_id)
    if calls.member_of(call, actor) is None:
        raise PermissionDeniedError(f"{actor.username} is not on the commission of {call.number}")
    form = await request.form()
    scores: list[ScoreIn] = []
    errors: list[FieldError] = []
    for key, raw in form.items():
        if not key.startswith("s:") or not isinstance(raw, str) or not raw.strip():
            continue
        _s, application, criterion = [*key.split(":", 2), "", ""][:3]
        try:
            value = Decimal(raw.strip().replace(",", "."))
            scores.append(
                ScoreIn(application_id=int(application), criterion=criterion, value=value)
            )
        except (InvalidOperation, ValueError, ValidationError):
            errors.append(FieldError(key, "a score is a number from 0 to 10", raw))
    if errors:
        return _sheet(request, session, actor, call, errors, 422)
    if scores:
        calls.score(session, actor, call_id, scores)
    if form.get("submit"):
        calls.submit_scores(session, actor, call_id)
        return RedirectResponse(f"/calls/{call_id}#results", status_code=303)
    return RedirectResponse(f"/calls/{call_id}/sheet", status_code=303)


# --- tenders ----------------------------------------------------------------------------------


@router.get("/tenders/new", response_class=HTMLResponse)
def new_tender_page(
    request: Request, session: SessionDep, actor: ActorDep, passport_id: IdQuery = None
) -> HTMLResponse:
    """A tender for a reconciled passport's equipment lines (all of them, or those ticked)."""
    passport = _tender_passport(session, actor, passport_id)
    today = datetime.now(UTC).date()
    values = {
        "title": f"Оборудование по проекту {passport.number}",
        "tender_start": today.isoformat(),
        "tender_end": (today + timedelta(days=30)).isoformat(),
        "currency": (passport.budget_currency or "RUB"),
    }
    return _new_tender_form(request, session, passport, values, [])


def _tender_passport(session: Session, actor: Principal, passport_id: int | None) -> Passport:
    if passport_id is None:
        raise NotFoundError("passport", passport_id)
    passport = session.get(Passport, passport_id)
    if passport is None:
        raise NotFoundError("passport", passport_id)
    tenders.require_run(actor, passport)
    return passport


def _new_tender_form(
    request: Request,
    session: Session,
    passport: Passport,
    values: dict[str, Any],
    errors: list[FieldError],
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        session,
        "selection/tender_new.html",
        active="selection",
        status_code=status_code,
        passport=passport,
        lines=tenders.equipment_progress(session, passport),
        values=values,
        errors=errors,
        methods=list(Method),
        criteria=list(AwardCriteria),
    )


@router.post("/tenders/new", response_class=HTMLResponse)
async def create_tender(
    request: Request, session: SessionDep, actor: ActorDep, passport_id: IdQuery = None
) -> Response:
    """The form of a new tender: the API's validation (`TenderCreate`)."""
    passport = _tender_passport(session, actor, passport_id)
    form = await request.form()
    values: dict[str, Any] = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    start, end = values.get("tender_start", ""), values.get("tender_end", "")
    body: dict[str, Any] = {
        "passport_id": passport.id,
        "title": values.get("title", ""),
        "lines": [int(v) for v in form.getlist("lines") if isinstance(v, str) and v.isdigit()],
        "method": values.get("method", "open"),
        "method_rationale": values.get("method_rationale") or None,
        "award_criteria": values.get("award_criteria", "priceOnly"),
        "price_weight": values.get("price_weight") or "100",
        "currency": values.get("currency", "RUB"),
        # a period from the morning of its first day to the evening of its last, Minsk and
        # Moscow time
        "tender_start": f"{start}T09:00:00+03:00" if start else "",
        "tender_end": f"{end}T18:00:00+03:00" if end else "",
    }
    try:
        tender = tenders.open_tender(session, actor, validated_form(TenderCreate, body))
    except DomainValidationError as error:
        return _new_tender_form(request, session, passport, values, error.errors, 422)
    return RedirectResponse(f"/tenders/{tender.id}", status_code=303)


@router.get("/tenders", response_class=HTMLResponse)
def tenders_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    page: PageNumber = 1,
    passport_id: str | None = None,
    industry_id: str | None = None,
    origin: str | None = None,
    status: str | None = None,
) -> HTMLResponse:
    """The tenders behind a figure of the overview: by passport, industry, origin, state."""
    states = {s.value: s for s in TenderStatus}
    code = origin.upper() if origin and len(origin) == 2 and origin.isalpha() else None
    flt = tenders.TenderFilter(
        int_or_none(passport_id), states.get(status or ""), int_or_none(industry_id), code
    )
    result = tenders.list_tenders(session, actor, ListParams(page, 50), flt)
    return render(
        request,
        session,
        "selection/tenders.html",
        active="selection",
        page=result,
        flt=flt,
        params=dict(request.query_params),
        statuses=list(TenderStatus),
        industries=list_industries(session, actor),
    )


@router.get("/tenders/{tender_id}", response_class=HTMLResponse)
def tender_page(
    request: Request, tender_id: IdPath, session: SessionDep, actor: ActorDep
) -> HTMLResponse:
    """A tender: lots and their bids (sealed until the period ends), awards, contracts and
    deliveries, the acts open to this user and the protocol."""
    tender = tenders.get_tender(session, actor, tender_id)
    sealed = tender.status is TenderStatus.ACTIVE and tender.tender_end > datetime.now(UTC)
    contracts = tenders.contracts(session, tender)
    return render(
        request,
        session,
        "selection/tender.html",
        active="selection",
        tender=tender,
        sealed=sealed,
        rankings={lot.id: tenders.evaluate(tender, lot) for lot in tender.lots},
        awards={a.lot_id: a for a in tenders.awards(session, tender)},
        contracts={c.award_id: c for c in contracts},
        runs=_runs_tender(actor, tender),
        suppliers=session.scalars(
            select(Organization)
            .where(Organization.kind == OrganizationKind.ENTERPRISE)
            .order_by(Organization.country_code, Organization.name)
        ).all()
        if sealed and _runs_tender(actor, tender)
        else [],
        today=datetime.now(UTC).date(),
        events=report.history(session, "tender", tender_id),
    )


def _runs_tender(actor: Principal, tender: Tender) -> bool:
    try:
        tenders.require_run(actor, tender)
    except PermissionDeniedError:
        return False
    return True


@router.post("/tenders/{tender_id}/acts/{what}")
def tender_act(
    tender_id: IdPath,
    what: str,
    session: SessionDep,
    actor: ActorDep,
    comment: Annotated[str | None, Form(max_length=10_000)] = None,
) -> Response:
    acts = {
        "publish": lambda: tenders.publish(session, actor, tender_id),
        "award": lambda: tenders.award(session, actor, tender_id),
        "cancel": lambda: tenders.cancel(session, actor, tender_id, comment),
    }
    if what not in acts:
        raise NotFoundError("act", what)
    acts[what]()
    return RedirectResponse(f"/tenders/{tender_id}", status_code=303)


@router.post("/tenders/{tender_id}/bids")
async def record_bid(
    request: Request, tender_id: IdPath, session: SessionDep, actor: ActorDep
) -> Response:
    """A bid received, registered by the tender's organizers."""
    tenders.require_run(actor, tenders.get_tender(session, actor, tender_id))
    body = validated_form(BidIn, await form_values(request))
    tenders.submit_bid(session, actor, tender_id, body)
    return RedirectResponse(f"/tenders/{tender_id}", status_code=303)


@router.post("/tenders/{tender_id}/contracts")
async def sign_contract(
    request: Request, tender_id: IdPath, session: SessionDep, actor: ActorDep
) -> Response:
    tenders.require_run(actor, tenders.get_tender(session, actor, tender_id))
    body = validated_form(ContractIn, await form_values(request))
    tenders.sign_contract(session, actor, tender_id, body)
    return RedirectResponse(f"/tenders/{tender_id}", status_code=303)


@router.post("/contracts/{contract_id}/deliveries")
async def record_delivery(
    request: Request, contract_id: IdPath, session: SessionDep, actor: ActorDep
) -> Response:
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise NotFoundError("contract", contract_id)
    tender_id = contract.award.lot.tender_id
    tenders.require_run(actor, tenders.get_tender(session, actor, tender_id))
    body = validated_form(DeliveryIn, await form_values(request))
    tenders.record_delivery(session, actor, contract_id, body)
    return RedirectResponse(f"/tenders/{tender_id}", status_code=303)


@router.get("/tenders/{tender_id}/protocol.{fmt}")
def tender_protocol(
    request: Request, tender_id: IdPath, fmt: str, session: SessionDep, actor: ActorDep
) -> Response:
    if fmt not in protocol.MEDIA:
        raise NotFoundError("format", fmt)
    lang = "en" if request.cookies.get("lang") == "en" else "ru"
    data, name, media = protocol.tender_protocol(session, actor, tender_id, fmt, lang)
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )
