"""The opportunities page: ranked opportunities per industry and a product space per country."""

from __future__ import annotations

from typing import Any

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from unionsync.access.deps import ActorDep
from unionsync.access.policy import Action, Kind, can
from unionsync.analytics.opportunities import ProductSpace, cached_opportunity_view
from unionsync.api.deps import SessionDep
from unionsync.reference.countries import PARTNER
from unionsync.reference.models import Industry
from unionsync.web.i18n import N_, gettext
from unionsync.web.pages import COUNTRY_COLORS, chart_data, chart_layout, int_or_none, render

router = APIRouter(include_in_schema=False)
COUNTRY_NAMES = {"BY": N_("Belarus"), "RU": N_("Russia")}


@router.get("/opportunities", response_class=HTMLResponse)
def opportunities_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    demand: str | None = None,
    industry: str | None = None,
) -> HTMLResponse:
    """Which of a country's imports the partner can replace, ranked and explained."""
    country = demand if demand in PARTNER else "RU"
    partner = PARTNER[country]
    industry_id = int_or_none(industry)
    view = cached_opportunity_view(
        request.app.state,
        session,
        actor,
        country,
        industry_id,
        request.app.state.settings.data_dir,
    )
    ranked, space, points = view.ranked, view.space, view.points
    top = [o.code for o in ranked[:10]]
    charts = {
        f"chart-space-{c}": chart_data(_space_chart(space, points, c, top)) for c in ("BY", "RU")
    }
    return render(
        request,
        session,
        "analytics/opportunities.html",
        active="opportunities",
        country=country,
        partner=partner,
        partner_name=gettext(COUNTRY_NAMES[partner]),
        industry_id=industry_id,
        industries={i.id: i for i in session.scalars(select(Industry).order_by(Industry.id))},
        ranked=ranked[:60],
        total=len(ranked),
        charts=charts,
        may_draft=can(actor, Action.CREATE, Kind.PASSPORT, owner=actor.country),
    )


def _space_chart(
    space: ProductSpace, points: np.ndarray, country: str, top: list[str]
) -> dict[str, Any]:
    """Products placed by their proximity (one layout for both countries); the country's own
    in its colour, the ten first opportunities of the ranking labelled with their codes."""
    products = space.products
    mine = space.made_by.get(country, set())
    groups = (
        (True, COUNTRY_COLORS[country], gettext("made")),
        (False, "#c8d0da", gettext("not made")),
    )
    data = []
    for made, colour, name in groups:
        chosen = [n for n, p in enumerate(products) if (p in mine) == made]
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "x": [round(float(points[n][0]), 4) for n in chosen],
                "y": [round(float(points[n][1]), 4) for n in chosen],
                "text": [products[n] for n in chosen],
                "marker": {"color": colour, "size": 9, "line": {"width": 0.5, "color": "#fff"}},
                "hovertemplate": "%{text}<extra></extra>",
            }
        )
    index = {p: n for n, p in enumerate(products)}
    marked = [code for code in top if code in index]
    data.append(
        {
            "type": "scatter",
            "mode": "markers+text",
            "name": gettext("first opportunities of the ranking"),
            "x": [round(float(points[index[c]][0]), 4) for c in marked],
            "y": [round(float(points[index[c]][1]), 4) for c in marked],
            "text": marked,
            "textposition": "top center",
            "textfont": {"size": 10},
            "marker": {"symbol": "circle-open", "size": 14, "color": "#c0392b"},
            "hovertemplate": "%{text}<extra></extra>",
        }
    )
    return {
        "data": data,
        "layout": chart_layout(
            xaxis={"visible": False},
            yaxis={"visible": False},
            margin={"l": 10, "r": 10, "t": 10, "b": 30},
            showlegend=True,
        ),
    }
