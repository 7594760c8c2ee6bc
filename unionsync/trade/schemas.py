"""API shapes of trade records and totals."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from unionsync.core.money import Currency
from unionsync.core.schemas import MoneyPublic
from unionsync.trade.models import FlowDirection


class TradeFlowPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reporter_code: str
    partner_code: str
    year: int
    flow: FlowDirection
    tnved_code: str
    value: MoneyPublic
    quantity: Decimal | None
    unit_okei: str | None
    source: str


class RatePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    year: int
    currency: Currency
    quote: Currency
    rate: Decimal
    kind: str
    source: str


class TradeTotalPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    reporter: str
    year: int
    total: MoneyPublic
    rates: list[RatePublic]
    records: int
