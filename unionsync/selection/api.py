"""JSON API of selection: calls for executors (candidates, applications, blind scoring, results,
the signed decision), equipment tenders (bids, awards, contracts, deliveries, the protocol) and
the OCDS release package."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response

from unionsync.access.deps import ActorDep
from unionsync.api.deps import ListDep, SessionDep
from unionsync.core.errors import ConflictError, DomainValidationError, FieldError
from unionsync.core.schemas import IdPath, IdQuery, Language, Page
from unionsync.selection import calls, ocds, protocol, report, tenders
from unionsync.selection.models import CallStatus, TenderStatus
from unionsync.selection.schemas import (
    ApplicationIn,
    ApplicationPublic,
    AwardPublic,
    BidIn,
    BidPublic,
    CallActIn,
    CallCreate,
    CallPublic,
    CandidatePublic,
    ContractIn,
    ContractPublic,
    DeliveryIn,
    DeliveryPublic,
    InvitationIn,
    MembersIn,
    ResultsPublic,
    ScoresIn,
    StandingPublic,
    TenderActIn,
    TenderCreate,
    TenderPublic,
)

router = APIRouter(prefix="/api/v1", tags=["selection"])


class CallAct(StrEnum):
    PUBLISH = "publish"
    CLOSE = "close"
    SIGN = "sign"
    CANCEL = "cancel"


class TenderAct(StrEnum):
    PUBLISH = "publish"
    AWARD = "award"
    CANCEL = "cancel"


# --- calls ------------------------------------------------------------------------------------


@router.get("/calls")
def list_calls(
    session: SessionDep, actor: ActorDep, params: ListDep, status: CallStatus | None = None
) -> Page[CallPublic]:
    result = calls.list_calls(session, actor, params, status)
    return Page[CallPublic](
        items=[CallPublic.model_validate(c) for c in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
    )


@router.post("/calls", status_code=201)
def open_call(
    body: CallCreate, response: Response, session: SessionDep, actor: ActorDep
) -> CallPublic:
    """A call in `draft` for a passport in preparation or a gap's item; the criteria's weights
    sum to 100 (the usual seven when none are given)."""
    call = calls.open_call(session, actor, body)
    response.headers["Location"] = f"/api/v1/calls/{call.id}"
    return CallPublic.model_validate(call)


@router.get("/calls/{call_id}")
def get_call(call_id: IdPath, session: SessionDep, actor: ActorDep) -> CallPublic:
    return CallPublic.model_validate(calls.get_call(session, actor, call_id))


@router.put("/calls/{call_id}/members")
def set_members(
    call_id: IdPath, body: MembersIn, session: SessionDep, actor: ActorDep
) -> CallPublic:
    """Name the commission (usernames of Belarusian and Russian users)."""
    return CallPublic.model_validate(calls.set_members(session, actor, call_id, body.members))


@router.post("/calls/{call_id}/acts/{act}")
def call_act(
    call_id: IdPath, act: CallAct, body: CallActIn, session: SessionDep, actor: ActorDep
) -> CallPublic:
    """publish (draft → open), close (open → evaluation, at or after the deadline), sign (an
    approver for their country; the second signature decides), cancel (with a comment)."""
    if act is CallAct.PUBLISH:
        call = calls.publish(session, actor, call_id)
    elif act is CallAct.CLOSE:
        call = calls.close(session, actor, call_id)
    elif act is CallAct.SIGN:
        call = calls.sign(session, actor, call_id)
    else:
        call = calls.cancel(session, actor, call_id, body.comment)
    return CallPublic.model_validate(call)


@router.get("/calls/{call_id}/candidates")
def candidates(
    call_id: IdPath,
    session: SessionDep,
    actor: ActorDep,
    top: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[CandidatePublic]:
    """Who could execute the call: the matching engine's closest capabilities, with evidence."""
    return [
        CandidatePublic(
            organization_id=c.organization.id,
            organization=c.organization.name,
            country=c.organization.country_code,
            product=c.product,
            probability=c.probability,
            evidence=c.evidence,
            invited=c.invited,
        )
        for c in calls.candidates(session, actor, call_id, top)
    ]


@router.post("/calls/{call_id}/invitations", status_code=201)
def invite(
    call_id: IdPath, body: InvitationIn, session: SessionDep, actor: ActorDep
) -> dict[str, int]:
    invitation = calls.invite(session, actor, call_id, body.organization_id, body.evidence)
    return {"id": invitation.id, "organization_id": invitation.organization_id}


@router.get("/calls/{call_id}/applications")
def list_applications(
    call_id: IdPath, session: SessionDep, actor: ActorDep
) -> list[ApplicationPublic]:
    """Every application for the commission and the ministries; an enterprise's own only."""
    return [
        ApplicationPublic.model_validate(a) for a in calls.applications(session, actor, call_id)
    ]


@router.post("/calls/{call_id}/applications")
def apply(
    call_id: IdPath, body: ApplicationIn, session: SessionDep, actor: ActorDep
) -> ApplicationPublic:
    """Create or replace an organization's application (409 after the deadline)."""
    return ApplicationPublic.model_validate(calls.submit_application(session, actor, call_id, body))


@router.post("/calls/{call_id}/declaration")
def declare(call_id: IdPath, session: SessionDep, actor: ActorDep) -> dict[str, Any]:
    """A commission member declares no conflict of interest (refused when their organization
    applied)."""
    member = calls.declare(session, actor, call_id)
    return {"username": member.username, "declared_at": member.declared_at}


@router.get("/calls/{call_id}/my-scores")
def my_scores(call_id: IdPath, session: SessionDep, actor: ActorDep) -> list[dict[str, Any]]:
    given = calls.my_scores(session, actor, call_id)
    return [
        {"application_id": a, "criterion": k, "value": v} for (a, k), v in sorted(given.items())
    ]


@router.put("/calls/{call_id}/my-scores")
def score(call_id: IdPath, body: ScoresIn, session: SessionDep, actor: ActorDep) -> dict[str, int]:
    """Record scores (0–10) before submitting; nobody else sees them until the decision."""
    return {"recorded": calls.score(session, actor, call_id, body.scores)}


@router.post("/calls/{call_id}/my-scores/submit")
def submit_scores(call_id: IdPath, session: SessionDep, actor: ActorDep) -> dict[str, Any]:
    member = calls.submit_scores(session, actor, call_id)
    return {"username": member.username, "submitted_at": member.submitted_at}


@router.get("/calls/{call_id}/results")
def results(call_id: IdPath, session: SessionDep, actor: ActorDep) -> ResultsPublic:
    """The ranking from the submitted scores: for a member after submitting, for everyone
    after the decision (an enterprise sees its own row)."""
    found = calls.results(session, actor, call_id)
    return ResultsPublic(
        call_id=call_id,
        members_submitted=found.members_submitted,
        members=len(found.call.members),
        final=found.final,
        standings=[
            StandingPublic(
                application_id=s.application.id,
                organization=s.application.organization.name,
                rank=s.rank,
                total=s.total,
                by_criterion=s.by_criterion,
                by_member=s.by_member,
                spread=s.spread,
                by_side=s.by_side,
                sides_disagree=s.sides_disagree,
            )
            for s in found.standings
        ],
    )


# --- tenders ----------------------------------------------------------------------------------


@router.get("/tenders")
def list_tenders(
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    passport_id: IdQuery = None,
    status: TenderStatus | None = None,
    industry_id: IdQuery = None,
    origin: Annotated[
        str | None, Query(pattern="^[A-Z]{2}$", description="origin of awarded equipment")
    ] = None,
) -> Page[TenderPublic]:
    """Tenders, by passport, state, industry, or the origin of the equipment they awarded."""
    flt = tenders.TenderFilter(passport_id, status, industry_id, origin)
    result = tenders.list_tenders(session, actor, params, flt)
    return Page[TenderPublic](
        items=[TenderPublic.model_validate(t) for t in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
    )


@router.post("/tenders", status_code=201)
def open_tender(
    body: TenderCreate, response: Response, session: SessionDep, actor: ActorDep
) -> TenderPublic:
    """A tender in `planning` for a reconciled passport's equipment lines (one lot per line)."""
    tender = tenders.open_tender(session, actor, body)
    response.headers["Location"] = f"/api/v1/tenders/{tender.id}"
    return TenderPublic.model_validate(tender)


@router.get("/tenders/{tender_id}")
def get_tender(tender_id: IdPath, session: SessionDep, actor: ActorDep) -> TenderPublic:
    return TenderPublic.model_validate(tenders.get_tender(session, actor, tender_id))


@router.post("/tenders/{tender_id}/acts/{act}")
def tender_act(
    tender_id: IdPath, act: TenderAct, body: TenderActIn, session: SessionDep, actor: ActorDep
) -> TenderPublic:
    """publish (planning → active), award (after the tender period: complete or
    unsuccessful), cancel (with a comment)."""
    if act is TenderAct.PUBLISH:
        tender = tenders.publish(session, actor, tender_id)
    elif act is TenderAct.AWARD:
        tender = tenders.award(session, actor, tender_id)
    else:
        tender = tenders.cancel(session, actor, tender_id, body.comment)
    return TenderPublic.model_validate(tender)


@router.get("/tenders/{tender_id}/bids")
def list_bids(tender_id: IdPath, session: SessionDep, actor: ActorDep) -> list[BidPublic]:
    """The bids, once the tender period has ended (sealed until then)."""
    tender = tenders.get_tender(session, actor, tender_id)
    if tender.tender_end > tenders.now() and tender.status.value == "active":
        raise ConflictError(
            f"bids of tender {tender.number} are sealed until "
            f"{tender.tender_end:%Y-%m-%d %H:%M} UTC"
        )
    return [BidPublic.model_validate(b) for lot in tender.lots for b in lot.bids]


@router.post("/tenders/{tender_id}/bids", status_code=201)
def submit_bid(tender_id: IdPath, body: BidIn, session: SessionDep, actor: ActorDep) -> BidPublic:
    """A bid for a lot (refused after the tender period, or in a currency without a rate)."""
    return BidPublic.model_validate(tenders.submit_bid(session, actor, tender_id, body))


@router.get("/tenders/{tender_id}/awards")
def list_awards(tender_id: IdPath, session: SessionDep, actor: ActorDep) -> list[AwardPublic]:
    tender = tenders.get_tender(session, actor, tender_id)
    return [AwardPublic.model_validate(a) for a in tenders.awards(session, tender)]


@router.get("/tenders/{tender_id}/contracts")
def list_contracts(tender_id: IdPath, session: SessionDep, actor: ActorDep) -> list[ContractPublic]:
    tender = tenders.get_tender(session, actor, tender_id)
    return [ContractPublic.model_validate(c) for c in tenders.contracts(session, tender)]


@router.post("/tenders/{tender_id}/contracts", status_code=201)
def sign_contract(
    tender_id: IdPath, body: ContractIn, session: SessionDep, actor: ActorDep
) -> ContractPublic:
    return ContractPublic.model_validate(tenders.sign_contract(session, actor, tender_id, body))


@router.post("/contracts/{contract_id}/deliveries", status_code=201)
def record_delivery(
    contract_id: IdPath, body: DeliveryIn, session: SessionDep, actor: ActorDep
) -> DeliveryPublic:
    return DeliveryPublic.model_validate(tenders.record_delivery(session, actor, contract_id, body))


@router.get(
    "/tenders/{tender_id}/protocol",
    response_class=Response,
    responses={200: {"content": {m: {} for m in protocol.MEDIA.values()}}},
)
def tender_protocol(
    tender_id: IdPath,
    session: SessionDep,
    actor: ActorDep,
    format: Annotated[str, Query(pattern="^(docx|pdf)$")] = "pdf",
    lang: Language = "ru",
) -> Response:
    """The evaluation and award protocol (DOCX or PDF) with its content hash."""
    data, name, media = protocol.tender_protocol(session, actor, tender_id, format, lang)
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@router.get("/selection/overview")
def overview(session: SessionDep, actor: ActorDep) -> report.OverviewPublic:
    """Tenders for N units, M delivered: by passport, industry and supplier country."""
    return report.overview(session, actor).public()


@router.get("/ocds/release-package")
def release_package(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    since: Annotated[
        str | None,
        Query(
            pattern=SINCE_PATTERN,
            description="only processes changed at or after this date or time (ISO 8601, "
            "e.g. 2026-01-31 or 2026-01-31T12:00:00+03:00)",
        ),
    ] = None,
) -> dict[str, Any]:
    """Every call and tender the reader may see as an OCDS 1.1 release package."""
    moment = _moment(since)
    prefix = request.app.state.settings.ocds_prefix
    return ocds.release_package(session, actor, prefix, moment, str(request.base_url).rstrip("/"))


SINCE_PATTERN = r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?$"


def _moment(value: str | None) -> datetime | None:
    """An ISO date or time (a date means its midnight UTC; a time without zone is UTC)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise DomainValidationError(
            [FieldError("since", "not a date or time (write 2026-01-31)", value)]
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
