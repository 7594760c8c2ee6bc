"""The demo's selection, built through the selection services (so every rule holds): tenders for
the equipment of every reconciled passport, with bids from Belarusian, Russian and third-country
equipment, awards, contracts and deliveries, reproducing the published picture (April 2024:
winners chosen for more than 800 units of equipment, about 300 delivered); three calls for
executors: one decided, one in evaluation where the two sides' members disagree, one open; and
one late bid refused.

History is replayed: a tender is published while its period runs and closed afterwards, so the
dates lie in 2023–2024 while the services' own clock checks still apply to every act.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.access import audit
from unionsync.access.models import Side, User
from unionsync.access.policy import SYSTEM
from unionsync.access.service import principal_for
from unionsync.catalog.models import Organization, OrganizationKind
from unionsync.demo.generator import SEED, DemoCounts
from unionsync.passports.models import IN_PREPARATION, RECONCILED_OR_LATER, Passport
from unionsync.selection import calls, tenders
from unionsync.selection.models import AwardCriteria, Method
from unionsync.selection.schemas import (
    ApplicationIn,
    BidIn,
    CallCreate,
    ContractIn,
    DeliveryIn,
    ScoreIn,
    TenderCreate,
    YearQuantity,
)
from unionsync.selection.tenders import TenderStateError

# where the equipment comes from: Belarusian and Russian makers, and third countries
ORIGINS = ("BY", "BY", "RU", "RU", "RU", "CN", "CN", "DE", "IT", "TR")
EXPERTS = (("by-expert", Side.BY), ("ru-expert", Side.RU), ("ru-expert-2", Side.RU))
DELIVERED_SHARE = 0.36  # of contracted units, as in April 2024 (300 of about 830)


def build_selection(session: Session, counts: DemoCounts) -> None:
    """Tenders, calls and their trail for the demo (after its users, the experts of the
    commission among them, exist)."""
    rng = random.Random(f"{SEED}:selection")
    enterprises = session.scalars(
        select(Organization)
        .where(Organization.kind == OrganizationKind.ENTERPRISE)
        .order_by(Organization.id)
    ).all()
    passports = session.scalars(
        select(Passport).where(Passport.status.in_(RECONCILED_OR_LATER)).order_by(Passport.id)
    ).all()
    late_done = False
    for n, passport in enumerate(passports):
        late_done |= _tender(session, rng, passport, list(enterprises), n, not late_done, counts)
    _calls(session, rng, list(enterprises), counts)


def _tender(
    session: Session,
    rng: random.Random,
    passport: Passport,
    enterprises: list[Organization],
    n: int,
    show_late_bid: bool,
    counts: DemoCounts,
) -> bool:
    now = datetime.now(UTC)
    start = datetime(passport.period_start, 3, 1, 7, tzinfo=UTC) + timedelta(days=20 * n)
    end = start + timedelta(days=30)
    method = Method.SELECTIVE if n % 5 == 4 else Method.OPEN
    rated = n % 3 == 1
    tender = tenders.open_tender(
        session,
        SYSTEM,
        TenderCreate(
            passport_id=passport.id,
            title=f"Оборудование по проекту {passport.number}",
            method=method,
            method_rationale=(
                "Поставщики, прошедшие предварительный квалификационный отбор"
                if method is Method.SELECTIVE
                else None
            ),
            award_criteria=AwardCriteria.PRICE_QUALITY if rated else AwardCriteria.LOWEST_PRICE,
            price_weight=Decimal(70) if rated else Decimal(100),
            currency=passport.budget_currency or "RUB",
            tender_start=start,
            tender_end=now + timedelta(days=1),  # while it runs; closed below
            award_date=None,
        ),
    )
    tenders.publish(session, SYSTEM, tender.id)
    counts.add("tenders")
    for lot in tender.lots:
        if rng.random() < 0.07:
            continue  # nobody bid: the lot does not take place
        budget = Decimal(rng.randint(8, 60)) * Decimal(1_000_000) * lot.quantity
        for supplier in rng.sample(enterprises, rng.randint(2, 4)):
            price = (budget * Decimal(str(rng.uniform(0.82, 1.15)))).quantize(Decimal("0.01"))
            tenders.submit_bid(
                session,
                SYSTEM,
                tender.id,
                BidIn(
                    lot_id=lot.id,
                    supplier_id=supplier.id,
                    origin=rng.choice(ORIGINS),
                    units=lot.quantity,
                    amount=price,
                    currency=tender.currency,
                    quality=Decimal(rng.randint(55, 98)) if rated else None,
                ),
                at=start + timedelta(days=rng.randint(1, 28), hours=rng.randint(0, 9)),
            )
            counts.add("bids")
    tender.tender_end = end
    session.flush()
    refused = False
    if show_late_bid and tender.lots:
        try:
            tenders.submit_bid(
                session,
                SYSTEM,
                tender.id,
                BidIn(
                    lot_id=tender.lots[0].id,
                    supplier_id=enterprises[-1].id,
                    origin="CN",
                    units=tender.lots[0].quantity,
                    amount=Decimal(1_000_000),
                    currency=tender.currency,
                    quality=Decimal(80) if rated else None,
                ),
                at=end + timedelta(hours=5),
            )
        except TenderStateError as error:
            audit.record(
                session,
                "tender.late_bid_refused",
                "tender",
                tender.id,
                after={"reason": str(error), "supplier": enterprises[-1].id},
                actor=SYSTEM,
            )
            refused = True
    tenders.award(session, SYSTEM, tender.id)
    for award in tenders.awards(session, tender):
        if rng.random() < 0.06:
            continue  # awarded, contract not yet signed
        signed = end.date() + timedelta(days=rng.randint(10, 40))
        units = award.bid.units
        contract = tenders.sign_contract(
            session,
            SYSTEM,
            tender.id,
            ContractIn(
                award_id=award.id, number=f"{tender.number}/{award.lot.position}", signed_on=signed
            ),
        )
        counts.add("contracts")
        delivered = round(units * DELIVERED_SHARE * rng.uniform(0.3, 1.7))
        delivered = min(units, delivered)
        if delivered:
            tenders.record_delivery(
                session,
                SYSTEM,
                contract.id,
                DeliveryIn(
                    units=delivered, delivered_on=signed + timedelta(days=rng.randint(60, 200))
                ),
            )
    return refused


def _calls(
    session: Session, rng: random.Random, enterprises: list[Organization], counts: DemoCounts
) -> None:
    """Three calls for passports in preparation: decided, in evaluation (the sides disagree),
    and open."""
    preparing = session.scalars(
        select(Passport).where(Passport.status.in_(IN_PREPARATION)).order_by(Passport.id)
    ).all()
    people = {u.username: principal_for(u) for u in session.scalars(select(User))}
    by_editor = people["by-editor"]
    members = [name for name, _side in EXPERTS]
    now = datetime.now(UTC)
    for n, passport in enumerate(preparing[:3]):
        call = calls.open_call(
            session,
            by_editor,
            CallCreate(
                title=f"Отбор исполнителя: {passport.title}"[:500],
                passport_id=passport.id,
                quantities=[
                    YearQuantity(year=passport.period_start + 2, quantity=Decimal(500)),
                    YearQuantity(year=passport.period_start + 3, quantity=Decimal(1000)),
                ],
                deadline=now + timedelta(days=5),
                members=members,
            ),
        )
        counts.add("calls")
        for candidate in calls.candidates(session, by_editor, call.id, 3):
            calls.invite(session, by_editor, call.id, candidate.organization.id, candidate.evidence)
        calls.publish(session, by_editor, call.id)
        applicants = [e for e in rng.sample(enterprises, 6) if e.country_code in ("BY", "RU")][:3]
        for company in applicants:
            ministry = people["by-editor" if company.country_code == "BY" else "ru-editor"]
            calls.submit_application(
                session,
                ministry,
                call.id,
                ApplicationIn(
                    organization_id=company.id,
                    product=passport.products[0].name_ru if passport.products else passport.title,
                    capacity=[
                        YearQuantity(
                            year=passport.period_start + 2, quantity=Decimal(rng.randint(300, 1200))
                        )
                    ],
                    price=Decimal(rng.randint(40, 90)) * Decimal(10_000),
                    currency="RUB",
                    first_output=date(passport.period_start + 1, rng.randint(1, 12), 1),
                    financing_asked=Decimal(rng.randint(5, 40)) * Decimal(10_000_000),
                    own_share=Decimal(rng.randint(10, 40)),
                    localisation=Decimal(rng.randint(35, 85)),
                ),
            )
        if n == 2:
            continue  # the third call is still taking applications
        call.deadline = now - timedelta(days=2)  # replayed history: the deadline has passed
        session.flush()
        calls.close(session, by_editor, call.id)
        disagree = n == 1
        for name, side in EXPERTS:
            member = people[name]
            calls.declare(session, member, call.id)
            scores = []
            for rank, application in enumerate(call.applications):
                for criterion in call.criteria:
                    base = (
                        8 - 2 * rank
                        if not disagree
                        else (8 - 2 * rank if side is Side.BY else 3 + 2 * rank)
                    )
                    value = max(0, min(10, base + rng.choice((-1, 0, 0, 1))))
                    scores.append(
                        ScoreIn(
                            application_id=application.id,
                            criterion=criterion.key,
                            value=Decimal(value),
                        )
                    )
            calls.score(session, member, call.id, scores)
            calls.submit_scores(session, member, call.id)
        if not disagree:
            calls.sign(session, people["by-approver"], call.id)
            calls.sign(session, people["ru-approver"], call.id)
