"""JSON API of matching: start a run (a background job), follow it, list matches, decide."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from unionsync.access.deps import ActorDep
from unionsync.api.deps import ListDep, SessionDep
from unionsync.core.schemas import Id, IdPath, IdQuery, Page, to_page
from unionsync.matching import service
from unionsync.matching.models import Decision, Match, RunStatus
from unionsync.matching.scoring import Band

router = APIRouter(prefix="/api/v1/match", tags=["matching"])


class _Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RunRequest(BaseModel):
    program_id: Id
    against: Literal["BY", "RU"] | None = Field(
        None, description="BY or RU; default: the partner country"
    )
    top: int = Field(
        service.TOP_MATCHES, ge=1, le=50, description="matches kept per item (default 10)"
    )
    full: bool = Field(False, description="match every record again, not only what changed")


class RunPublic(_Public):
    id: int
    program_id: int
    against: str
    top: int
    full: bool
    scorer: str
    accept_threshold: float
    review_threshold: float
    status: RunStatus
    stage: str | None
    done: int
    total: int
    items_matched: int
    items_unchanged: int
    capabilities_new: int
    candidates: int
    accepted: int
    review: int
    decisions_reused: int
    error: str | None
    requested_by: str
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class StepPublic(BaseModel):
    feature: str
    value: str
    weight: float
    sentence: str


class SidePublic(BaseModel):
    id: int
    name: str
    name_en: str | None
    tnved_code: str | None
    unit_okei: str
    owner: str


class MatchPublic(BaseModel):
    id: int
    item: SidePublic
    capability: SidePublic
    probability: float
    band: Band
    why: str
    evidence: list[StepPublic]
    decision: Decision | None
    decided_by: str | None
    decided_at: datetime | None
    decision_reused: bool
    run_id: int | None
    teaching_rank: int | None = Field(
        description="place in the order that teaches most (order=teaching); null: not ranked"
    )
    learner_probability: float | None = Field(
        description="probability by the model learnt from the reviewers' decisions"
    )


class DecisionIn(BaseModel):
    decision: Decision | None = Field(description="accepted, rejected, or null to withdraw")


def match_view(match: Match) -> MatchPublic:
    item, cap = match.item, match.capability
    return MatchPublic(
        id=match.id,
        item=SidePublic(
            id=item.id,
            name=item.name_ru,
            name_en=item.name_en,
            tnved_code=item.tnved_code,
            unit_okei=item.unit_okei,
            owner=item.program.code,
        ),
        capability=SidePublic(
            id=cap.id,
            name=cap.product_name,
            name_en=cap.product_name_en,
            tnved_code=cap.tnved_code,
            unit_okei=cap.unit_okei,
            owner=cap.enterprise.name,
        ),
        probability=match.probability,
        band=match.band,
        why=match.why,
        evidence=[StepPublic.model_validate(step) for step in match.evidence],
        decision=match.decision,
        decided_by=match.decided_by,
        decided_at=match.decided_at,
        decision_reused=match.decision_reused,
        run_id=match.run_id,
        teaching_rank=match.teaching_rank,
        learner_probability=match.learner_probability,
    )


@router.post("/runs", status_code=202)
def start_run(
    body: RunRequest,
    request: Request,
    response: Response,
    background: BackgroundTasks,
    session: SessionDep,
    actor: ActorDep,
) -> RunPublic:
    """Queue a run; it is carried out in the background (follow `Location`)."""
    engine = service.Engine.from_settings(request.app.state.settings)
    run = service.request_run(
        session, actor, body.program_id, engine, body.against, body.top, body.full
    )
    background.add_task(request.app.state.jobs.enqueue_match, run.id)  # after the commit
    response.headers["Location"] = f"/api/v1/match/runs/{run.id}"
    return RunPublic.model_validate(run)


@router.get("/runs")
def list_runs(
    session: SessionDep, actor: ActorDep, params: ListDep, program_id: IdQuery = None
) -> Page[RunPublic]:
    return to_page(RunPublic, service.list_runs(session, actor, program_id, params))


@router.get("/runs/{run_id}")
def get_run(run_id: IdPath, session: SessionDep, actor: ActorDep) -> RunPublic:
    return RunPublic.model_validate(service.get_run(session, actor, run_id))


@router.get("/matches")
def list_matches(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    program_id: IdQuery = None,
    item_id: IdQuery = None,
    band: Band | None = None,
    decision: Decision | None = None,
    undecided: Annotated[bool, Query(description="only matches nobody has judged")] = False,
    order: Annotated[
        Literal["item", "teaching"],
        Query(
            description="item: by program item, most probable first; teaching: the pairs whose "
            "decision would teach a model learnt from the decisions most first"
        ),
    ] = "item",
) -> Page[MatchPublic]:
    thresholds = service.Engine.from_settings(request.app.state.settings).thresholds
    centre = (thresholds.review + thresholds.accept) / 2 if order == "teaching" else None
    where = service.MatchFilter(program_id, item_id, band, decision, undecided, centre)
    result = service.list_matches(session, actor, where, params)
    return Page[MatchPublic](
        items=[match_view(m) for m in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
    )


@router.get("/matches/{match_id}")
def get_match(match_id: IdPath, session: SessionDep, actor: ActorDep) -> MatchPublic:
    return match_view(service.get_match(session, actor, match_id))


@router.post("/matches/{match_id}/decision")
def decide(
    match_id: IdPath,
    body: DecisionIn,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    actor: ActorDep,
) -> MatchPublic:
    """Accept or reject (remembered for the same two records in later runs and uploads; every
    few decisions, the order of `?order=teaching` is learnt again in the background)."""
    match = service.decide(session, actor, match_id, body.decision)
    if service.teaching_due(session):
        background.add_task(request.app.state.jobs.enqueue_teaching)  # after the commit
    return match_view(match)
