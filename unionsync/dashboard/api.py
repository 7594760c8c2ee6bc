"""JSON API of the dashboard figures."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from unionsync.access.deps import ActorDep
from unionsync.api.deps import SessionDep
from unionsync.dashboard.service import stats

router = APIRouter(prefix="/api/v1", tags=["dashboard"])


@router.get("/stats")
def get_stats(session: SessionDep, actor: ActorDep) -> dict[str, Any]:
    """Counts per entity, programs per country, passports per status."""
    return stats(session, actor)
