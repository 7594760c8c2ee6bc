"""JSON API of the roadmap: the forecast with floats, the critical path and slippage, schedule
risk, tasks and dependencies by hand, baselines, derivation, and output reports."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import select

from unionsync.access.deps import ActorDep
from unionsync.access.policy import Action, Kind, require
from unionsync.api.deps import SessionDep
from unionsync.core.schemas import IdPath, IdQuery
from unionsync.roadmap import service
from unionsync.roadmap.derive import derive
from unionsync.roadmap.models import RoadmapDependency
from unionsync.roadmap.plan import Plan, risk
from unionsync.roadmap.schemas import (
    BaselineIn,
    BaselinePublic,
    CompletionPublic,
    DependencyIn,
    DependencyPublic,
    DerivedPublic,
    OutputIn,
    OutputPublic,
    RiskPublic,
    RoadmapPublic,
    TaskChange,
    TaskCreate,
    TaskPublic,
    VerdictPublic,
)
from unionsync.roadmap.verdict import evidence

router = APIRouter(prefix="/api/v1/roadmap", tags=["roadmap"])


def roadmap_public(session: SessionDep, plan: Plan) -> RoadmapPublic:
    ids = {t.task.id for t in plan.tasks}
    dependencies = [
        DependencyPublic.model_validate(d)
        for d in session.scalars(select(RoadmapDependency).order_by(RoadmapDependency.id))
        if d.before_id in ids and d.after_id in ids
    ]
    return RoadmapPublic(
        origin=plan.origin,
        end=max((t.finish for t in plan.tasks), default=plan.origin),
        baseline=plan.baseline.number if plan.baseline else None,
        passports={str(k): v for k, v in plan.passport_finish().items()},
        tasks=[
            TaskPublic(
                id=t.task.id,
                key=t.task.key,
                passport_id=t.task.passport_id,
                title=t.task.title,
                kind=t.task.kind,
                source=t.task.source,
                country=t.task.country,
                owner=t.task.owner,
                planned_start=t.task.planned_start,
                duration=t.task.duration,
                optimistic=t.task.optimistic,
                pessimistic=t.task.pessimistic,
                actual_start=t.task.actual_start,
                actual_finish=t.task.actual_finish,
                progress=t.task.progress,
                start=t.start,
                finish=t.finish,
                late_finish=t.late_finish,
                total_float=t.total_float,
                free_float=t.free_float,
                critical=t.critical,
                baseline_finish=t.baseline_finish,
                slip=t.slip,
            )
            for t in plan.tasks
        ],
        dependencies=dependencies,
    )


@router.get("")
def roadmap(session: SessionDep, actor: ActorDep, passport_id: IdQuery = None) -> RoadmapPublic:
    """The forecast (earliest and latest dates, floats, the critical path, slippage against the
    latest baseline), of the whole roadmap or of one passport."""
    return roadmap_public(session, service.view(session, actor, passport_id))


@router.get("/risk")
def schedule_risk(
    session: SessionDep,
    actor: ActorDep,
    runs: Annotated[int, Query(ge=100, le=100_000)] = 10_000,
    seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 2026,
) -> RiskPublic:
    """Monte Carlo over the network with each task's three-point estimate (beta-PERT): P50,
    P80 and P95 completion of the roadmap and of each passport, and the tasks most often
    critical."""
    allowed = service.visible_passports(session, actor)
    plan, result = risk(session, runs=runs, seed=seed)

    def dates(values: object) -> CompletionPublic:
        found = result.percentiles(values)  # type: ignore[arg-type]
        return CompletionPublic(
            **{f"p{p}": plan.origin + timedelta(days=round(v)) for p, v in found.items()}
        )

    keys = plan.schedule.network.keys
    ranked = sorted(
        (
            (keys[i], float(share))
            for i, share in enumerate(result.criticality)
            if allowed is None or plan.tasks[i].task.passport_id in allowed
        ),
        key=lambda item: -item[1],
    )
    return RiskPublic(
        runs=result.runs,
        seed=result.seed,
        roadmap=dates(result.ends),
        passports={
            name: dates(values)
            for name, values in result.groups.items()
            if allowed is None or int(name) in allowed
        },
        criticality=dict(ranked[:50]),
    )


@router.post("/derive")
def derive_tasks(session: SessionDep, actor: ActorDep) -> DerivedPublic:
    """Create or update the tasks derived from passports, tenders, contracts and drawdowns."""
    require(actor, Action.CREATE, Kind.ROADMAP, owner=actor.country or "UNION")
    found = derive(session)
    return DerivedPublic(
        created=found.created, updated=found.updated, dependencies=found.dependencies
    )


def task_values(body: TaskCreate) -> service.TaskValues:
    """A new task's values for the service (the API and the page's form alike)."""
    return service.TaskValues(
        title=body.title,
        planned_start=body.planned_start,
        duration=body.duration,
        optimistic=body.optimistic,
        pessimistic=body.pessimistic,
        note=body.note,
    )


def output_values(body: OutputIn) -> service.OutputValues:
    """A report of output for the service (the API and the page's form alike)."""
    return service.OutputValues(
        body.passport_id,
        body.product_position,
        body.year,
        body.quarter,
        body.quantity,
        body.value,
        body.to_partner,
        body.currency,
    )


@router.post("/tasks", status_code=201)
def add_task(
    body: TaskCreate, response: Response, session: SessionDep, actor: ActorDep
) -> TaskPublic:
    task = service.add_task(session, actor, body.passport_id, task_values(body))
    response.headers["Location"] = f"/api/v1/roadmap/tasks/{task.id}"
    return _one(session, actor, task.id)


def _one(session: SessionDep, actor: ActorDep, task_id: int) -> TaskPublic:
    task = service.get_task(session, actor, task_id)
    plan = service.view(session, actor, task.passport_id)
    public = roadmap_public(session, plan)
    return next(t for t in public.tasks if t.id == task_id)


@router.get("/tasks/{task_id}")
def get_task(task_id: IdPath, session: SessionDep, actor: ActorDep) -> TaskPublic:
    return _one(session, actor, task_id)


@router.patch("/tasks/{task_id}")
def change_task(
    task_id: IdPath, body: TaskChange, session: SessionDep, actor: ActorDep
) -> TaskPublic:
    """Progress, actual dates and estimates of any task; the plan of a task added by hand (a
    derived task's plan is changed at its source: 409)."""
    service.change_task(
        session, actor, task_id, service.TaskValues(**body.model_dump(exclude_none=True))
    )
    return _one(session, actor, task_id)


@router.post("/dependencies", status_code=201)
def add_dependency(body: DependencyIn, session: SessionDep, actor: ActorDep) -> DependencyPublic:
    """A dependency drawn by hand; 422 naming the tasks when it would close a cycle."""
    found = service.add_dependency(
        session, actor, body.before_id, body.after_id, body.link, body.lag
    )
    return DependencyPublic.model_validate(found)


@router.delete("/dependencies/{dependency_id}", status_code=204)
def remove_dependency(dependency_id: IdPath, session: SessionDep, actor: ActorDep) -> Response:
    service.remove_dependency(session, actor, dependency_id)
    return Response(status_code=204)


@router.post("/baselines", status_code=201)
def approve_baseline(body: BaselineIn, session: SessionDep, actor: ActorDep) -> BaselinePublic:
    """The current forecast kept as the next baseline (slippage is measured against it)."""
    return BaselinePublic.model_validate(service.approve_baseline(session, actor, body.note))


@router.post("/outputs", status_code=201)
def report_output(body: OutputIn, session: SessionDep, actor: ActorDep) -> OutputPublic:
    """Output of a passport's product for a year (or a quarter); the same period again
    replaces the report."""
    found = service.report_output(session, actor, output_values(body))
    return OutputPublic.model_validate(found)


@router.get("/passports/{passport_id}/verdict")
def verdict(passport_id: IdPath, session: SessionDep, actor: ActorDep) -> VerdictPublic:
    """Whether the project replaces imports: planned against reported output per product, the
    trade in its subheading year by year, and the verdict with its reason."""
    passport = service.visible_passport(session, actor, passport_id)
    return VerdictPublic.model_validate(evidence(session, passport))
