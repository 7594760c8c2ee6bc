"""JSON API of trade records, the critical-product totals and mirror statistics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from unionsync.access.deps import ActorDep
from unionsync.api.deps import ListDep, SessionDep
from unionsync.core.money import Currency
from unionsync.core.schemas import CodePrefixQuery, CountryQuery, Page, YearQuery, to_page
from unionsync.trade import reconcile, service
from unionsync.trade.mirror import DEFAULT_CIF_FOB
from unionsync.trade.models import FlowDirection
from unionsync.trade.schemas import (
    MirrorReportPublic,
    TradeFlowPublic,
    TradeTotalPublic,
    mirror_view,
)

router = APIRouter(prefix="/api/v1", tags=["trade"])


@router.get("/trade-flows")
def list_trade_flows(
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    reporter: CountryQuery = None,
    year: YearQuery = None,
    flow: FlowDirection | None = None,
    tnved: CodePrefixQuery = None,
    critical: bool = False,
) -> Page[TradeFlowPublic]:
    result = service.list_flows(
        session, actor, service.FlowFilter(reporter, year, flow, tnved, critical), params
    )
    return to_page(TradeFlowPublic, result)


@router.get("/trade/critical-totals")
def critical_totals(
    session: SessionDep, actor: ActorDep, currency: Currency = Currency.BYN
) -> list[TradeTotalPublic]:
    """Mutual trade in critical products per reporter and year, with the rates used."""
    return [
        TradeTotalPublic.model_validate(t)
        for t in service.critical_trade_totals(session, actor, currency)
    ]


@router.get("/trade/mirror")
def mirror(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    exporter: Annotated[str, Query(alias="from", pattern="^[A-Z]{2}$")] = "BY",
    importer: Annotated[str, Query(alias="to", pattern="^[A-Z]{2}$")] = "RU",
    year: YearQuery = None,
    critical: Annotated[str | None, Query(pattern=r"^(\*|[A-Za-z0-9_.-]{1,40})$")] = None,
    currency: Currency = Currency.BYN,
    cif_fob: Annotated[float, Query(ge=1.0, le=1.5)] = DEFAULT_CIF_FOB,
    estimate_cif: bool = False,
    mutual: bool = False,
) -> MirrorReportPublic:
    """Both sides' records of the flows from one country to the other (or, `mutual`, both
    directions), reconciled with an interval, per year and per code, with the flags that
    explain large gaps. `critical` names a code list (`*`: any list)."""
    report = reconcile.cached_report(
        request.app.state,
        session,
        actor,
        exporter,
        importer,
        mutual=mutual,
        critical=critical,
        currency=currency,
        cif_fob=cif_fob,
        estimate_cif=estimate_cif,
    )
    return mirror_view(report, year, mutual)
