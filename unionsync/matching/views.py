"""Pages of matching: runs per program, and the review of matches with keyboard shortcuts."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from unionsync.access.deps import ActorDep
from unionsync.access.policy import Action, Kind, can, require
from unionsync.api.deps import SessionDep
from unionsync.catalog.models import Program
from unionsync.core.listing import ListParams
from unionsync.core.schemas import IdPath
from unionsync.matching import service
from unionsync.matching.active import MIN_EACH
from unionsync.matching.models import Decision, MatchRun, RunStatus
from unionsync.matching.scoring import Band
from unionsync.web.pages import PageNumber, blank_to_none, int_or_none, render

router = APIRouter(include_in_schema=False)
REVIEW_PAGE = 20


@router.get("/matching", response_class=HTMLResponse)
def matching_page(request: Request, session: SessionDep, actor: ActorDep) -> HTMLResponse:
    """Every program with its latest run and the state of its matches."""
    require(actor, Action.VIEW, Kind.MATCH)
    programs = session.scalars(
        select(Program).order_by(Program.country_code.desc(), Program.code)
    ).all()
    latest: dict[int, MatchRun] = {}
    for run in session.scalars(select(MatchRun).order_by(MatchRun.id)):
        latest[run.program_id] = run
    counts = {p.id: service.match_counts(session, p.id) for p in programs if p.id in latest}
    active = any(r.status in (RunStatus.QUEUED, RunStatus.RUNNING) for r in latest.values())
    return render(
        request,
        session,
        "matching/index.html",
        active="matching",
        programs=programs,
        latest=latest,
        counts=counts,
        refresh=active,
        may_run={
            p.id: can(actor, Action.CREATE, Kind.MATCH, owner=p.country_code) for p in programs
        },
    )


@router.post("/matching/runs")
def start_run(
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    actor: ActorDep,
    program_id: Annotated[int, Form()],
    top: Annotated[int, Form(ge=1, le=50)] = service.TOP_MATCHES,
) -> Response:
    """Queue a run of one program (carried out in the background; the page follows it)."""
    engine = service.Engine.from_settings(request.app.state.settings)
    run = service.request_run(session, actor, program_id, engine, None, top)
    background.add_task(request.app.state.jobs.enqueue_match, run.id)  # after the commit
    return RedirectResponse("/matching", status_code=303)


@router.get("/matching/review", response_class=HTMLResponse)
def review_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    page: PageNumber = 1,
    program_id: Annotated[str | None, Query()] = None,
    band: Annotated[str | None, Query()] = None,
    state: Annotated[str | None, Query()] = "undecided",
    focus: Annotated[str | None, Query()] = None,
    item_id: Annotated[str | None, Query()] = None,
    order: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    """Matches side by side with their evidence; a/r/u decide, j/k move (static/js/review.js);
    `order=teaching` puts first the pairs whose decision teaches a model most."""
    program = int_or_none(program_id)
    chosen_band = Band(band) if band in {b.value for b in Band} else None
    chosen_state = state if state in ("undecided", "accepted", "rejected") else None
    item = int_or_none(item_id)
    teaching = order == "teaching"
    thresholds = service.Engine.from_settings(request.app.state.settings).thresholds
    where = service.MatchFilter(
        program_id=program,
        item_id=item,
        band=chosen_band,
        decision=Decision(chosen_state) if chosen_state in ("accepted", "rejected") else None,
        undecided=chosen_state == "undecided",
        teaching_centre=(thresholds.review + thresholds.accept) / 2 if teaching else None,
    )
    result = service.list_matches(
        session, actor, where, ListParams(page=page, per_page=REVIEW_PAGE)
    )
    programs = session.scalars(
        select(Program)
        .where(Program.id.in_(service.programs_with_runs(session)))
        .order_by(Program.country_code.desc(), Program.code)
    ).all()
    query = {
        k: v
        for k, v in (
            ("program_id", program),
            ("item_id", item),
            ("band", chosen_band.value if chosen_band else None),
            ("state", chosen_state or ""),
            ("order", "teaching" if teaching else None),
            ("page", page),
        )
        if v is not None
    }
    return render(
        request,
        session,
        "matching/review.html",
        active="matching",
        result=result,
        programs=programs,
        program_id=program,
        item_id=item,
        band=chosen_band,
        state=chosen_state,
        here="/matching/review?" + urlencode(query),
        focus=int_or_none(focus),
        teaching=teaching,
        teaching_state=service.teaching_state(session),
        least_each=MIN_EACH,
        may_decide={
            m.id: can(actor, Action.UPDATE, Kind.MATCH, owner=m.item.program.country_code)
            for m in result.items
        },
    )


@router.post("/matching/matches/{match_id}/decision")
def decide(
    match_id: IdPath,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    actor: ActorDep,
    decision: Annotated[str, Form()],
    back: Annotated[str, Form()] = "/matching/review",
    next_id: Annotated[str | None, Form()] = None,
) -> Response:
    """Record the verdict and return to the list, on the next match."""
    verdict = Decision(decision) if decision in {d.value for d in Decision} else None
    service.decide(session, actor, match_id, verdict)
    if service.teaching_due(session):
        background.add_task(request.app.state.jobs.enqueue_teaching)  # after the commit
    target = back if back.startswith("/matching/review") else "/matching/review"
    follow = blank_to_none(next_id)
    if follow:
        target += ("&" if "?" in target else "?") + urlencode({"focus": follow})
    return RedirectResponse(target + (f"#m{follow}" if follow else ""), status_code=303)
