"""What the finance pages and API read, with access applied: the facility's position (allocated,
signed, drawn and available, by project, bank and month, with the plan's curve), one agreement
(schedule, requests, disbursements, repayments, arrears), the drawdown requests waiting for the
current user, and a passport's financing (sources by year, gap, economics, tornado, a second
scenario).

The ministries and the Committee see everything; a bank sees its own agreements only, and the
facility's figures as the sum of its own agreements (never the other banks').
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from unionsync.access.models import Role, Side
from unionsync.access.policy import Action, Kind, Principal, can, require
from unionsync.catalog.models import Organization
from unionsync.core.errors import NotFoundError
from unionsync.core.listing import ListParams, PageResult, paginate
from unionsync.finance import drawdown
from unionsync.finance.cofinancing import STATE_LOAN, Cofinancing, cofinancing
from unionsync.finance.economics import xirr
from unionsync.finance.facility import Arrears, arrears, planned_schedule
from unionsync.finance.models import (
    LIVE_DRAWDOWN,
    Allocation,
    AllocationStatus,
    CreditAgreement,
    DrawdownRequest,
    DrawdownStatus,
    Facility,
    Repayment,
)
from unionsync.finance.projects import Economics, Inputs, evaluate, inputs_of, tornado
from unionsync.finance.schedules import Installment, add_months
from unionsync.passports.models import Passport
from unionsync.passports.service import financiers

ZERO = Decimal("0.00")
PENDING = (DrawdownStatus.REQUESTED, DrawdownStatus.BANK_APPROVED, DrawdownStatus.APPROVED)


def _bank_scope(actor: Principal) -> int | None:
    """The bank whose agreements alone this actor sees (None: every agreement)."""
    if actor.side is Side.BANK and not actor.system:
        require(actor, Action.VIEW, Kind.FINANCE, financiers=[actor.organization_id or 0])
        return actor.organization_id or 0
    require(actor, Action.VIEW, Kind.FINANCE)
    return None


def get_facility(session: Session, facility_id: int | None = None) -> Facility:
    """The facility asked for, or the first (the demo and most installations have one)."""
    found = (
        session.get(Facility, facility_id)
        if facility_id is not None
        else session.scalars(select(Facility).order_by(Facility.id)).first()
    )
    if found is None:
        raise NotFoundError("facility", facility_id or 0)
    return found


def list_facilities(session: Session, actor: Principal) -> list[Facility]:
    _bank_scope(actor)
    return list(session.scalars(select(Facility).order_by(Facility.id)))


@dataclass
class AgreementLine:
    """One agreement's figures in the facility's currency."""

    agreement: CreditAgreement
    drawn: Decimal = ZERO  # disbursed
    pending: Decimal = ZERO  # requested or approved, not yet disbursed

    @property
    def available(self) -> Decimal:
        return self.agreement.amount - self.drawn - self.pending


@dataclass
class ProjectLine:
    passport: Passport
    allocation: Allocation
    agreements: list[AgreementLine] = field(default_factory=list)

    @property
    def signed(self) -> Decimal:
        return sum((a.agreement.amount for a in self.agreements), ZERO)

    @property
    def drawn(self) -> Decimal:
        return sum((a.drawn for a in self.agreements), ZERO)

    @property
    def pending(self) -> Decimal:
        return sum((a.pending for a in self.agreements), ZERO)


@dataclass
class BankLine:
    bank: Organization
    agreements: int = 0
    signed: Decimal = ZERO
    drawn: Decimal = ZERO
    pending: Decimal = ZERO


@dataclass
class MonthLine:
    month: str  # 2024-03
    drawn: Decimal
    cumulative: Decimal
    drawdowns: int


@dataclass
class Position:
    """The facility as the actor may see it (`scoped`: one bank's agreements only)."""

    facility: Facility
    scoped: bool
    projects: list[ProjectLine]
    banks: list[BankLine]
    months: list[MonthLine]
    plan: list[tuple[int, Decimal]]  # year → cumulative planned state-loan drawing

    @property
    def allocated(self) -> Decimal:
        return sum(
            (
                p.allocation.amount
                for p in self.projects
                if p.allocation.status is AllocationStatus.APPROVED
            ),
            ZERO,
        )

    @property
    def signed(self) -> Decimal:
        return sum((p.signed for p in self.projects), ZERO)

    @property
    def drawn(self) -> Decimal:
        return sum((p.drawn for p in self.projects), ZERO)

    @property
    def pending(self) -> Decimal:
        return sum((p.pending for p in self.projects), ZERO)

    @property
    def available(self) -> Decimal:
        """What is left of the facility to draw (requests in progress hold their amount)."""
        return self.facility.amount - self.drawn - self.pending

    @property
    def agreements(self) -> int:
        return sum(len(p.agreements) for p in self.projects)


def _agreement_lines(session: Session, stmt: Select[CreditAgreement]) -> dict[int, AgreementLine]:
    lines = {
        a.id: AgreementLine(a)
        for a in session.scalars(
            stmt.options(
                selectinload(CreditAgreement.bank),
                selectinload(CreditAgreement.borrower),
                selectinload(CreditAgreement.allocation),
            )
        )
    }
    if not lines:
        return lines
    totals = session.execute(
        select(
            DrawdownRequest.agreement_id, DrawdownRequest.status, func.sum(DrawdownRequest.amount)
        )
        .where(
            DrawdownRequest.agreement_id.in_(list(lines)),
            DrawdownRequest.status.in_(LIVE_DRAWDOWN),
        )
        .group_by(DrawdownRequest.agreement_id, DrawdownRequest.status)
    )
    for agreement_id, status, total in totals:
        line = lines[agreement_id]
        if DrawdownStatus(status) is DrawdownStatus.DISBURSED:
            line.drawn += Decimal(total)
        else:
            line.pending += Decimal(total)
    return lines


def position(session: Session, actor: Principal, facility: Facility) -> Position:
    """The facility's allocated / signed / drawn / available, by project, bank and month."""
    bank = _bank_scope(actor)
    stmt = (
        select(CreditAgreement)
        .join(Allocation, CreditAgreement.allocation_id == Allocation.id)
        .where(Allocation.facility_id == facility.id)
        .order_by(CreditAgreement.number)
    )
    if bank is not None:
        stmt = stmt.where(CreditAgreement.bank_id == bank)
    lines = _agreement_lines(session, stmt)
    allocations = session.scalars(
        select(Allocation)
        .where(
            Allocation.facility_id == facility.id,
            Allocation.status != AllocationStatus.CANCELLED,
        )
        .options(selectinload(Allocation.passport))
    ).all()
    seen = {line.agreement.allocation_id for line in lines.values()}
    projects = {
        a.id: ProjectLine(a.passport, a) for a in allocations if bank is None or a.id in seen
    }
    banks: dict[int, BankLine] = {}
    for line in lines.values():
        projects[line.agreement.allocation_id].agreements.append(line)
        b = banks.setdefault(line.agreement.bank_id, BankLine(line.agreement.bank))
        b.agreements += 1
        b.signed += line.agreement.amount
        b.drawn += line.drawn
        b.pending += line.pending
    months: list[MonthLine] = []
    if lines:
        monthly: dict[str, tuple[Decimal, int]] = {}
        for day, amount in session.execute(
            select(DrawdownRequest.disbursed_on, DrawdownRequest.amount).where(
                DrawdownRequest.agreement_id.in_(list(lines)),
                DrawdownRequest.status == DrawdownStatus.DISBURSED,
            )
        ):
            key = f"{day:%Y-%m}"
            total, count = monthly.get(key, (ZERO, 0))
            monthly[key] = (total + Decimal(amount), count + 1)
        running = ZERO
        for key in sorted(monthly):
            total, count = monthly[key]
            running += total
            months.append(MonthLine(key, total, running, count))
    plan: dict[int, Decimal] = defaultdict(Decimal)
    for project in projects.values():
        if project.allocation.status is not AllocationStatus.APPROVED:
            continue
        for planned in cofinancing(session, project.passport, facility.currency).years:
            plan[planned.year] += planned.planned.get(STATE_LOAN, ZERO)
    cumulative: list[tuple[int, Decimal]] = []
    running = ZERO
    for year in sorted(plan):
        running += plan[year]
        cumulative.append((year, running))
    ordered = sorted(projects.values(), key=lambda p: p.passport.number)
    return Position(
        facility,
        bank is not None,
        ordered,
        sorted(banks.values(), key=lambda b: -b.signed),
        months,
        cumulative,
    )


def agreement_filter(actor: Principal) -> Select[CreditAgreement]:
    stmt = select(CreditAgreement)
    bank = _bank_scope(actor)
    return stmt if bank is None else stmt.where(CreditAgreement.bank_id == bank)


def list_agreements(
    session: Session, actor: Principal, params: ListParams, passport_id: int | None = None
) -> PageResult[CreditAgreement]:
    stmt = agreement_filter(actor).options(
        selectinload(CreditAgreement.bank),
        selectinload(CreditAgreement.borrower),
        selectinload(CreditAgreement.allocation).selectinload(Allocation.passport),
    )
    if passport_id is not None:
        stmt = stmt.join(Allocation).where(Allocation.passport_id == passport_id)
    sortable = {
        "number": CreditAgreement.number,
        "amount": CreditAgreement.amount,
        "signed_on": CreditAgreement.signed_on,
    }
    return paginate(session, stmt, params, sortable, [CreditAgreement.number])


def get_agreement(session: Session, actor: Principal, agreement_id: int) -> CreditAgreement:
    agreement = session.get(CreditAgreement, agreement_id)
    if agreement is None:
        raise NotFoundError("credit agreement", agreement_id)
    require(actor, Action.VIEW, Kind.FINANCE, financiers=[agreement.bank_id])
    return agreement


@dataclass
class AgreementView:
    agreement: CreditAgreement
    schedule: list[Installment]
    drawdowns: list[DrawdownRequest]
    repayments: list[Repayment]
    left: drawdown.Left
    arrears: Arrears
    drawn: Decimal
    on: date
    effective_rate: float | None  # XIRR of the schedule (see `effective_rate`)


def effective_rate(agreement: CreditAgreement, rows: list[Installment]) -> float | None:
    """The schedule's effective annual rate: XIRR of the whole amount lent one period before
    the first due date and every installment on its due date (actual/365), what the nominal
    rate compounds to."""
    if not rows:
        return None
    lent = add_months(agreement.first_due, -(12 // agreement.periods_per_year))
    return xirr(
        [lent, *(r.due for r in rows)],
        [agreement.amount, *(-r.payment for r in rows)],
    )


def agreement_view(session: Session, actor: Principal, agreement_id: int) -> AgreementView:
    agreement = get_agreement(session, actor, agreement_id)
    today = datetime.now(UTC).date()
    drawdowns = list(
        session.scalars(
            select(DrawdownRequest)
            .where(DrawdownRequest.agreement_id == agreement.id)
            .order_by(DrawdownRequest.requested_at, DrawdownRequest.id)
        )
    )
    repayments = list(
        session.scalars(
            select(Repayment)
            .where(Repayment.agreement_id == agreement.id)
            .order_by(Repayment.paid_on, Repayment.id)
        )
    )
    rows = planned_schedule(agreement)
    return AgreementView(
        agreement,
        rows,
        drawdowns,
        repayments,
        drawdown.left(session, agreement),
        arrears(session, agreement, today),
        sum((d.amount for d in drawdowns if d.status is DrawdownStatus.DISBURSED), ZERO),
        today,
        effective_rate(agreement, rows),
    )


def next_acts(actor: Principal, request: DrawdownRequest) -> list[str]:
    """The acts this actor may take on a request now (what the inbox and agreement page offer)."""
    agreement = request.agreement
    bank = drawdown.is_bank_writer(actor, agreement)
    ministry = actor.system or (actor.side is Side.BY and actor.role is Role.APPROVER)
    acts = []
    status = request.status
    if status is DrawdownStatus.REQUESTED and bank:
        acts.append("bank-approve")
    if status is DrawdownStatus.BANK_APPROVED and ministry:
        acts.append("ministry-approve")
    if status is DrawdownStatus.APPROVED and bank:
        acts.append("disburse")
    if status in (DrawdownStatus.REQUESTED, DrawdownStatus.BANK_APPROVED) and (bank or ministry):
        acts.append("refuse")
    return acts


@dataclass
class Waiting:
    request: DrawdownRequest
    acts: list[str]


def inbox(session: Session, actor: Principal) -> tuple[list[Waiting], list[Waiting]]:
    """Requests in progress the actor may see: those waiting for the actor's act first, then
    the others (with who acts next)."""
    stmt = (
        select(DrawdownRequest)
        .join(CreditAgreement, DrawdownRequest.agreement_id == CreditAgreement.id)
        .where(DrawdownRequest.status.in_(PENDING))
        .options(
            selectinload(DrawdownRequest.agreement).selectinload(CreditAgreement.bank),
            selectinload(DrawdownRequest.agreement).selectinload(CreditAgreement.borrower),
        )
        .order_by(DrawdownRequest.requested_at, DrawdownRequest.id)
    )
    bank = _bank_scope(actor)
    if bank is not None:
        stmt = stmt.where(CreditAgreement.bank_id == bank)
    mine: list[Waiting] = []
    others: list[Waiting] = []
    for found in session.scalars(stmt):
        acts = next_acts(actor, found)
        # a request waits for whoever must move it on (a refusal alone does not)
        waiting = any(act != "refuse" for act in acts)
        (mine if waiting else others).append(Waiting(found, acts if waiting else []))
    return mine, others


@dataclass
class Scenario:
    """A variant of the project's inputs (what a second column of the comparison changes)."""

    discount_rate: Decimal = Decimal("0.10")
    opex_share: Decimal = Decimal("0.70")
    price_change: Decimal = Decimal(0)  # −0.2 for −20 %
    capex_change: Decimal = Decimal(0)
    delay_years: int = 0

    def applied(self, inputs: Inputs) -> Inputs:
        revenue = {
            y + self.delay_years: v * (1 + self.price_change) for y, v in inputs.revenue.items()
        }
        investment = {y: v * (1 + self.capex_change) for y, v in inputs.investment.items()}
        years = tuple(sorted(set(inputs.years) | set(revenue)))
        return replace(
            inputs,
            years=years,
            revenue=revenue,
            investment=investment,
            discount_rate=self.discount_rate,
            opex_share=self.opex_share,
        )


@dataclass
class PassportFinancing:
    passport: Passport
    plan: Cofinancing
    agreements: list[AgreementLine]
    allocations: list[Allocation]
    economics: Economics | None
    tornado: list[tuple[str, Decimal]]
    scenario: Economics | None
    scoped: bool


def passport_financing(
    session: Session,
    actor: Principal,
    passport: Passport,
    base: Scenario | None = None,
    other: Scenario | None = None,
) -> PassportFinancing:
    """Sources by year (planned, secured, actual), the gap, the agreements (a bank: its own),
    the economics with their tornado, and optionally a second scenario beside the first."""
    if actor.side is Side.BANK and not actor.system:
        require(actor, Action.VIEW, Kind.FINANCE, financiers=financiers(passport))
        bank: int | None = actor.organization_id or 0
    else:
        require(actor, Action.VIEW, Kind.FINANCE)
        bank = None
    stmt = (
        select(CreditAgreement)
        .join(Allocation, CreditAgreement.allocation_id == Allocation.id)
        .where(Allocation.passport_id == passport.id)
        .order_by(CreditAgreement.number)
    )
    if bank is not None:
        stmt = stmt.where(CreditAgreement.bank_id == bank)
    base = base or Scenario()
    raw = inputs_of(session, passport, base.discount_rate, base.opex_share)
    economics = evaluate(base.applied(raw)) if raw.years else None
    return PassportFinancing(
        passport,
        cofinancing(session, passport),
        list(_agreement_lines(session, stmt).values()),
        list(
            session.scalars(
                select(Allocation)
                .where(Allocation.passport_id == passport.id)
                .order_by(Allocation.id)
            )
        ),
        economics,
        tornado(base.applied(raw)) if raw.years else [],
        evaluate(other.applied(raw)) if other is not None and raw.years else None,
        bank is not None,
    )


@dataclass(frozen=True, slots=True)
class Headline:
    """The overview's finance card: a few sums, each linking to its rows on `/finance`."""

    facility: Facility
    allocated: Decimal
    agreements: int
    signed: Decimal
    drawn: Decimal


def headline(session: Session, actor: Principal) -> Headline | None:
    """The first facility's totals in three queries (the overview must stay fast); None when
    there is no facility or the actor sees only a bank's share."""
    if actor.side is Side.BANK or not can(actor, Action.VIEW, Kind.FINANCE):
        return None
    found = session.scalars(select(Facility).order_by(Facility.id)).first()
    if found is None:
        return None
    allocated = session.scalar(
        select(func.coalesce(func.sum(Allocation.amount), 0)).where(
            Allocation.facility_id == found.id, Allocation.status == AllocationStatus.APPROVED
        )
    )
    count, signed = session.execute(
        select(func.count(CreditAgreement.id), func.coalesce(func.sum(CreditAgreement.amount), 0))
        .join(Allocation, CreditAgreement.allocation_id == Allocation.id)
        .where(Allocation.facility_id == found.id)
    ).one()
    return Headline(
        found,
        Decimal(allocated or 0),
        int(count or 0),
        Decimal(signed or 0),
        drawdown.drawn(session, found),
    )
