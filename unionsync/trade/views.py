"""The page of trade records: the rows behind every trade figure on the dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from unionsync.access.deps import ActorDep
from unionsync.api.deps import SessionDep
from unionsync.core.listing import ListParams
from unionsync.trade import service
from unionsync.trade.models import FlowDirection
from unionsync.web.pages import PageNumber, blank_to_none, int_or_none, render

router = APIRouter(include_in_schema=False)


@router.get("/trade", response_class=HTMLResponse)
def trade_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    page: PageNumber = 1,
    reporter: str | None = None,
    year: str | None = None,
    flow: str | None = None,
    tnved: str | None = None,
    critical: str | None = None,
) -> HTMLResponse:
    flows = {f.value: f for f in FlowDirection}
    flt = service.FlowFilter(
        blank_to_none(reporter),
        int_or_none(year),
        flows.get(flow or ""),
        blank_to_none(tnved),
        critical in ("1", "on"),
    )
    result = service.list_flows(session, actor, flt, ListParams(page, 100))
    totals = service.flow_totals(session, actor, flt)
    return render(
        request,
        session,
        "trade/flows.html",
        active="trade",
        page=result,
        totals=totals,
        flt=flt,
        params=dict(request.query_params),
        years=service.years_with_flows(session, actor),
        flows=list(FlowDirection),
    )
