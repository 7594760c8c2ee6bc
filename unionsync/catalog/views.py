"""Pages of programs, items, enterprises and capabilities, and the file upload."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from unionsync.access.deps import ActorDep
from unionsync.access.policy import Action, Kind, Principal, can, require
from unionsync.api.deps import SessionDep
from unionsync.catalog import service, transfer
from unionsync.catalog.imports import file_digest
from unionsync.catalog.models import Capability, OrganizationKind, ProgramStatus
from unionsync.core.listing import ListParams
from unionsync.core.schemas import IdPath
from unionsync.core.tabular import (
    UPLOAD_LIMITS,
    ImportFailedError,
    UnreadableFileError,
    stream_table,
)
from unionsync.coverage.service import Scenario
from unionsync.coverage.sync import cached_coverages
from unionsync.matching.models import Match
from unionsync.passports.models import Passport, PassportProduct, PassportStatus
from unionsync.web.pages import PageNumber, blank_to_none, int_or_none, render

router = APIRouter(include_in_schema=False)

PER_PAGE = 50
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _filters(request: Request) -> dict[str, Any]:
    return dict(request.query_params)


def _reference(session: Session, actor: Principal) -> dict[str, Any]:
    return {
        "countries": [c for c in service.list_countries(session, actor) if c.union_state],
        "industries": service.list_industries(session, actor),
    }


@router.get("/programs", response_class=HTMLResponse)
def programs_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    page: PageNumber = 1,
    country: str | None = None,
    industry_id: str | None = None,
    status: str | None = None,
    q: str | None = None,
) -> HTMLResponse:
    statuses = {s.value: s for s in ProgramStatus}
    flt = service.ProgramFilter(
        blank_to_none(country),
        int_or_none(industry_id),
        statuses.get(status or ""),
        blank_to_none(q),
    )
    result = service.list_programs(session, actor, flt, ListParams(page, PER_PAGE))
    counts = service.item_counts(session, actor, (p.id for p in result.items))
    return render(
        request,
        session,
        "catalog/programs.html",
        active="programs",
        page=result,
        counts=counts,
        flt=flt,
        params=_filters(request),
        statuses=list(ProgramStatus),
        **_reference(session, actor),
    )


@router.get("/programs/{program_id}", response_class=HTMLResponse)
def program_page(
    request: Request, program_id: IdPath, session: SessionDep, actor: ActorDep
) -> HTMLResponse:
    program = service.get_program(session, actor, program_id)
    years = sorted({d.year for item in program.items for d in item.demands})
    coverage = None
    if can(actor, Action.VIEW, Kind.MATCH):
        solved = cached_coverages(request.app.state, session, actor, (Scenario.EXISTING,))
        coverage = solved[Scenario.EXISTING].get(program.country_code)
    verdicts = (
        {i.item_id: i for i in coverage.for_program(program.id)} if coverage is not None else {}
    )
    return render(
        request,
        session,
        "catalog/program.html",
        active="programs",
        program=program,
        years=years,
        covered=coverage.share(program.id) if coverage is not None else None,
        covered_value=coverage.value_share(program.id) if coverage is not None else None,
        verdicts=verdicts,
    )


@router.get("/items", response_class=HTMLResponse)
def items_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    page: PageNumber = 1,
    country: str | None = None,
    tnved: str | None = None,
    q: str | None = None,
) -> HTMLResponse:
    flt = service.ItemFilter(None, blank_to_none(country), blank_to_none(tnved), blank_to_none(q))
    result = service.list_items(session, actor, flt, ListParams(page, PER_PAGE))
    programs = {
        p.id: p
        for p in service.programs_by_id(session, actor, {i.program_id for i in result.items})
    }
    return render(
        request,
        session,
        "catalog/items.html",
        active="items",
        page=result,
        programs=programs,
        flt=flt,
        params=_filters(request),
        **_reference(session, actor),
    )


@router.get("/items/{item_id}", response_class=HTMLResponse)
def item_page(
    request: Request, item_id: IdPath, session: SessionDep, actor: ActorDep
) -> HTMLResponse:
    """One program item: what is demanded, how much and by when, the partner's products it was
    matched to (with the reviewers' decisions), and where its coverage and passports are."""
    item = service.get_item(session, actor, item_id)
    program = service.get_program(session, actor, item.program_id)
    matches: list[Match] = []
    if can(actor, Action.VIEW, Kind.MATCH):
        matches = list(
            session.scalars(
                select(Match)
                .where(Match.item_id == item.id)
                .options(selectinload(Match.capability).selectinload(Capability.enterprise))
                .order_by(Match.probability.desc())
            )
        )
    passports = session.scalars(
        select(Passport)
        .join(PassportProduct)
        .where(
            PassportProduct.source_item_id == item.id,
            Passport.status != PassportStatus.CANCELLED,
        )
        .distinct()
    ).all()
    return render(
        request,
        session,
        "catalog/item.html",
        active="items",
        item=item,
        program=program,
        demands=sorted(item.demands, key=lambda d: d.year),
        matches=matches,
        passports=passports,
    )


@router.get("/enterprises", response_class=HTMLResponse)
def enterprises_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    page: PageNumber = 1,
    country: str | None = None,
    industry_id: str | None = None,
    q: str | None = None,
) -> HTMLResponse:
    flt = service.OrganizationFilter(
        OrganizationKind.ENTERPRISE,
        blank_to_none(country),
        int_or_none(industry_id),
        blank_to_none(q),
    )
    result = service.list_organizations(session, actor, flt, ListParams(page, PER_PAGE))
    counts = service.capability_counts(session, actor, (o.id for o in result.items))
    return render(
        request,
        session,
        "catalog/enterprises.html",
        active="enterprises",
        page=result,
        counts=counts,
        flt=flt,
        params=_filters(request),
        **_reference(session, actor),
    )


@router.get("/enterprises/{org_id}", response_class=HTMLResponse)
def enterprise_page(
    request: Request, org_id: IdPath, session: SessionDep, actor: ActorDep
) -> HTMLResponse:
    org = service.get_organization(session, actor, org_id)
    return render(request, session, "catalog/enterprise.html", active="enterprises", org=org)


@router.get("/capabilities", response_class=HTMLResponse)
def capabilities_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    page: PageNumber = 1,
    country: str | None = None,
    tnved: str | None = None,
    q: str | None = None,
) -> HTMLResponse:
    flt = service.CapabilityFilter(
        None, blank_to_none(country), blank_to_none(tnved), blank_to_none(q)
    )
    result = service.list_capabilities(session, actor, flt, ListParams(page, PER_PAGE))
    return render(
        request,
        session,
        "catalog/capabilities.html",
        active="capabilities",
        page=result,
        flt=flt,
        params=_filters(request),
        **_reference(session, actor),
    )


UPLOAD_KINDS = {"programs": transfer.import_programs, "capabilities": transfer.import_capabilities}
# The upload's POST has its own router: the app checks `may_import` before the CSRF check reads
# the form, so a user who may not import is refused before a byte of the file is read.
upload_router = APIRouter(include_in_schema=False)


def may_import(actor: ActorDep) -> None:
    """Refuse (403) a user who may import neither programs nor capabilities."""
    if not any(
        can(actor, Action.CREATE, kind, owner=actor.country)
        for kind in (Kind.PROGRAM, Kind.CAPABILITY)
    ):
        require(actor, Action.CREATE, Kind.PROGRAM, owner=actor.country)


@router.get("/upload", response_class=HTMLResponse)
def upload_form(
    request: Request, session: SessionDep, actor: ActorDep, kind: str = "programs"
) -> HTMLResponse:
    return render(request, session, "catalog/upload.html", active="upload", kind=kind)


@upload_router.post("/upload", response_class=HTMLResponse)
def upload(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form()] = "programs",
) -> HTMLResponse:
    """Import a file all-or-nothing; on errors show every row error and write nothing.

    A plain `def`: FastAPI runs it in a worker thread, so checking a large workbook never holds
    the event loop (other users' pages keep being served); the workbook is streamed under
    `UPLOAD_LIMITS` (cells, unpacked size), so a zip bomb is refused before it is unpacked.
    """
    importer = UPLOAD_KINDS.get(kind)
    name = Path(file.filename or "upload").name
    content = file.file.read(MAX_UPLOAD_BYTES + 1)
    context: dict[str, Any] = {"kind": kind, "filename": name}
    if importer is None:
        context["fatal"] = f"unknown kind {kind!r}"
    elif len(content) > MAX_UPLOAD_BYTES:
        context["fatal"] = f"{name}: file larger than {MAX_UPLOAD_BYTES // 2**20} MB"
    else:
        try:
            table = stream_table(content, name, UPLOAD_LIMITS)
            with session.begin_nested():  # batches written before an error are undone
                context["report"] = importer(session, actor, table, sha256=file_digest(content))
        except ImportFailedError as exc:
            context["errors"] = exc.errors
        except UnreadableFileError as exc:
            context["fatal"] = str(exc)
    code = 422 if "errors" in context or "fatal" in context else 200
    return render(
        request, session, "catalog/upload.html", active="upload", status_code=code, **context
    )


@router.get("/templates/{kind}.xlsx")
def template_file(kind: str) -> Response:
    """An empty template (headers only) to fill in Excel."""
    exporters = {
        "programs": transfer.export_template_programs,
        "capabilities": transfer.export_template_capabilities,
    }
    exporter = exporters.get(kind)
    if exporter is None:
        return Response(status_code=404)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{kind}.xlsx"
        exporter(path)
        data = path.read_bytes()
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{kind}-template.xlsx"'},
    )
