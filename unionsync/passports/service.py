"""Reading passports: lists with filters, one passport, and who finances it (writing them is
`editing.py`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from unionsync.access.models import Side
from unionsync.access.policy import Action, Kind, Principal, require
from unionsync.core.errors import NotFoundError
from unionsync.core.listing import ListParams, PageResult, paginate, text_search
from unionsync.passports.models import (
    IN_PREPARATION,
    RECONCILED_OR_LATER,
    ParticipantRole,
    Passport,
    PassportParticipant,
    PassportProduct,
    PassportStatus,
)

STAGES = {"reconciled": RECONCILED_OR_LATER, "preparation": IN_PREPARATION}


@dataclass(frozen=True, slots=True)
class PassportFilter:
    status: PassportStatus | None = None
    stage: str | None = None
    industry_id: int | None = None
    q: str | None = None


def list_passports(
    session: Session, actor: Principal, flt: PassportFilter, params: ListParams
) -> PageResult[Passport]:
    """Passports by status, stage (`reconciled` or `preparation`), industry, text.

    A bank sees only the passports its organization finances.
    """
    stmt = select(Passport).options(
        selectinload(Passport.industry),
        selectinload(Passport.initiator),
        selectinload(Passport.participants),
        selectinload(Passport.products),
    )
    if actor.side is Side.BANK:
        require(actor, Action.VIEW, Kind.PASSPORT, financiers=[actor.organization_id or 0])
        stmt = stmt.where(Passport.id.in_(financed_by(actor.organization_id or 0)))
    else:
        require(actor, Action.VIEW, Kind.PASSPORT)
    if flt.status:
        stmt = stmt.where(Passport.status == flt.status)
    if flt.stage in STAGES:
        stmt = stmt.where(Passport.status.in_(STAGES[flt.stage]))
    if flt.industry_id:
        stmt = stmt.where(Passport.industry_id == flt.industry_id)
    if flt.q:
        stmt = stmt.where(text_search(flt.q, Passport.title, Passport.number))
    sortable = {
        "number": Passport.number,
        "title": Passport.title,
        "status": Passport.status,
        "budget": Passport.budget_amount,
        "period_start": Passport.period_start,
    }
    return paginate(session, stmt, params, sortable, [Passport.number])


def get_passport(session: Session, actor: Principal, passport_id: int) -> Passport:
    passport = session.get(
        Passport,
        passport_id,
        options=[
            selectinload(Passport.participants).selectinload(PassportParticipant.organization),
            selectinload(Passport.products).selectinload(PassportProduct.producer),
        ],
    )
    if passport is None:
        raise NotFoundError("passport", passport_id)
    require(actor, Action.VIEW, Kind.PASSPORT, financiers=financiers(passport))
    return passport


def financiers(passport: Passport) -> list[int]:
    """Organizations that finance the passport (its bank participants)."""
    return [p.organization_id for p in passport.participants if p.role is ParticipantRole.BANK]


def financed_by(organization_id: int) -> Select[int]:
    return select(PassportParticipant.passport_id).where(
        PassportParticipant.organization_id == organization_id,
        PassportParticipant.role == ParticipantRole.BANK,
    )
