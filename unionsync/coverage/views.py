"""Pages of coverage and synchronisation, and the report downloads."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.access.deps import ActorDep
from unionsync.access.policy import Action, Kind, Principal, can, require
from unionsync.api.deps import SessionDep
from unionsync.catalog.models import ProgramItem
from unionsync.core.errors import NotFoundError
from unionsync.core.listing import ListParams, PageResult
from unionsync.core.messages import N_
from unionsync.core.schemas import IdPath
from unionsync.coverage.allocation import Verdict
from unionsync.coverage.lists import (
    Section,
    SyncFilter,
    check_sort,
    lines,
    overlaps,
    page_of,
    parse_filter,
    shares_of,
)
from unionsync.coverage.report import (
    cached_summary_figures,
    summary_rows,
    write_pdf,
    write_xlsx,
)
from unionsync.coverage.service import Scenario
from unionsync.coverage.sync import (
    SyncReport,
    cached_coverages,
    cached_sync_report,
    synchronise,
)
from unionsync.passports.models import Passport, PassportProduct, PassportStatus
from unionsync.reference.models import Industry
from unionsync.roadmap.targets import cached_late_items, trajectory_as_reported
from unionsync.web.i18n import gettext
from unionsync.web.labels import label
from unionsync.web.pages import (
    COUNTRY_COLORS,
    PageNumber,
    chart_data,
    chart_layout,
    int_or_none,
    render,
    use_language,
)

router = APIRouter(include_in_schema=False)
LIST_PER_PAGE = 50
FilterText = Annotated[str | None, Query(max_length=200)]
SortParam = Annotated[str | None, Query(max_length=40)]
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
    report = cached_sync_report(request.app.state, session, actor, industry_id)
    industries = {i.id: i for i in session.scalars(select(Industry).order_by(Industry.id))}
    names = {i.id: (i.name_ru if _ru(request) else i.name_en) for i in industries.values()}
    figures = cached_summary_figures(request.app.state, session, report, industry_id)
    summary = summary_rows(report, names, figures)
    late = cached_late_items(request.app.state, session, actor, industry_id)
    planned = cached_coverages(request.app.state, session, actor, (Scenario.RECONCILED,))
    reported = trajectory_as_reported(
        session,
        actor,
        planned[Scenario.RECONCILED],
        lambda country: report.keep(country, industry_id),
    )
    return render(
        request,
        session,
        "coverage/sync.html",
        active="sync",
        report=report,
        industry_id=industry_id,
        industries=industries,
        summary=summary,
        summary_ids=[*report.industries(), None],
        charts={
            "chart-trajectory": chart_data(_trajectory_chart(report, reported)),
            "chart-coverage": chart_data(_coverage_chart(summary[:-1])),
        },
        may_draft=_may_draft(actor),
        drafted=_drafted(session),
        late=[x for x in late if x.slipped_past_target],
        late_before=[x for x in late if not x.slipped_past_target],
        reported=reported,
        preview=PREVIEW,
    )


LIST_TITLES = {
    Section.ITEMS: N_("Program items and their coverage"),
    Section.COMPLEMENTS: N_("Complements: demand the partner can cover"),
    Section.GAPS: N_("Gaps: demand nobody produces"),
    Section.OVERLAPS: N_("Overlaps: both countries plan the same product"),
}
PREVIEW = 10  # rows of each list on the synchronisation page; the rest on the list's own page


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What a list page of the report was asked for: its page, sort and checked filters."""

    page: int
    sort: str | None
    flt: SyncFilter


def list_query(
    page: PageNumber = 1,
    sort: SortParam = None,
    country: FilterText = None,
    industry: FilterText = None,
    verdict: FilterText = None,
    conflict: FilterText = None,
    q: FilterText = None,
) -> ListQuery:
    """The query string every list of the report takes (a filter a list has no column for,
    such as the verdict of an overlap, narrows nothing), checked once for all four."""
    return ListQuery(page, sort, parse_filter(country, industry, q, verdict, conflict))


ListQueryDep = Annotated[ListQuery, Depends(list_query)]


def _list_page(
    section: Section,
    request: Request,
    session: Session,
    actor: Principal,
    query: ListQuery,
) -> HTMLResponse:
    """One section of the report as a list: filtered, sorted and paged, read from the shared
    report (nothing is solved in the request)."""
    flt = query.flt
    order = check_sort(section, query.sort)
    report = cached_sync_report(request.app.state, session, actor, None)
    params = ListParams(query.page, LIST_PER_PAGE)
    context: dict[str, Any] = {}
    if section is Section.OVERLAPS:
        result: PageResult[Any] = page_of(overlaps(report, flt, order), params)
    else:
        chosen = lines(report, section, flt, order)
        result = page_of(chosen, params)
        context["shares"] = shares_of(report, chosen)
        if section is Section.GAPS:
            context["may_draft"] = _may_draft(actor)
            context["drafted"] = _drafted(session)
    return render(
        request,
        session,
        "coverage/list.html",
        active="sync",
        section=section,
        title=LIST_TITLES[section],
        page=result,
        flt=flt,
        sort=order,
        params={k: v for k, v in request.query_params.items() if k != "page"},
        industries={i.id: i for i in session.scalars(select(Industry).order_by(Industry.id))},
        verdicts=list(Verdict),
        **context,
    )


@router.get("/sync/items", response_class=HTMLResponse)
def items_list(
    request: Request, session: SessionDep, actor: ActorDep, query: ListQueryDep
) -> HTMLResponse:
    """Every program item with its verdict and covered share: the rows behind the shares."""
    return _list_page(Section.ITEMS, request, session, actor, query)


@router.get("/sync/complements", response_class=HTMLResponse)
def complements_list(
    request: Request, session: SessionDep, actor: ActorDep, query: ListQueryDep
) -> HTMLResponse:
    """The demand the partner's producers can cover, fully or partly."""
    return _list_page(Section.COMPLEMENTS, request, session, actor, query)


@router.get("/sync/gaps", response_class=HTMLResponse)
def gaps_list(
    request: Request, session: SessionDep, actor: ActorDep, query: ListQueryDep
) -> HTMLResponse:
    """The demand nobody produces, the largest by money first, each with its passport."""
    return _list_page(Section.GAPS, request, session, actor, query)


@router.get("/sync/overlaps", response_class=HTMLResponse)
def overlaps_list(
    request: Request, session: SessionDep, actor: ActorDep, query: ListQueryDep
) -> HTMLResponse:
    """The subheadings both countries plan, with their target years."""
    return _list_page(Section.OVERLAPS, request, session, actor, query)


@router.get("/sync/items/{item_id}", response_class=HTMLResponse)
def item_page(
    request: Request, item_id: IdPath, session: SessionDep, actor: ActorDep
) -> HTMLResponse:
    """One item's coverage: per year and scenario the demand, what is covered and by whom
    (producers and passports), the gap, the matches behind it and units that do not fit."""
    item = session.get(ProgramItem, item_id)
    if item is None:
        raise NotFoundError("program item", item_id)
    country = item.program.country_code
    scenarios = cached_coverages(request.app.state, session, actor)
    coverage = {s: by_country[country].item(item_id) for s, by_country in scenarios.items()}
    passports = session.scalars(
        select(Passport)
        .join(PassportProduct)
        .where(PassportProduct.source_item_id == item_id)
        .order_by(Passport.id)
    ).all()
    return render(
        request,
        session,
        "coverage/item.html",
        active="sync",
        item=item,
        coverage=coverage,
        scenarios=list(Scenario),
        passports=passports,
        may_draft=_may_draft(actor)
        and not any(p.status is not PassportStatus.CANCELLED for p in passports),
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
    scenarios = cached_coverages(request.app.state, session, actor)
    report = synchronise(session, actor, industry_id, scenarios)
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


def _may_draft(actor: Principal) -> bool:
    """Whether the «draft a passport» action is offered (the service checks again)."""
    return can(actor, Action.CREATE, Kind.PASSPORT, owner=actor.country)


def _drafted(session: Session) -> dict[int, Passport]:
    """Items already answered by a live passport, with that passport."""
    rows = session.execute(
        select(PassportProduct.source_item_id, Passport)
        .join(Passport)
        .where(
            PassportProduct.source_item_id.is_not(None),
            Passport.status != PassportStatus.CANCELLED,
        )
    ).all()
    return {item_id: passport for item_id, passport in rows if item_id is not None}


SCENARIO_DASH = {Scenario.EXISTING: "solid", Scenario.RECONCILED: "dash", Scenario.ALL: "dot"}


def _trajectory_chart(
    report: SyncReport, reported: dict[str, list[tuple[int, float]]] | None = None
) -> dict[str, Any]:
    """Covered share by year: a line per country and scenario, and per country the line of
    the reconciled passports at the output they reported."""
    data = []
    for country, line in sorted((reported or {}).items()):
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": gettext("%(country)s: as reported") % {"country": country},
                "x": [str(year) for year, _ in line],
                "y": [round(share * 100, 1) for _, share in line],
                "line": {"color": COUNTRY_COLORS[country], "dash": "longdash", "width": 3},
                "marker": {"symbol": "square", "size": 8},
                "hovertemplate": "%{y:.1f}%<extra></extra>",
            }
        )
    for country in ("BY", "RU"):
        points = [p for p in report.trajectory if p.country == country]
        for scenario in Scenario:
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": f"{country}: {label(scenario)}",
                    "x": [str(p.year) for p in points],
                    "y": [
                        None if (v := p.shares.get(scenario)) is None else round(v * 100, 1)
                        for p in points
                    ],
                    "line": {"color": COUNTRY_COLORS[country], "dash": SCENARIO_DASH[scenario]},
                    "hovertemplate": "%{y:.1f}%<extra></extra>",
                }
            )
    return {
        "data": data,
        "layout": chart_layout(
            yaxis={"rangemode": "tozero", "ticksuffix": "%", "gridcolor": "#e3e8ef"},
            legend={"orientation": "h", "y": -0.25},
        ),
    }


def _coverage_chart(rows: list[list[Any]]) -> dict[str, Any]:
    """Covered share of each country's demand per industry (by quantity)."""
    names = [row[0] for row in rows]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": gettext("%(country)s demand") % {"country": country},
            "y": names,
            "x": [None if row[column] is None else round(row[column] * 100, 1) for row in rows],
            "marker": {"color": COUNTRY_COLORS[country]},
            "hovertemplate": "%{x:.1f}%<extra></extra>",
        }
        for country, column in (("BY", 1), ("RU", 2))
    ]
    return {
        "data": data,
        "layout": chart_layout(
            barmode="group",
            xaxis={"range": [0, 100], "ticksuffix": "%", "gridcolor": "#e3e8ef"},
            yaxis={"autorange": "reversed", "automargin": True, "dtick": 1},
        ),
    }
