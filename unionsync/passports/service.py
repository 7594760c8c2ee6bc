"""Reading passports, and drafting one from a program item nobody can supply (the workflow
comes with the Passport issue)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload, selectinload

from unionsync.access.models import Side
from unionsync.access.policy import Action, Kind, Principal, require
from unionsync.catalog.models import Organization, OrganizationKind, Program, ProgramItem
from unionsync.core.errors import ConflictError, NotFoundError
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
from unionsync.reference.countries import PARTNER

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
        stmt = stmt.where(Passport.id.in_(_financed_by(actor.organization_id or 0)))
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


def _financed_by(organization_id: int) -> Select[int]:
    return select(PassportParticipant.passport_id).where(
        PassportParticipant.organization_id == organization_id,
        PassportParticipant.role == ParticipantRole.BANK,
    )


def draft_from_item(
    session: Session, actor: Principal, item_id: int, today: date | None = None
) -> Passport:
    """A draft passport for a joint project answering one program item's demand (typically a
    synchronisation gap): its product is the item's, to be made in the partner country for the
    item's country, at the item's largest yearly demand from the item's target year. The
    initiator is the user's organization, else their side's ministry (or the Standing
    Committee), else the program's owner. Refused when a live passport already answers it."""
    item = session.get(
        ProgramItem,
        item_id,
        options=[joinedload(ProgramItem.program), selectinload(ProgramItem.demands)],
    )
    if item is None:
        raise NotFoundError("program item", item_id)
    program = item.program
    initiator = _initiator(session, actor, program)
    require(actor, Action.CREATE, Kind.PASSPORT, owner=initiator.country_code)
    existing = session.scalars(
        select(Passport.number)
        .join(PassportProduct)
        .where(
            PassportProduct.source_item_id == item.id,
            Passport.status != PassportStatus.CANCELLED,
        )
    ).first()
    if existing is not None:
        raise ConflictError(f"passport {existing} already answers this item")
    year = (today or date.today()).year
    end = max(item.target_year or 0, year + 3)
    yearly = max((d.quantity for d in item.demands), default=None)
    product: dict[str, object] = {
        "name": item.name_ru,
        "unit": item.unit_okei,
        "country": PARTNER[program.country_code],
        "start_year": item.target_year or end,
        "consumers": f"заказчики программы {program.code} ({program.country_code})",
        "program_item": item.id,
    }
    if item.tnved_code:
        product["tnved"] = item.tnved_code
    if yearly is not None:
        product["capacity"] = str(yearly)
    from unionsync.passports.editing import create_passport

    return create_passport(
        session,
        actor,
        {
            "title": f"Совместный проект: {item.name_ru}",
            "title_en": f"Joint project: {item.name_en}" if item.name_en else None,
            "industry_id": program.industry_id,
            "initiator_id": initiator.id,
            "period_start": year,
            "period_end": end,
            "summary": (
                f"Черновик по пробелу синхронизации: программа {program.code} "
                f"({program.country_code}), позиция {item.position} «{item.name_ru}» (код ТН "
                f"ВЭД {item.tnved_code or 'не указан'}); этот спрос не покрывают производители "
                f"ни одной из стран. Продукция — в {PARTNER[program.country_code]} для "
                f"потребителей {program.country_code}; мощность — наибольший годовой спрос "
                "позиции."
            ),
            "content": {
                "general": {
                    "goal": f"Наладить выпуск: {item.name_ru}",
                    "programs": f"{program.code}: {program.title}",
                },
                "products": [product],
            },
        },
    )


def _initiator(session: Session, actor: Principal, program: Program) -> Organization:
    if actor.organization_id is not None:
        found = session.get(Organization, actor.organization_id)
        if found is not None:
            return found
    if actor.side is Side.UNION:
        kinds, country = (OrganizationKind.COMMITTEE,), None
    else:
        kinds, country = (OrganizationKind.MINISTRY,), actor.country
    stmt = select(Organization).where(Organization.kind.in_(kinds)).order_by(Organization.id)
    if country is not None:
        stmt = stmt.where(Organization.country_code == country)
    found = session.scalars(stmt).first() if actor.side is not None else None
    if found is None:
        found = program.owner
    if found is None:
        raise ConflictError(
            f"no organization can initiate the passport: {actor.username} belongs to none and "
            f"program {program.code} has no owner"
        )
    return found


def _next_number(session: Session, year: int) -> str:
    """СГ-<year>-<n>: one more than the passports numbered in that year."""
    prefix = f"СГ-{year}-"
    taken = set(session.scalars(select(Passport.number).where(Passport.number.like(prefix + "%"))))
    n = len(taken) + 1
    while f"{prefix}{n:03d}" in taken:
        n += 1
    return f"{prefix}{n:03d}"
