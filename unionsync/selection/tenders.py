"""Equipment tenders of reconciled passports: lots from the passport's equipment lines, bids,
evaluation, awards per lot, contracts and deliveries. States as in OCDS:

    planning ──publish──▶ active ──award──▶ complete (some lot awarded) | unsuccessful (none)
    planning / active ──cancel (with a reason)──▶ cancelled

Bids are taken while the tender period runs (a late bid is refused with the time it closed);
a bid in another currency than the tender's is converted at the rate table's rate for its year
(refused, naming the missing rate, when there is none). Evaluation: the lowest price, or price
and quality: score = w·(lowest price / price)·100 + (100 − w)·quality / 100.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from unionsync.access.acts import change_state
from unionsync.access.audit import record
from unionsync.access.models import Side
from unionsync.access.policy import (
    Action,
    Kind,
    PermissionDeniedError,
    Principal,
    can,
    may_act_for,
    require,
)
from unionsync.catalog.models import Organization
from unionsync.core.errors import ConflictError, DomainValidationError, FieldError, NotFoundError
from unionsync.core.listing import ListParams, PageResult, paginate
from unionsync.core.money import Currency
from unionsync.passports.editing import sides_of
from unionsync.passports.models import (
    RECONCILED_OR_LATER,
    ParticipantRole,
    Passport,
)
from unionsync.passports.service import financed_by, financiers
from unionsync.selection.calls import enterprise_of
from unionsync.selection.models import (
    Award,
    AwardCriteria,
    Bid,
    Contract,
    Delivery,
    Lot,
    Tender,
    TenderStatus,
)
from unionsync.selection.schemas import BidIn, ContractIn, DeliveryIn, TenderCreate
from unionsync.trade.service import MissingRateError, rate_factor

T = TenderStatus
CENTI = Decimal("0.01")


class TenderStateError(ConflictError):
    """An act the tender's state does not allow."""


def now() -> datetime:
    return datetime.now(UTC)


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENTI, rounding=ROUND_HALF_EVEN)


# --- reading ----------------------------------------------------------------------------------


def load(session: Session, tender_id: int) -> Tender:
    tender = session.get(
        Tender,
        tender_id,
        options=[
            selectinload(Tender.lots).selectinload(Lot.bids).selectinload(Bid.supplier),
            selectinload(Tender.passport).selectinload(Passport.participants),
            selectinload(Tender.buyer),
        ],
    )
    if tender is None:
        raise NotFoundError("tender", tender_id)
    return tender


def get_tender(session: Session, actor: Principal, tender_id: int) -> Tender:
    """A tender, for whoever may see its passport (a bank: the passports it finances)."""
    tender = load(session, tender_id)
    require(actor, Action.VIEW, Kind.SELECTION, financiers=financiers(tender.passport))
    return tender


@dataclass(frozen=True, slots=True)
class TenderFilter:
    """What the overview's figures link to: a passport's, an industry's tenders, or those with
    an award to equipment of one origin."""

    passport_id: int | None = None
    status: TenderStatus | None = None
    industry_id: int | None = None
    origin: str | None = None


def list_tenders(
    session: Session,
    actor: Principal,
    params: ListParams,
    flt: TenderFilter = TenderFilter(),
) -> PageResult[Tender]:
    passport_id, status = flt.passport_id, flt.status
    stmt = select(Tender).options(selectinload(Tender.lots), selectinload(Tender.passport))
    if flt.industry_id is not None:
        stmt = stmt.where(
            Tender.passport_id.in_(
                select(Passport.id).where(Passport.industry_id == flt.industry_id)
            )
        )
    if flt.origin is not None:
        stmt = stmt.where(
            Tender.id.in_(
                select(Lot.tender_id)
                .join(Award, Award.lot_id == Lot.id)
                .join(Bid, Award.bid_id == Bid.id)
                .where(Bid.origin == flt.origin)
            )
        )
    if actor.side is Side.BANK:
        require(actor, Action.VIEW, Kind.SELECTION, financiers=[actor.organization_id or 0])
        stmt = stmt.where(Tender.passport_id.in_(financed_by(actor.organization_id or 0)))
    else:
        require(actor, Action.VIEW, Kind.SELECTION)
    if passport_id is not None:
        stmt = stmt.where(Tender.passport_id == passport_id)
    if status is not None:
        stmt = stmt.where(Tender.status == status)
    sortable = {"number": Tender.number, "tender_end": Tender.tender_end, "status": Tender.status}
    return paginate(session, stmt, params, sortable, [Tender.id.desc()])


def require_run(actor: Principal, tender_or_passport: Tender | Passport) -> None:
    """A tender is run by writers of its passport's countries or of the Committee."""
    passport = (
        tender_or_passport.passport
        if isinstance(tender_or_passport, Tender)
        else tender_or_passport
    )
    if actor.system:
        return
    if any(can(actor, Action.UPDATE, Kind.SELECTION, owner=c) for c in sides_of(passport)):
        return
    if can(actor, Action.UPDATE, Kind.SELECTION, owner="UNION") and actor.side is Side.UNION:
        return
    raise PermissionDeniedError(
        f"{actor.username} ({actor.side}, {actor.role}) may not run tenders of passport "
        f"{passport.number}"
    )


# --- opening ----------------------------------------------------------------------------------


def _tender_number(session: Session, year: int) -> str:
    """ТНД-<year the tender starts>-<n>."""
    start = f"ТНД-{year}-"
    taken = set(session.scalars(select(Tender.number).where(Tender.number.like(start + "%"))))
    n = len(taken) + 1
    while f"{start}{n:03d}" in taken:
        n += 1
    return f"{start}{n:03d}"


def line_quantity(row: dict[str, object]) -> int:
    """The units of an equipment line (the template keeps a whole number, maybe as text)."""
    try:
        return int(Decimal(str(row.get("quantity") or 0)))
    except (ArithmeticError, ValueError):
        return 0


def equipment_lines(passport: Passport) -> list[dict[str, object]]:
    rows = (passport.content or {}).get("equipment") or []
    return [row for row in rows if isinstance(row, dict)]


def open_tender(session: Session, actor: Principal, body: TenderCreate) -> Tender:
    """A tender in `planning` for a reconciled passport's equipment lines (one lot per line;
    a line already in a live tender is refused)."""
    passport = session.get(Passport, body.passport_id)
    if passport is None:
        raise DomainValidationError(
            [FieldError("passport_id", "no such passport", body.passport_id)]
        )
    require_run(actor, passport)
    errors: list[FieldError] = []
    if passport.status not in RECONCILED_OR_LATER:
        errors.append(
            FieldError(
                "passport_id",
                f"passport {passport.number} is {passport.status.value}: equipment is tendered "
                f"once the passport is reconciled",
                body.passport_id,
            )
        )
    lines = equipment_lines(passport)
    wanted = body.lines or list(range(1, len(lines) + 1))
    if not lines:
        errors.append(FieldError("lines", "the passport lists no equipment", None))
    for n, line in enumerate(wanted):
        if line > len(lines):
            errors.append(
                FieldError(f"lines.{n}", f"the passport has {len(lines)} equipment line(s)", line)
            )
    taken = _lines_in_live_tenders(session, passport.id)
    for n, line in enumerate(wanted):
        if line in taken:
            errors.append(
                FieldError(f"lines.{n}", f"line {line} is already in tender {taken[line]}", line)
            )
    buyer_id = body.buyer_id or _buyer(passport)
    participants = {passport.initiator_id} | {p.organization_id for p in passport.participants}
    if buyer_id not in participants:
        errors.append(
            FieldError("buyer_id", "the buyer must be an organization of the passport", buyer_id)
        )
    if errors:
        raise DomainValidationError(errors)
    tender = Tender(
        number=_tender_number(session, body.tender_start.year),
        passport_id=passport.id,
        buyer_id=buyer_id,
        title=body.title,
        method=body.method,
        method_rationale=body.method_rationale,
        award_criteria=body.award_criteria,
        price_weight=body.price_weight,
        currency=body.currency,
        tender_start=body.tender_start.astimezone(UTC),
        tender_end=body.tender_end.astimezone(UTC),
        enquiry_end=body.enquiry_end.astimezone(UTC) if body.enquiry_end else None,
        award_date=body.award_date,
        created_by=actor.username,
    )
    code = passport.products[0].tnved_code if passport.products else None
    for position, line in enumerate(wanted, start=1):
        row = lines[line - 1]
        tender.lots.append(
            Lot(
                position=position,
                line=line,
                name=str(row.get("name") or f"line {line}")[:500],
                tnved_code=code,
                quantity=max(1, line_quantity(row)),
                budget=_budget(session, row, body.currency),
            )
        )
    session.add(tender)
    session.flush()
    record(
        session,
        "tender.open",
        "tender",
        tender.id,
        after={"number": tender.number, "passport": passport.id, "lots": wanted},
        actor=actor,
    )
    return tender


def _buyer(passport: Passport) -> int:
    """The enterprise that buys: the passport's leader, else its initiator."""
    leader = next((p for p in passport.participants if p.role is ParticipantRole.LEADER), None)
    return leader.organization_id if leader else passport.initiator_id


def _budget(session: Session, row: dict[str, object], currency: Currency) -> Decimal | None:
    """The line's cost in the tender's currency (this year's rate), when the line gives one."""
    if row.get("cost") in (None, ""):
        return None
    cost = Decimal(str(row["cost"]))
    source = Currency(str(row.get("currency") or currency))
    if source == currency:
        return _q(cost)
    try:
        factor, _used = rate_factor(session, source, currency, now().year)
    except MissingRateError:
        return None
    return _q(cost * factor)


def _lines_in_live_tenders(session: Session, passport_id: int) -> dict[int, str]:
    rows = session.execute(
        select(Lot.line, Tender.number)
        .join(Tender)
        .where(
            Tender.passport_id == passport_id,
            Tender.status.in_((T.PLANNING, T.ACTIVE, T.COMPLETE)),
            Lot.unsuccessful.is_(False),
        )
    )
    return {line: number for line, number in rows}


# --- the workflow -----------------------------------------------------------------------------


def _transition(
    session: Session,
    actor: Principal,
    tender: Tender,
    act: str,
    allowed: Sequence[TenderStatus],
    target: TenderStatus,
    **after: object,
) -> None:
    change_state(
        session,
        actor,
        tender,
        act=act,
        allowed=allowed,
        target=target,
        noun="tender",
        entity="tender",
        error=TenderStateError,
        **after,
    )


def publish(session: Session, actor: Principal, tender_id: int) -> Tender:
    tender = load(session, tender_id)
    require_run(actor, tender)
    if tender.status is T.PLANNING and tender.tender_end <= now():
        raise TenderStateError(
            f"tender {tender.number} cannot be published: its period ended "
            f"{tender.tender_end:%Y-%m-%d %H:%M} UTC"
        )
    _transition(session, actor, tender, "publish", (T.PLANNING,), T.ACTIVE)
    return tender


def cancel(session: Session, actor: Principal, tender_id: int, reason: str | None) -> Tender:
    tender = load(session, tender_id)
    require_run(actor, tender)
    if not (reason and reason.strip()):
        raise TenderStateError("cancelling a tender needs a reason")
    _transition(
        session, actor, tender, "cancel", (T.PLANNING, T.ACTIVE), T.CANCELLED, reason=reason
    )
    tender.cancel_reason = reason
    return tender


# --- bids -------------------------------------------------------------------------------------


def _lot(tender: Tender, lot_id: int) -> Lot:
    lot = next((lot for lot in tender.lots if lot.id == lot_id), None)
    if lot is None:
        raise DomainValidationError([FieldError("lot_id", "not a lot of this tender", lot_id)])
    return lot


def submit_bid(
    session: Session, actor: Principal, tender_id: int, body: BidIn, at: datetime | None = None
) -> Bid:
    """A supplier's bid for a lot, entered by the supplier's writers or by the tender's
    organizers (who register the bids received); refused after the tender period."""
    tender = load(session, tender_id)
    supplier = session.get(Organization, body.supplier_id)
    if supplier is None:
        raise DomainValidationError(
            [FieldError("supplier_id", "no such organization", body.supplier_id)]
        )
    own = may_act_for(
        actor, supplier.id, supplier.country_code, enterprise_of(session, actor) is not None
    ) and (actor.system or actor.organization_id == supplier.id)
    if not own:
        require_run(actor, tender)
    received = (at or now()).astimezone(UTC)
    if tender.status is not T.ACTIVE:
        raise TenderStateError(f"tender {tender.number} is {tender.status.value}: no bids now")
    if received < tender.tender_start:
        raise TenderStateError(
            f"tender {tender.number} takes bids from {tender.tender_start:%Y-%m-%d %H:%M} UTC"
        )
    if received > tender.tender_end:
        raise TenderStateError(
            f"the bid came {received:%Y-%m-%d %H:%M} UTC, after tender {tender.number} closed "
            f"({tender.tender_end:%Y-%m-%d %H:%M} UTC): late bids are refused"
        )
    lot = _lot(tender, body.lot_id)
    errors: list[FieldError] = []
    if body.units > lot.quantity:
        errors.append(FieldError("units", f"the lot asks for {lot.quantity} unit(s)", body.units))
    if tender.award_criteria is AwardCriteria.PRICE_QUALITY and body.quality is None:
        errors.append(FieldError("quality", "this tender weighs quality: give its score", None))
    if any(b.supplier_id == supplier.id for b in lot.bids):
        raise ConflictError(f"{supplier.name} has already bid for lot {lot.position}")
    amount_in_tender = body.amount
    if body.currency != tender.currency:
        try:
            factor, _used = rate_factor(session, body.currency, tender.currency, received.year)
        except MissingRateError:
            errors.append(
                FieldError(
                    "currency",
                    f"no exchange rate {body.currency.value}/{tender.currency.value} for "
                    f"{received.year} in the rate table: the bid cannot be compared; load the "
                    f"rate or bid in {tender.currency.value}",
                    body.currency.value,
                )
            )
            factor = Decimal(0)
        amount_in_tender = _q(body.amount * factor)
    if errors:
        raise DomainValidationError(errors)
    bid = Bid(
        lot_id=lot.id,
        supplier_id=supplier.id,
        origin=body.origin or supplier.country_code,
        units=body.units,
        amount=body.amount,
        currency=body.currency,
        amount_in_tender=amount_in_tender,
        quality=body.quality,
        submitted_at=received,
        entered_by=actor.username,
    )
    lot.bids.append(bid)
    session.flush()
    record(
        session,
        "tender.bid",
        "tender",
        tender.id,
        after={
            "lot": lot.id,
            "supplier": supplier.id,
            "amount": str(body.amount),
            "currency": body.currency.value,
        },
        actor=actor,
    )
    return bid


# --- evaluation and award ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rated:
    bid: Bid
    score: Decimal
    rank: int


def evaluate(tender: Tender, lot: Lot) -> list[Rated]:
    """The lot's bids, best first: by price alone, or by price and quality (see the module)."""
    bids = [b for b in lot.bids if b.amount_in_tender > 0]
    if not bids:
        return []
    lowest = min(b.amount_in_tender for b in bids)
    weight = tender.price_weight if tender.award_criteria is AwardCriteria.PRICE_QUALITY else 100

    def score(bid: Bid) -> Decimal:
        price_part = lowest / bid.amount_in_tender * 100
        quality = bid.quality if bid.quality is not None else Decimal(0)
        return _q((weight * price_part + (100 - weight) * quality) / 100)

    scored = sorted(bids, key=lambda b: (-score(b), b.amount_in_tender, b.submitted_at, b.id))
    return [Rated(b, score(b), n) for n, b in enumerate(scored, start=1)]


def award(session: Session, actor: Principal, tender_id: int) -> Tender:
    """Close the evaluation (after the tender period): each lot goes to its best bid, a lot
    without a bid is unsuccessful; the tender is complete, or unsuccessful when no lot is."""
    tender = load(session, tender_id)
    require_run(actor, tender)
    if tender.status is T.ACTIVE and tender.tender_end > now():
        raise TenderStateError(
            f"tender {tender.number} takes bids until {tender.tender_end:%Y-%m-%d %H:%M} UTC"
        )
    if tender.status is not T.ACTIVE:
        raise TenderStateError(f"cannot award a tender that is {tender.status.value}")
    awarded = []
    for lot in tender.lots:
        ranking = evaluate(tender, lot)
        if not ranking:
            lot.unsuccessful = True
            continue
        best = ranking[0]
        session.add(Award(lot_id=lot.id, bid_id=best.bid.id, score=best.score))
        awarded.append(lot.id)
    target = T.COMPLETE if awarded else T.UNSUCCESSFUL
    _transition(session, actor, tender, "award", (T.ACTIVE,), target, lots=awarded)
    return tender


def awards(session: Session, tender: Tender) -> list[Award]:
    return list(
        session.scalars(
            select(Award)
            .join(Lot)
            .where(Lot.tender_id == tender.id)
            .options(selectinload(Award.bid).selectinload(Bid.supplier))
            .order_by(Lot.position)
        )
    )


# --- contracts and deliveries -----------------------------------------------------------------


def sign_contract(session: Session, actor: Principal, tender_id: int, body: ContractIn) -> Contract:
    """The contract on an award: the bid's amount and units, the delivery schedule (its units
    summing to the contract's)."""
    tender = load(session, tender_id)
    require_run(actor, tender)
    found = next((a for a in awards(session, tender) if a.id == body.award_id), None)
    if found is None:
        raise DomainValidationError(
            [FieldError("award_id", "not an award of this tender", body.award_id)]
        )
    if session.scalar(select(Contract.id).where(Contract.award_id == found.id)) is not None:
        raise ConflictError(f"award {found.id} already has its contract")
    if session.scalar(select(Contract.id).where(Contract.number == body.number)) is not None:
        raise ConflictError(f"a contract numbered {body.number} exists")
    scheduled = sum(s.units for s in body.schedule)
    if body.schedule and scheduled != found.bid.units:
        raise DomainValidationError(
            [
                FieldError(
                    "schedule",
                    f"the schedule delivers {scheduled} unit(s); the contract is for "
                    f"{found.bid.units}",
                    scheduled,
                )
            ]
        )
    contract = Contract(
        number=body.number,
        award_id=found.id,
        amount=found.bid.amount,
        currency=found.bid.currency,
        units=found.bid.units,
        signed_on=body.signed_on,
        schedule=[{"due_on": s.due_on.isoformat(), "units": s.units} for s in body.schedule],
        created_by=actor.username,
    )
    session.add(contract)
    session.flush()
    record(
        session,
        "tender.contract",
        "tender",
        tender.id,
        after={"contract": contract.number, "award": found.id, "amount": str(contract.amount)},
        actor=actor,
    )
    return contract


def record_delivery(
    session: Session, actor: Principal, contract_id: int, body: DeliveryIn
) -> Delivery:
    """Units delivered on a day; never more than the contract's units in all."""
    contract = session.get(Contract, contract_id, options=[selectinload(Contract.deliveries)])
    if contract is None:
        raise NotFoundError("contract", contract_id)
    tender = load(session, contract.award.lot.tender_id)
    require_run(actor, tender)
    done = sum(d.units for d in contract.deliveries)
    if done + body.units > contract.units:
        raise DomainValidationError(
            [
                FieldError(
                    "units",
                    f"{done} of {contract.units} unit(s) are delivered; {body.units} more would "
                    f"exceed the contract",
                    body.units,
                )
            ]
        )
    if body.delivered_on < contract.signed_on:
        raise DomainValidationError(
            [
                FieldError(
                    "delivered_on", "before the contract was signed", body.delivered_on.isoformat()
                )
            ]
        )
    delivery = Delivery(
        contract_id=contract.id,
        units=body.units,
        delivered_on=body.delivered_on,
        recorded_by=actor.username,
    )
    contract.deliveries.append(delivery)
    session.flush()
    record(
        session,
        "tender.delivery",
        "tender",
        tender.id,
        after={
            "contract": contract.number,
            "units": body.units,
            "on": body.delivered_on.isoformat(),
        },
        actor=actor,
    )
    return delivery


def contracts(session: Session, tender: Tender) -> list[Contract]:
    return list(
        session.scalars(
            select(Contract)
            .join(Award)
            .join(Lot)
            .where(Lot.tender_id == tender.id)
            .options(selectinload(Contract.deliveries))
            .order_by(Contract.id)
        )
    )


@dataclass(frozen=True, slots=True)
class LineProgress:
    """A passport equipment line: units asked, tendered, contracted, delivered."""

    line: int
    name: str
    quantity: int
    tendered: int
    contracted: int
    delivered: int


def equipment_progress(session: Session, passport: Passport) -> list[LineProgress]:
    """Per equipment line of the passport, how far its purchase has come."""
    lines = equipment_lines(passport)
    tendered: dict[int, int] = {}
    contracted: dict[int, int] = {}
    delivered: dict[int, int] = {}
    lots = session.scalars(
        select(Lot)
        .join(Tender)
        .where(Tender.passport_id == passport.id, Tender.status != T.CANCELLED)
    )
    for lot in lots:
        if not lot.unsuccessful:
            tendered[lot.line] = tendered.get(lot.line, 0) + lot.quantity
    rows = session.execute(
        select(Lot.line, Contract.id, Contract.units)
        .select_from(Contract)
        .join(Award)
        .join(Lot)
        .join(Tender)
        .where(Tender.passport_id == passport.id)
    )
    by_contract: dict[int, int] = {}
    for line, contract_id, units in rows:
        contracted[line] = contracted.get(line, 0) + units
        by_contract[contract_id] = line
    if by_contract:
        for contract_id, units in session.execute(
            select(Delivery.contract_id, Delivery.units).where(
                Delivery.contract_id.in_(by_contract)
            )
        ):
            line = by_contract[contract_id]
            delivered[line] = delivered.get(line, 0) + units
    return [
        LineProgress(
            n,
            str(row.get("name") or ""),
            line_quantity(row),
            tendered.get(n, 0),
            contracted.get(n, 0),
            delivered.get(n, 0),
        )
        for n, row in enumerate(lines, start=1)
    ]


def passport_tenders(session: Session, actor: Principal, passport: Passport) -> list[Tender]:
    """The tender trail of a passport (for its page)."""
    require(actor, Action.VIEW, Kind.SELECTION, financiers=financiers(passport))
    return list(
        session.scalars(
            select(Tender)
            .where(Tender.passport_id == passport.id)
            .options(selectinload(Tender.lots))
            .order_by(Tender.id)
        )
    )
