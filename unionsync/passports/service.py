"""Reading passports (the workflow comes with the Passport issue)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from unionsync.core.errors import NotFoundError
from unionsync.core.listing import ListParams, PageResult, paginate, text_search
from unionsync.passports.models import (
    IN_PREPARATION,
    RECONCILED_OR_LATER,
    Passport,
    PassportParticipant,
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
    session: Session, flt: PassportFilter, params: ListParams
) -> PageResult[Passport]:
    """Passports by status, stage (`reconciled` or `preparation`), industry, text."""
    stmt = select(Passport).options(
        selectinload(Passport.industry),
        selectinload(Passport.initiator),
        selectinload(Passport.participants),
    )
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


def get_passport(session: Session, passport_id: int) -> Passport:
    passport = session.get(
        Passport,
        passport_id,
        options=[
            selectinload(Passport.participants).selectinload(PassportParticipant.organization)
        ],
    )
    if passport is None:
        raise NotFoundError("passport", passport_id)
    return passport
