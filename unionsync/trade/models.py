"""TradeFlow v1 (one side's record of one flow) and exchange rates."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from unionsync.core.money import Currency, Money
from unionsync.db.base import Base, str_enum
from unionsync.db.types import ScaledDecimal


class FlowDirection(StrEnum):
    EXPORT = "export"
    IMPORT = "import"


class TradeFlow(Base):
    """What `reporter` recorded as exported to or imported from `partner`, per code and year."""

    __tablename__ = "trade_flow"
    __table_args__ = (
        UniqueConstraint("reporter_code", "partner_code", "year", "flow", "tnved_code", "source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_code: Mapped[str] = mapped_column(ForeignKey("country.code"), index=True)
    partner_code: Mapped[str] = mapped_column(ForeignKey("country.code"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    flow: Mapped[FlowDirection] = mapped_column(str_enum(FlowDirection, 8))
    tnved_code: Mapped[str] = mapped_column(String(10), index=True)
    value_amount: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    value_currency: Mapped[Currency] = mapped_column(str_enum(Currency, 3))
    quantity: Mapped[Decimal | None] = mapped_column(ScaledDecimal(3))
    unit_okei: Mapped[str | None] = mapped_column(String(3))
    source: Mapped[str] = mapped_column(String(120))

    @property
    def value(self) -> Money:
        return Money(self.value_amount, self.value_currency)


class ExchangeRate(Base):
    """An official rate: one unit of `currency` costs `rate` units of `quote` over `year`."""

    __tablename__ = "exchange_rate"
    __table_args__ = (UniqueConstraint("year", "currency", "quote", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    currency: Mapped[Currency] = mapped_column(str_enum(Currency, 3))
    quote: Mapped[Currency] = mapped_column(str_enum(Currency, 3))
    rate: Mapped[Decimal] = mapped_column(ScaledDecimal(6))
    kind: Mapped[str] = mapped_column(String(40), default="annual average")
    source: Mapped[str] = mapped_column(String(200))
