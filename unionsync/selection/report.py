"""The selection overview: "winners chosen for N units of equipment, M delivered", by passport,
industry and supplier country, each figure from the rows the tender pages list."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.access.models import AuditEntry, Side
from unionsync.access.policy import Action, Kind, Principal, require
from unionsync.passports.models import Passport
from unionsync.passports.service import financed_by
from unionsync.reference.models import Industry
from unionsync.selection.models import (
    Award,
    Bid,
    Call,
    CallStatus,
    Contract,
    Delivery,
    Lot,
    Tender,
    TenderStatus,
)


@dataclass
class Line:
    """Units and contracts of one group (a passport, an industry, a supplier country)."""

    key: str
    label: str
    tendered: int = 0
    awarded: int = 0
    contracted: int = 0
    delivered: int = 0
    contracts: int = 0


@dataclass
class Overview:
    totals: Line
    by_passport: list[Line] = field(default_factory=list)
    by_industry: list[Line] = field(default_factory=list)
    by_country: list[Line] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    tenders: dict[str, int] = field(default_factory=dict)

    def public(self) -> OverviewPublic:
        return OverviewPublic(
            totals=LinePublic(**vars(self.totals)),
            by_passport=[LinePublic(**vars(line)) for line in self.by_passport],
            by_industry=[LinePublic(**vars(line)) for line in self.by_industry],
            by_country=[LinePublic(**vars(line)) for line in self.by_country],
            calls=self.calls,
            tenders=self.tenders,
        )


class LinePublic(BaseModel):
    key: str
    label: str
    tendered: int
    awarded: int
    contracted: int
    delivered: int
    contracts: int


class OverviewPublic(BaseModel):
    totals: LinePublic
    by_passport: list[LinePublic]
    by_industry: list[LinePublic]
    by_country: list[LinePublic]
    calls: dict[str, int]
    tenders: dict[str, int]


def overview(session: Session, actor: Principal) -> Overview:
    """Units tendered (live tenders' lots), awarded (winning bids), contracted and delivered."""
    passports = select(Passport.id)
    if actor.side is Side.BANK:
        require(actor, Action.VIEW, Kind.SELECTION, financiers=[actor.organization_id or 0])
        passports = financed_by(actor.organization_id or 0)
    else:
        require(actor, Action.VIEW, Kind.SELECTION)
    live = (TenderStatus.PLANNING, TenderStatus.ACTIVE, TenderStatus.COMPLETE)
    info = {
        pid: (number, title, industry_id)
        for pid, number, title, industry_id in session.execute(
            select(Passport.id, Passport.number, Passport.title, Passport.industry_id).where(
                Passport.id.in_(passports)
            )
        )
    }
    industries: dict[int, str] = {
        i: n for i, n in session.execute(select(Industry.id, Industry.name_ru))
    }
    totals = Line("all", "")
    by_passport: dict[int, Line] = {}
    by_industry: dict[int, Line] = {}
    by_country: dict[str, Line] = {}

    def lines(passport_id: int) -> list[Line]:
        number, title, industry_id = info[passport_id]
        return [
            totals,
            by_passport.setdefault(passport_id, Line(str(passport_id), f"{number} {title}")),
            by_industry.setdefault(
                industry_id, Line(str(industry_id), industries.get(industry_id, ""))
            ),
        ]

    for passport_id, quantity in session.execute(
        select(Tender.passport_id, Lot.quantity)
        .join(Lot)
        .where(Tender.status.in_(live), Lot.unsuccessful.is_(False))
        .where(Tender.passport_id.in_(passports))
    ):
        for line in lines(passport_id):
            line.tendered += quantity
    awarded = session.execute(
        select(Tender.passport_id, Award.id, Bid.units, Bid.origin)
        .select_from(Award)
        .join(Bid, Award.bid_id == Bid.id)
        .join(Lot, Award.lot_id == Lot.id)
        .join(Tender, Lot.tender_id == Tender.id)
        .where(Tender.passport_id.in_(passports))
    ).all()
    award_place = {}
    for passport_id, award_id, units, origin in awarded:
        country = by_country.setdefault(origin, Line(origin, origin))
        award_place[award_id] = (passport_id, country)
        for line in [*lines(passport_id), country]:
            line.awarded += units
    contracts = (
        session.execute(
            select(Contract.id, Contract.award_id, Contract.units).where(
                Contract.award_id.in_(list(award_place))
            )
        ).all()
        if award_place
        else []
    )
    contract_place = {}
    for contract_id, award_id, units in contracts:
        passport_id, country = award_place[award_id]
        contract_place[contract_id] = (passport_id, country)
        for line in [*lines(passport_id), country]:
            line.contracted += units
            line.contracts += 1
    if contract_place:
        for contract_id, units in session.execute(
            select(Delivery.contract_id, Delivery.units).where(
                Delivery.contract_id.in_(list(contract_place))
            )
        ):
            passport_id, country = contract_place[contract_id]
            for line in [*lines(passport_id), country]:
                line.delivered += units
    tender_states: dict[str, int] = defaultdict(int)
    for (status,) in session.execute(
        select(Tender.status).where(Tender.passport_id.in_(passports))
    ):
        tender_states[status.value] += 1
    call_states: dict[str, int] = defaultdict(int)
    if actor.side is not Side.BANK:
        for (call_status,) in session.execute(
            select(Call.status).where(Call.status != CallStatus.DRAFT)
        ):
            call_states[call_status.value] += 1
    return Overview(
        totals,
        sorted(by_passport.values(), key=lambda line: line.label),
        sorted(by_industry.values(), key=lambda line: line.label),
        sorted(by_country.values(), key=lambda line: -line.contracts),
        dict(call_states),
        dict(tender_states),
    )


def history(session: Session, entity: str, entity_id: int) -> list[AuditEntry]:
    """A call's or a tender's acts from the audit trail, oldest first (refused late bids
    included: the demo records one)."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.entity == entity,
                AuditEntry.entity_id == str(entity_id),
                AuditEntry.action.like(f"{entity}.%"),
            )
            .order_by(AuditEntry.seq)
        )
    )
