"""The overview page: figures and charts, each linking to the rows behind it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.access.deps import ActorDep
from unionsync.access.models import Side
from unionsync.access.policy import PUBLIC, Action, Kind, Principal, can
from unionsync.api.deps import SessionDep
from unionsync.core.errors import NotFoundError
from unionsync.coverage.sync import cached_industry_shares
from unionsync.dashboard.service import Dashboard, build_dashboard
from unionsync.finance import service as finance_service
from unionsync.passports.models import PassportStatus
from unionsync.reference.models import Industry
from unionsync.trade.reconcile import cached_mutual
from unionsync.web.i18n import current_language, gettext
from unionsync.web.labels import label
from unionsync.web.pages import (
    COUNTRY_COLORS,
    chart_data,
    chart_layout,
    render,
    use_language,
)

router = APIRouter(include_in_schema=False)

STATUS_ORDER = list(PassportStatus)


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """The overview; a bank goes to its passports; anonymous visitors only if it is public."""
    use_language(request)
    if not actor.authenticated and request.app.state.settings.public_dashboard:
        actor = PUBLIC
    if actor.side is Side.BANK:
        return RedirectResponse("/passports", status_code=303)
    board = build_dashboard(session, actor)
    charts = {
        "chart-trade": chart_data(_trade_chart(board)),
        "chart-passports": chart_data(_passport_chart(board)),
        "chart-industries": chart_data(_industry_chart(board)),
    }
    return render(
        request,
        session,
        "dashboard/index.html",
        active="dashboard",
        board=board,
        charts=charts,
        statuses=[s for s in STATUS_ORDER if board.passports[s]],
        coverage=_coverage(request, session, actor),
        mirror=_mirror(request, session, actor),
        industry_names={i.id: i for i in session.scalars(select(Industry))},
        finance=finance_service.headline(session, actor),
    )


def _mirror(request: Request, session: Session, actor: Principal) -> dict[int, Any]:
    """Mutual trade in critical products reconciled (estimate and interval, BYN) per year."""
    if not can(actor, Action.VIEW, Kind.TRADE) or not can(actor, Action.VIEW, Kind.CODE_LIST):
        return {}
    try:
        report = cached_mutual(request.app.state, session, actor)
    except NotFoundError:  # a year without a rate: the figure is left out, not guessed
        return {}
    return {y.year: y for y in report.years}


def _coverage(
    request: Request, session: Session, actor: Principal
) -> list[tuple[int, float | None, float | None]] | None:
    """Coverage per industry, from the allocations cached on the application."""
    if not can(actor, Action.VIEW, Kind.MATCH):
        return None
    return cached_industry_shares(request.app.state, session, actor)


def _trade_chart(board: Dashboard) -> dict[str, Any]:
    years = board.trade_years
    data = []
    for reporter in ("BY", "RU"):
        values = [
            float(t.total.amount) / 1e9 if (t := board.trade_for(reporter, y)) else None
            for y in years
        ]
        data.append(
            {
                "type": "bar",
                "name": gettext("%(country)s records") % {"country": reporter},
                "x": [str(y) for y in years],
                "y": values,
                "marker": {"color": COUNTRY_COLORS[reporter]},
                "hovertemplate": "%{y:.2f} " + gettext("bn") + " BYN<extra></extra>",
            }
        )
    return {
        "data": data,
        "layout": chart_layout(
            barmode="group",
            yaxis={"title": {"text": gettext("bn") + " BYN"}, "gridcolor": "#e3e8ef"},
        ),
    }


def _passport_chart(board: Dashboard) -> dict[str, Any]:
    statuses = [s for s in STATUS_ORDER if board.passports[s]]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [label(s) for s in statuses],
                "x": [board.passports[s] for s in statuses],
                "marker": {"color": "#2f7d8c"},
                "hovertemplate": "%{x}<extra></extra>",
            }
        ],
        "layout": chart_layout(
            yaxis={"autorange": "reversed", "automargin": True},
            xaxis={"dtick": 1, "gridcolor": "#e3e8ef"},
        ),
    }


def _industry_chart(board: Dashboard) -> dict[str, Any]:
    names = [
        i.name_ru if current_language.get() == "ru" else i.name_en
        for i, _ in board.programs_by_industry
    ]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": country,
            "y": names,
            "x": [counts.get(country, 0) for _, counts in board.programs_by_industry],
            "marker": {"color": COUNTRY_COLORS[country]},
        }
        for country in ("RU", "BY")
    ]
    return {
        "data": data,
        "layout": chart_layout(
            barmode="stack",
            height=420,
            yaxis={"autorange": "reversed", "automargin": True},
            xaxis={"dtick": 1, "gridcolor": "#e3e8ef"},
        ),
    }
