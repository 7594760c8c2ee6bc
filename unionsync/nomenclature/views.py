"""The nomenclature browser: the tree from the top, search in Russian and English, a code page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from unionsync.access.deps import ActorDep
from unionsync.api.deps import SessionDep
from unionsync.nomenclature import service
from unionsync.nomenclature.api import suggester_for
from unionsync.nomenclature.models import CodeSystem, NomenclatureCode
from unionsync.web.pages import blank_to_none, render

router = APIRouter(include_in_schema=False)


@router.get("/nomenclature", response_class=HTMLResponse)
def browse(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    q: str | None = None,
    system: str = "tnved",
) -> HTMLResponse:
    chosen = CodeSystem(system) if system in set(CodeSystem) else CodeSystem.TNVED
    text = blank_to_none(q)
    found = service.search_codes(session, actor, text) if text else []
    top = service.children(session, actor, chosen, None) if not text else []
    return render(
        request,
        session,
        "nomenclature/browse.html",
        active="nomenclature",
        q=text,
        found=found,
        top=top,
        system=chosen,
        systems=list(CodeSystem),
        status=service.status(session, actor),
    )


@router.get("/nomenclature/{system}/{code}", response_class=HTMLResponse)
def code_page(
    request: Request, session: SessionDep, actor: ActorDep, system: CodeSystem, code: str
) -> HTMLResponse:
    row = service.get_code(session, actor, system, code)
    trail: list[NomenclatureCode] = []
    parent = row.parent
    while parent:
        above = service.find(session, system, parent)
        if above is None:
            break
        trail.insert(0, above)
        parent = above.parent
    return render(
        request,
        session,
        "nomenclature/code.html",
        active="nomenclature",
        row=row,
        label=service.label(session, system, row.code),
        trail=trail,
        children=service.children(session, actor, system, row.code),
        versions=service.versions(session, system, row.code),
    )


@router.get("/nomenclature/suggest", response_class=HTMLResponse)
def suggest_page(
    request: Request, session: SessionDep, actor: ActorDep, q: str | None = None
) -> HTMLResponse:
    """Ranked codes for a product name, with the evidence for each."""
    text = blank_to_none(q)
    found = []
    semantic = False
    building = None
    if text and service.has_tnved(session):
        suggester = suggester_for(request, session)
        semantic = suggester.semantic
        building = service.index_progress(session) if not semantic else None
        found = service.suggest(session, actor, suggester, text, 10)
    return render(
        request,
        session,
        "nomenclature/suggest.html",
        active="nomenclature",
        q=text,
        found=found,
        semantic=semantic,
        building=building,
    )
