"""JSON API of coverage: can the partner satisfy a program's demand, item by item."""

from __future__ import annotations

from fastapi import APIRouter

from unionsync.access.deps import ActorDep
from unionsync.api.deps import SessionDep
from unionsync.coverage import service
from unionsync.coverage.schemas import ProgramCoveragePublic, program_view

router = APIRouter(prefix="/api/v1/coverage", tags=["coverage"])


@router.get("/programs/{program_id}")
def program_coverage(
    program_id: int, session: SessionDep, actor: ActorDep
) -> ProgramCoveragePublic:
    """Per item and year: fully, partly or not satisfiable, by whom, and the gap (all programs
    of the country are allocated together: producers' capacity is shared)."""
    coverage = service.program_coverage(session, actor, program_id)
    return program_view(coverage, program_id)
