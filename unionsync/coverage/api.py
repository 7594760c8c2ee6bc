"""JSON API of coverage and synchronisation: can the partner satisfy a program's demand, item
by item; the synchronisation report of both countries."""

from __future__ import annotations

from fastapi import APIRouter, Request

from unionsync.access.deps import ActorDep
from unionsync.api.deps import SessionDep
from unionsync.core.schemas import IdPath, IdQuery
from unionsync.coverage import service
from unionsync.coverage.schemas import (
    ProgramCoveragePublic,
    SyncReportPublic,
    program_view,
    sync_view,
)
from unionsync.coverage.service import Scenario
from unionsync.coverage.sync import cached_coverages, synchronise

router = APIRouter(prefix="/api/v1", tags=["coverage"])


@router.get("/coverage/programs/{program_id}")
def program_coverage(
    program_id: IdPath,
    session: SessionDep,
    actor: ActorDep,
    scenario: Scenario = Scenario.EXISTING,
) -> ProgramCoveragePublic:
    """Per item and year: fully, partly or not satisfiable, by whom, and the gap (all programs
    of the country are allocated together: producers' capacity is shared). `scenario` adds the
    products of reconciled (or all) passports from their start years."""
    coverage = service.program_coverage(session, actor, program_id, scenario)
    return program_view(coverage, program_id)


@router.get("/sync")
def sync_report(
    request: Request, session: SessionDep, actor: ActorDep, industry_id: IdQuery = None
) -> SyncReportPublic:
    """Overlaps, timing conflicts, complements, gaps, covered shares (by quantity and value)
    and the coverage trajectory by year in each scenario, for one industry or all."""
    scenarios = cached_coverages(request.app.state, session, actor)
    return sync_view(synchronise(session, actor, industry_id, scenarios))
