"""JSON API of trade records and the critical-product totals."""

from __future__ import annotations

from fastapi import APIRouter

from unionsync.access.deps import ActorDep
from unionsync.api.deps import ListDep, SessionDep
from unionsync.core.money import Currency
from unionsync.core.schemas import Page, to_page
from unionsync.trade import service
from unionsync.trade.models import FlowDirection
from unionsync.trade.schemas import TradeFlowPublic, TradeTotalPublic

router = APIRouter(prefix="/api/v1", tags=["trade"])


@router.get("/trade-flows")
def list_trade_flows(
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    reporter: str | None = None,
    year: int | None = None,
    flow: FlowDirection | None = None,
    tnved: str | None = None,
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
