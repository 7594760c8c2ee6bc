"""Exchange-rate conversion and mutual-trade totals; every conversion names its rate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVarTuple

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Exists

from unionsync.access.policy import Action, Kind, Principal, require
from unionsync.core.errors import NotFoundError
from unionsync.core.listing import ListParams, PageResult, paginate
from unionsync.core.money import Currency, Money
from unionsync.nomenclature.models import CodeListEntry
from unionsync.trade.models import ExchangeRate, FlowDirection, TradeFlow

Ts = TypeVarTuple("Ts")


@dataclass(frozen=True, slots=True)
class RateUsed:
    """The rate behind a conversion, shown next to the converted figure."""

    year: int
    currency: Currency
    quote: Currency
    rate: Decimal
    kind: str
    source: str


@dataclass(frozen=True, slots=True)
class Converted:
    """An amount converted to another currency and the rates that did it."""

    money: Money
    rates: tuple[RateUsed, ...]


class MissingRateError(NotFoundError):
    """No rate is on file for the currency and year asked."""


def _to_byn(session: Session, currency: Currency, year: int) -> RateUsed | None:
    if currency == Currency.BYN:
        return None
    rate = session.scalars(
        select(ExchangeRate)
        .where(
            ExchangeRate.year == year,
            ExchangeRate.currency == currency,
            ExchangeRate.quote == Currency.BYN,
        )
        .order_by(ExchangeRate.id.desc())  # the table loaded last wins
    ).first()
    if rate is None:
        raise MissingRateError("exchange rate", f"{currency}/BYN {year}")
    return RateUsed(year, currency, Currency.BYN, rate.rate, rate.kind, rate.source)


def rate_factor(
    session: Session, source: Currency, target: Currency, year: int
) -> tuple[Decimal, tuple[RateUsed, ...]]:
    """Units of `target` per unit of `source` in `year`, unrounded (a rounded unit rate would
    bias every total), through the rate table's BYN rates; and the rates it used."""
    if source == target:
        return Decimal(1), ()
    into, out_of = _to_byn(session, source, year), _to_byn(session, target, year)
    factor = (into.rate if into else Decimal(1)) / (out_of.rate if out_of else Decimal(1))
    return factor, tuple(r for r in (into, out_of) if r is not None)


def convert(session: Session, money: Money, year: int, to: Currency) -> Converted:
    """`money` in `to`, through BYN rates of `year` (the rate table's base currency)."""
    if money.currency == to:
        return Converted(money, ())
    factor, used = rate_factor(session, money.currency, to, year)
    return Converted(Money.of(money.amount * factor, to), used)


def is_critical() -> Exists:
    """SQL condition: the flow's code falls under an entry of a code list (critical products)."""
    width = func.length(CodeListEntry.first)
    prefix = func.substr(TradeFlow.tnved_code, 1, width)
    return exists().where(
        func.length(TradeFlow.tnved_code) >= width,
        prefix.between(CodeListEntry.first, CodeListEntry.last),
    )


@dataclass(frozen=True, slots=True)
class TradeTotal:
    """One side's total of mutual trade in critical products for a year, in one currency."""

    reporter: str
    year: int
    total: Money
    rates: tuple[RateUsed, ...]
    records: int


def critical_trade_totals(
    session: Session, actor: Principal, to: Currency = Currency.BYN
) -> list[TradeTotal]:
    """Per reporter and year: exports plus imports with the partner, critical products only."""
    require(actor, Action.VIEW, Kind.TRADE)
    rows = session.execute(
        select(
            TradeFlow.reporter_code,
            TradeFlow.year,
            TradeFlow.value_currency,
            func.sum(TradeFlow.value_amount),
            func.count(),
        )
        .where(is_critical())
        .group_by(TradeFlow.reporter_code, TradeFlow.year, TradeFlow.value_currency)
        .order_by(TradeFlow.year, TradeFlow.reporter_code)
    )
    totals: dict[tuple[str, int], TradeTotal] = {}
    for reporter, year, currency, amount, count in rows:
        converted = convert(session, Money(Decimal(amount), Currency(currency)), year, to)
        key = (reporter, year)
        if key in totals:
            previous = totals[key]
            converted = Converted(
                previous.total + converted.money, previous.rates + converted.rates
            )
            count += previous.records
        totals[key] = TradeTotal(reporter, year, converted.money, converted.rates, count)
    return list(totals.values())


@dataclass(frozen=True, slots=True)
class FlowFilter:
    reporter: str | None = None
    year: int | None = None
    flow: FlowDirection | None = None
    tnved_prefix: str | None = None
    critical_only: bool = False


def list_flows(
    session: Session, actor: Principal, flt: FlowFilter, params: ListParams
) -> PageResult[TradeFlow]:
    """The trade records behind any total, filterable the same way."""
    require(actor, Action.VIEW, Kind.TRADE)
    stmt = _filtered(select(TradeFlow), flt)
    sortable = {
        "year": TradeFlow.year,
        "code": TradeFlow.tnved_code,
        "value": TradeFlow.value_amount,
        "reporter": TradeFlow.reporter_code,
    }
    return paginate(
        session,
        stmt,
        params,
        sortable,
        [TradeFlow.year, TradeFlow.reporter_code, TradeFlow.tnved_code, TradeFlow.id],
    )


@dataclass(frozen=True, slots=True)
class GroupTotal:
    """The filtered records of one side and year, both directions together (the overview's
    figure), as reported in each currency and converted into one at the year's rate."""

    reporter: str
    year: int
    reported: list[Money]
    converted: Money | None  # None when a year's rate is missing
    rates: tuple[RateUsed, ...]
    records: int


def flow_totals_by_side_and_year(
    session: Session, actor: Principal, flt: FlowFilter, to: Currency = Currency.BYN
) -> list[GroupTotal]:
    """The totals a reader can defend: per side and year (never summed across sides, whose
    records describe the same flows, nor across years), each in `to` with the rates used."""
    require(actor, Action.VIEW, Kind.TRADE)
    stmt = _filtered(
        select(
            TradeFlow.reporter_code,
            TradeFlow.year,
            TradeFlow.value_currency,
            func.sum(TradeFlow.value_amount),
            func.count(),
        ),
        flt,
    ).group_by(TradeFlow.reporter_code, TradeFlow.year, TradeFlow.value_currency)
    grouped: dict[tuple[str, int], list[tuple[Money, int]]] = {}
    for reporter, year, currency, amount, count in session.execute(stmt):
        grouped.setdefault((reporter, year), []).append(
            (Money(Decimal(amount), Currency(currency)), count)
        )
    totals = []
    for (reporter, year), parts in sorted(grouped.items(), key=lambda x: (x[0][1], x[0][0])):
        try:
            done = [convert(session, money, year, to) for money, _count in parts]
        except MissingRateError:  # the figure is left out, the records' sums still shown
            done = []
        converted = sum((d.money for d in done), Money.of(0, to)) if done else None
        totals.append(
            GroupTotal(
                reporter,
                year,
                [m for m, _ in parts],
                converted,
                tuple(dict.fromkeys(r for d in done for r in d.rates)),
                sum(c for _, c in parts),
            )
        )
    return totals


def _filtered(stmt: Select[*Ts], flt: FlowFilter) -> Select[*Ts]:
    """`stmt` restricted to the records `flt` selects (shared by the list and its totals)."""
    if flt.reporter:
        stmt = stmt.where(TradeFlow.reporter_code == flt.reporter.upper())
    if flt.year:
        stmt = stmt.where(TradeFlow.year == flt.year)
    if flt.flow:
        stmt = stmt.where(TradeFlow.flow == flt.flow)
    if flt.tnved_prefix:
        stmt = stmt.where(TradeFlow.tnved_code.startswith(flt.tnved_prefix))
    if flt.critical_only:
        stmt = stmt.where(is_critical())
    return stmt


def years_with_flows(session: Session, actor: Principal) -> Sequence[int]:
    require(actor, Action.VIEW, Kind.TRADE)
    return session.scalars(select(TradeFlow.year).distinct().order_by(TradeFlow.year)).all()
