"""Pages of coverage and synchronisation, and the report downloads."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from unionsync.access.deps import ActorDep
from unionsync.access.policy import Action, Kind, require
from unionsync.api.deps import SessionDep
from unionsync.coverage.report import summary_rows, write_pdf, write_xlsx
from unionsync.coverage.sync import cached_coverages, synchronise
from unionsync.reference.models import Industry
from unionsync.web.pages import int_or_none, render, use_language

router = APIRouter(include_in_schema=False)
TITLE = "Синхронизация программ импортозамещения Беларуси и России"


@router.get("/sync", response_class=HTMLResponse)
def sync_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    industry: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    """Coverage per industry, complements, gaps, overlaps and timing conflicts."""
    industry_id = int_or_none(industry)
    coverages = cached_coverages(request.app.state, session, actor)
    report = synchronise(session, actor, industry_id, coverages)
    industries = {i.id: i for i in session.scalars(select(Industry).order_by(Industry.id))}
    names = {i.id: (i.name_ru if _ru(request) else i.name_en) for i in industries.values()}
    return render(
        request,
        session,
        "coverage/sync.html",
        active="sync",
        report=report,
        industry_id=industry_id,
        industries=industries,
        summary=summary_rows(report, names),
        summary_ids=[*report.industries(), None],
    )


@router.get("/sync/report.{kind}")
def sync_download(
    kind: str,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    industry: Annotated[str | None, Query()] = None,
) -> Response:
    """The report as Excel (a sheet per section) or as a PDF in Russian."""
    require(actor, Action.VIEW, Kind.MATCH)
    if kind not in ("xlsx", "pdf"):
        return Response(status_code=404)
    industry_id = int_or_none(industry)
    coverages = cached_coverages(request.app.state, session, actor)
    report = synchronise(session, actor, industry_id, coverages)
    names = {i.id: i.name_ru for i in session.scalars(select(Industry))}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"sync.{kind}"
        if kind == "xlsx":
            write_xlsx(report, path, names)
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            title = TITLE + (f": {names[industry_id]}" if industry_id in names else "")
            write_pdf(report, path, names, title)
            media = "application/pdf"
        content = path.read_bytes()
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="unionsync-sync.{kind}"'},
    )


def _ru(request: Request) -> bool:
    return use_language(request) == "ru"
