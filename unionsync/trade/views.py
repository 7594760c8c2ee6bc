"""Pages of trade: the records behind every trade figure, and mirror statistics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from unionsync.access.deps import ActorDep
from unionsync.api.deps import SessionDep
from unionsync.core.listing import ListParams
from unionsync.core.messages import N_
from unionsync.core.money import Currency
from unionsync.nomenclature.lists import all_lists
from unionsync.reference.models import Industry
from unionsync.trade import reconcile, service
from unionsync.trade.mirror import Flag
from unionsync.trade.models import FlowDirection
from unionsync.web.i18n import gettext
from unionsync.web.pages import (
    COUNTRY_COLORS,
    PageNumber,
    blank_to_none,
    chart_data,
    chart_layout,
    int_or_none,
    render,
)

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
    totals = service.flow_totals_by_side_and_year(session, actor, flt, Currency.BYN)
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


FLAG_NAMES = {
    Flag.ONE_SIDE_MISSING: N_("one side did not record it"),
    Flag.TIMING: N_("timing: the gap reverses in the adjacent year"),
    Flag.QUANTITY_MISMATCH: N_("quantities or units disagree"),
    Flag.OTHER_CODE: N_("booked under another code of the heading"),
    Flag.LARGE_GAP: N_("large gap, no explanation found"),
}


@router.get("/trade/mirror", response_class=HTMLResponse)
def mirror_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    direction: str | None = None,
    year: str | None = None,
    critical: str | None = None,
    currency: str | None = None,
    estimate_cif: str | None = None,
) -> HTMLResponse:
    """Both sides' records by year with the reconciled interval, and the codes with the
    largest gaps and what explains them."""
    chosen = Currency(currency) if currency in {c.value for c in Currency} else Currency.BYN
    critical_list = critical if critical is not None else reconcile.ANY_LIST
    way = direction if direction in reconcile.PAIRS else "mutual"
    report = reconcile.cached_report(
        request.app.state,
        session,
        actor,
        *reconcile.PAIRS[way],
        mutual=way == "mutual",
        critical=critical_list or None,
        currency=chosen,
        estimate_cif=estimate_cif in ("1", "on"),
    )
    years = [y.year for y in report.years]
    picked = int_or_none(year) or (years[-2] if len(years) > 1 else (years[0] if years else None))
    gaps = report.largest_gaps(picked, 25)
    industries = {i.id: i for i in session.scalars(select(Industry))}
    per_industry = (
        reconcile.by_industry(report, reconcile.industries_of_codes(session), picked)
        if picked
        else []
    )
    return render(
        request,
        session,
        "trade/mirror.html",
        active="trade",
        report=report,
        way=way,
        year=picked,
        years=years,
        critical=critical_list,
        lists=all_lists(session, actor),
        currency=chosen,
        gaps=gaps,
        per_industry=per_industry,
        industries=industries,
        flag_names={f: gettext(name) for f, name in FLAG_NAMES.items()},
        estimate_cif=estimate_cif in ("1", "on"),
        charts={"chart-mirror": chart_data(_mirror_chart(report))},
    )


def _mirror_chart(report: reconcile.MirrorReport) -> dict[str, Any]:
    """Both records by year, the reconciled estimate and its interval as a band."""
    years = [str(y.year) for y in report.years]
    scale = 1e6
    first, second = report.exporter, report.importer
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": years,
            "y": [round(y.high / scale, 1) for y in report.years],
            "line": {"width": 0},
            "showlegend": False,
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": gettext("interval"),
            "x": years,
            "y": [round(y.low / scale, 1) for y in report.years],
            "fill": "tonexty",
            "fillcolor": "rgba(47, 125, 140, 0.18)",
            "line": {"width": 0},
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": gettext("%(country)s records") % {"country": first},
            "x": years,
            "y": [round(y.exporter_record / scale, 1) for y in report.years],
            "line": {"color": COUNTRY_COLORS.get(first, "#555")},
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": gettext("%(country)s records") % {"country": second},
            "x": years,
            "y": [round(y.importer_record / scale, 1) for y in report.years],
            "line": {"color": COUNTRY_COLORS.get(second, "#555")},
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": gettext("reconciled estimate"),
            "x": years,
            "y": [round(y.estimate / scale, 1) for y in report.years],
            "line": {"color": "#2f7d8c", "dash": "dash"},
        },
    ]
    unit = gettext("mln") + " " + report.currency.value
    return {
        "data": data,
        "layout": chart_layout(
            xaxis={"type": "category"},
            yaxis={"title": {"text": unit}, "rangemode": "tozero", "gridcolor": "#e3e8ef"},
        ),
    }
