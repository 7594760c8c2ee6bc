"""Dashboard figures. Each figure carries the link to the rows it counts (traceability)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Result, func, select
from sqlalchemy.orm import Session

from unionsync.access.policy import Action, Kind, Principal, require
from unionsync.catalog.models import (
    Capability,
    Organization,
    OrganizationKind,
    Program,
    ProgramItem,
)
from unionsync.core.money import Currency
from unionsync.db.models import Base
from unionsync.passports.models import IN_PREPARATION, RECONCILED_OR_LATER, Passport, PassportStatus
from unionsync.reference.models import Industry
from unionsync.trade.service import TradeTotal, critical_trade_totals

K = TypeVar("K")


@dataclass
class Dashboard:
    """Everything the dashboard shows, computed in one pass."""

    programs: Counter[str] = field(default_factory=Counter)
    items: Counter[str] = field(default_factory=Counter)
    enterprises: Counter[str] = field(default_factory=Counter)
    capabilities: Counter[str] = field(default_factory=Counter)
    programs_by_industry: list[tuple[Industry, Counter[str]]] = field(default_factory=list)
    passports: Counter[PassportStatus] = field(default_factory=Counter)
    # per industry: (industry, reconciled or later, in preparation)
    passports_by_industry: list[tuple[Industry, int, int]] = field(default_factory=list)
    trade: list[TradeTotal] = field(default_factory=list)

    @property
    def passports_reconciled(self) -> int:
        """Reconciled by both sides, whatever happened after (drawdown, tenders, …)."""
        return sum(n for s, n in self.passports.items() if s in RECONCILED_OR_LATER)

    @property
    def passports_in_preparation(self) -> int:
        return sum(n for s, n in self.passports.items() if s in IN_PREPARATION)

    def trade_for(self, reporter: str, year: int) -> TradeTotal | None:
        return next((t for t in self.trade if t.reporter == reporter and t.year == year), None)

    @property
    def trade_years(self) -> list[int]:
        return sorted({t.year for t in self.trade})


def build_dashboard(
    session: Session, actor: Principal, currency: Currency = Currency.BYN
) -> Dashboard:
    """Count everything the dashboard shows, straight from the tables."""
    require(actor, Action.VIEW, Kind.DASHBOARD)
    board = Dashboard()
    board.programs.update(
        _pairs(
            session.execute(
                select(Program.country_code, func.count()).group_by(Program.country_code)
            )
        )
    )
    board.items.update(
        _pairs(
            session.execute(
                select(Program.country_code, func.count(ProgramItem.id))
                .join(ProgramItem)
                .group_by(Program.country_code)
            )
        )
    )
    board.enterprises.update(
        _pairs(
            session.execute(
                select(Organization.country_code, func.count())
                .where(Organization.kind == OrganizationKind.ENTERPRISE)
                .group_by(Organization.country_code)
            )
        )
    )
    board.capabilities.update(
        _pairs(
            session.execute(
                select(Organization.country_code, func.count(Capability.id))
                .join(Capability)
                .group_by(Organization.country_code)
            )
        )
    )
    board.passports.update(
        _pairs(session.execute(select(Passport.status, func.count()).group_by(Passport.status)))
    )
    board.programs_by_industry = _programs_by_industry(session)
    board.passports_by_industry = _passports_by_industry(session)
    board.trade = critical_trade_totals(session, actor, currency)
    return board


def _pairs(result: Result[K, int]) -> dict[K, int]:
    """Two-column rows as a dict (a Result has keys(), so dict() would misread it)."""
    return {key: count for key, count in result}


def _passports_by_industry(session: Session) -> list[tuple[Industry, int, int]]:
    rows = session.execute(
        select(Passport.industry_id, Passport.status, func.count()).group_by(
            Passport.industry_id, Passport.status
        )
    ).all()
    counts: dict[int, list[int]] = {}
    for industry_id, status, count in rows:
        pair = counts.setdefault(industry_id, [0, 0])
        if status in RECONCILED_OR_LATER:
            pair[0] += count
        elif status in IN_PREPARATION:
            pair[1] += count
    industries = {i.id: i for i in session.scalars(select(Industry).where(Industry.id.in_(counts)))}
    return [
        (industries[i], reconciled, preparing)
        for i, (reconciled, preparing) in sorted(counts.items())
        if reconciled or preparing
    ]


def _programs_by_industry(session: Session) -> list[tuple[Industry, Counter[str]]]:
    rows = session.execute(
        select(Program.industry_id, Program.country_code, func.count()).group_by(
            Program.industry_id, Program.country_code
        )
    )
    per: dict[int, Counter[str]] = {}
    for industry_id, country, count in rows:
        per.setdefault(industry_id, Counter())[country] = count
    industries = session.scalars(select(Industry).where(Industry.id.in_(per))).all()
    ordered = sorted(industries, key=lambda i: (-sum(per[i.id].values()), i.name_ru))
    return [(industry, per[industry.id]) for industry in ordered]


def stats(session: Session, actor: Principal) -> dict[str, Any]:
    """Counts per entity, programs per country, passports per status (CLI `stats`, API)."""
    require(actor, Action.VIEW, Kind.DASHBOARD)
    counts = {}
    for mapper in sorted(Base.registry.mappers, key=lambda m: m.class_.__tablename__):
        table = mapper.class_.__tablename__
        counts[table] = session.scalar(select(func.count()).select_from(mapper.class_)) or 0
    board = build_dashboard(session, actor)
    return {
        "counts": counts,
        "programs_per_country": dict(sorted(board.programs.items())),
        "items_per_country": dict(sorted(board.items.items())),
        "passports_per_status": {s.value: n for s, n in sorted(board.passports.items())},
        "passports_reconciled_or_later": board.passports_reconciled,
        "passports_in_preparation": board.passports_in_preparation,
        # the figure the governments' statement quotes: mutual trade in critical products
        "critical_trade": [
            {
                "reporter": t.reporter,
                "year": t.year,
                "amount": str(t.total.amount),
                "currency": t.total.currency.value,
                "records": t.records,
            }
            for t in board.trade
        ],
    }
