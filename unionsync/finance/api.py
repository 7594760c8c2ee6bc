"""JSON API of financing: the facility's position, allocations, credit agreements with their
schedules, drawdown requests and their acts, repayments, and a passport's financing."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from unionsync.access.deps import ActorDep
from unionsync.access.policy import Principal
from unionsync.api.deps import ListDep, SessionDep
from unionsync.core.errors import NotFoundError
from unionsync.core.schemas import IdPath, IdQuery, Page, to_page
from unionsync.finance import drawdown, facility, service
from unionsync.finance.models import DrawdownRequest
from unionsync.finance.projects import Economics
from unionsync.finance.schemas import (
    AgreementDetail,
    AgreementIn,
    AgreementPublic,
    AllocationIn,
    AllocationPublic,
    ArrearsPublic,
    BankLinePublic,
    Change,
    DrawdownActIn,
    DrawdownIn,
    DrawdownPublic,
    EconomicsPublic,
    FacilityPublic,
    FinancingPublic,
    InboxPublic,
    InstallmentPublic,
    LeftPublic,
    MonthLinePublic,
    PositionPublic,
    ProjectLinePublic,
    Rate,
    RepaymentIn,
    RepaymentPublic,
    TornadoPublic,
    WaitingPublic,
    YearPublic,
)
from unionsync.passports.service import get_passport

router = APIRouter(prefix="/api/v1/finance", tags=["finance"])


class DrawdownAct(StrEnum):
    BANK_APPROVE = "bank-approve"
    MINISTRY_APPROVE = "ministry-approve"
    DISBURSE = "disburse"
    REFUSE = "refuse"


@router.get("/facilities")
def list_facilities(session: SessionDep, actor: ActorDep) -> list[FacilityPublic]:
    return [FacilityPublic.model_validate(f) for f in service.list_facilities(session, actor)]


def position_public(found: service.Position) -> PositionPublic:
    return PositionPublic(
        facility=FacilityPublic.model_validate(found.facility),
        scoped=found.scoped,
        allocated=found.allocated,
        signed=found.signed,
        drawn=found.drawn,
        pending=found.pending,
        available=None if found.scoped else found.available,
        agreements=found.agreements,
        by_project=[
            ProjectLinePublic(
                passport_id=p.passport.id,
                passport=p.passport.number,
                allocation_id=p.allocation.id,
                allocation_status=p.allocation.status,
                allocated=p.allocation.amount,
                signed=p.signed,
                drawn=p.drawn,
                pending=p.pending,
                agreements=[a.agreement.id for a in p.agreements],
            )
            for p in found.projects
        ],
        by_bank=[
            BankLinePublic(
                bank_id=b.bank.id,
                bank=b.bank.name,
                agreements=b.agreements,
                signed=b.signed,
                drawn=b.drawn,
                pending=b.pending,
            )
            for b in found.banks
        ],
        by_month=[
            MonthLinePublic(
                month=m.month, drawn=m.drawn, cumulative=m.cumulative, drawdowns=m.drawdowns
            )
            for m in found.months
        ],
        plan={str(year): total for year, total in found.plan},
    )


@router.get("/facilities/{facility_id}")
def facility_position(facility_id: IdPath, session: SessionDep, actor: ActorDep) -> PositionPublic:
    """Allocated, signed, drawn and available, by project, bank and month, with the plan's
    cumulative curve; a bank sees its own agreements only."""
    found = service.get_facility(session, facility_id)
    return position_public(service.position(session, actor, found))


@router.post("/facilities/{facility_id}/allocations", status_code=201)
def allocate(
    facility_id: IdPath, body: AllocationIn, session: SessionDep, actor: ActorDep
) -> AllocationPublic:
    """A ministry's writer proposes a reconciled passport's share; never above the facility."""
    found = facility.allocate(session, actor, facility_id, body.passport_id, body.amount)
    return AllocationPublic.model_validate(found)


@router.post("/allocations/{allocation_id}/approve")
def approve_allocation(
    allocation_id: IdPath, session: SessionDep, actor: ActorDep
) -> AllocationPublic:
    """An approver signs for their country; with both, the allocation is approved."""
    return AllocationPublic.model_validate(
        facility.approve_allocation(session, actor, allocation_id)
    )


@router.post("/allocations/{allocation_id}/agreements", status_code=201)
def sign_agreement(
    allocation_id: IdPath,
    body: AgreementIn,
    response: Response,
    session: SessionDep,
    actor: ActorDep,
) -> AgreementPublic:
    """The calling bank (a financier of the passport) signs against an approved allocation."""
    found = facility.sign_agreement(
        session,
        actor,
        allocation_id,
        number=body.number,
        amount=body.amount,
        annual_rate=body.annual_rate,
        periods=body.periods,
        method=body.method,
        signed_on=body.signed_on,
        first_due=body.first_due,
        grace_periods=body.grace_periods,
        periods_per_year=body.periods_per_year,
    )
    response.headers["Location"] = f"/api/v1/finance/agreements/{found.id}"
    return AgreementPublic.model_validate(found)


@router.get("/agreements")
def list_agreements(
    session: SessionDep, actor: ActorDep, params: ListDep, passport_id: IdQuery = None
) -> Page[AgreementPublic]:
    return to_page(AgreementPublic, service.list_agreements(session, actor, params, passport_id))


@router.get("/agreements/{agreement_id}")
def get_agreement(agreement_id: IdPath, session: SessionDep, actor: ActorDep) -> AgreementDetail:
    """The agreement with what is left to draw, its arrears today, requests and repayments."""
    view = service.agreement_view(session, actor, agreement_id)
    a = view.agreement
    return AgreementDetail(
        agreement=AgreementPublic.model_validate(a),
        bank=a.bank.name,
        borrower=a.borrower.name,
        passport_id=a.allocation.passport_id,
        drawn=view.drawn,
        effective_rate=view.effective_rate,
        left=LeftPublic(
            agreement=view.left.agreement,
            allocation=view.left.allocation,
            facility=view.left.facility,
        ),
        arrears=ArrearsPublic(
            on=view.on,
            due_principal=view.arrears.due_principal,
            due_interest=view.arrears.due_interest,
            paid_principal=view.arrears.paid_principal,
            paid_interest=view.arrears.paid_interest,
            overdue=view.arrears.overdue,
        ),
        drawdowns=[DrawdownPublic.model_validate(d) for d in view.drawdowns],
        repayments=[RepaymentPublic.model_validate(r) for r in view.repayments],
    )


@router.get("/agreements/{agreement_id}/schedule")
def agreement_schedule(
    agreement_id: IdPath, session: SessionDep, actor: ActorDep
) -> list[InstallmentPublic]:
    """The repayment schedule as signed: interest rounded half-even to the kopeck each period,
    the last installment settling the rounding (principal sums to the loan exactly)."""
    agreement = service.get_agreement(session, actor, agreement_id)
    return [InstallmentPublic.model_validate(r) for r in facility.planned_schedule(agreement)]


@router.post("/agreements/{agreement_id}/drawdowns", status_code=201)
def request_drawdown(
    agreement_id: IdPath,
    body: DrawdownIn,
    response: Response,
    session: SessionDep,
    actor: ActorDep,
) -> DrawdownPublic:
    """The borrower (or Belarus's ministry for it) asks to draw; 409 above the agreement's,
    the allocation's or the facility's remaining amount, outside the availability period, or
    in a currency without a rate."""
    found = drawdown.request(
        session,
        actor,
        agreement_id,
        body.amount,
        body.purpose,
        currency=body.currency,
        contract_id=body.contract_id,
    )
    response.headers["Location"] = f"/api/v1/finance/drawdowns/{found.id}"
    return DrawdownPublic.model_validate(found)


@router.get("/drawdowns")
def drawdown_inbox(session: SessionDep, actor: ActorDep) -> InboxPublic:
    """Requests in progress: those waiting for the caller's act first."""
    mine, others = service.inbox(session, actor)

    def public(rows: list[service.Waiting]) -> list[WaitingPublic]:
        return [
            WaitingPublic(
                drawdown=DrawdownPublic.model_validate(w.request),
                agreement=w.request.agreement.number,
                acts=w.acts,
            )
            for w in rows
        ]

    return InboxPublic(waiting_for_you=public(mine), others=public(others))


@router.get("/drawdowns/{drawdown_id}")
def get_drawdown(drawdown_id: IdPath, session: SessionDep, actor: ActorDep) -> DrawdownPublic:
    found = session.get(DrawdownRequest, drawdown_id)
    if found is None:
        raise NotFoundError("drawdown request", drawdown_id)
    service.get_agreement(session, actor, found.agreement_id)
    return DrawdownPublic.model_validate(found)


@router.post("/drawdowns/{drawdown_id}/acts/{act}")
def drawdown_act(
    drawdown_id: IdPath,
    act: DrawdownAct,
    body: DrawdownActIn,
    session: SessionDep,
    actor: ActorDep,
) -> DrawdownPublic:
    """bank-approve (the lending bank), ministry-approve (Belarus's approver), disburse (the
    bank records it), refuse (the bank or the ministry, with a reason)."""
    return DrawdownPublic.model_validate(apply_act(session, actor, drawdown_id, act, body))


def apply_act(
    session: Session,
    actor: Principal,
    drawdown_id: int,
    act: DrawdownAct,
    body: DrawdownActIn,
) -> DrawdownRequest:
    """One act on a request (the API and the pages share it)."""
    if act is DrawdownAct.BANK_APPROVE:
        return drawdown.approve_by_bank(session, actor, drawdown_id)
    if act is DrawdownAct.MINISTRY_APPROVE:
        return drawdown.approve_by_ministry(session, actor, drawdown_id)
    if act is DrawdownAct.DISBURSE:
        return drawdown.disburse(session, actor, drawdown_id, body.on)
    return drawdown.refuse(session, actor, drawdown_id, body.reason or "")


@router.post("/agreements/{agreement_id}/repayments", status_code=201)
def record_repayment(
    agreement_id: IdPath, body: RepaymentIn, session: SessionDep, actor: ActorDep
) -> RepaymentPublic:
    """The lending bank records a payment received."""
    found = facility.record_repayment(
        session, actor, agreement_id, body.paid_on, body.principal, body.interest
    )
    return RepaymentPublic.model_validate(found)


def economics_public(found: Economics) -> EconomicsPublic:
    return EconomicsPublic(
        flows={str(y): v for y, v in found.flows.items()},
        npv=found.npv,
        irr=found.irr,
        payback_years=None if found.payback is None else round(found.payback, 2),
        discounted_payback_years=None
        if found.discounted_payback is None
        else round(found.discounted_payback, 2),
        dscr={str(y): v for y, v in found.dscr.items()},
        eaeu_subsidy={str(y): v for y, v in found.subsidy.items()},
        assumptions=found.assumptions,
    )


@router.get("/passports/{passport_id}/financing")
def passport_financing(
    passport_id: IdPath,
    session: SessionDep,
    actor: ActorDep,
    discount_rate: Annotated[Rate, Query()] = Decimal("0.10"),
    opex_share: Annotated[Rate, Query()] = Decimal("0.70"),
    b_discount_rate: Annotated[Rate | None, Query()] = None,
    b_opex_share: Annotated[Rate | None, Query()] = None,
    b_price_change: Annotated[Change | None, Query()] = None,
    b_capex_change: Annotated[Change | None, Query()] = None,
    b_delay_years: Annotated[int | None, Query(ge=0, le=10)] = None,
) -> FinancingPublic:
    """Sources by year (planned, secured, actual), shares and the gap; the agreements; the
    economics and the NPV's tornado; with any `b_*` parameter, a second scenario beside it."""
    passport = get_passport(session, actor, passport_id)
    base = service.Scenario(discount_rate, opex_share)
    asked = (b_discount_rate, b_opex_share, b_price_change, b_capex_change, b_delay_years)
    other = (
        service.Scenario(
            b_discount_rate if b_discount_rate is not None else discount_rate,
            b_opex_share if b_opex_share is not None else opex_share,
            b_price_change or Decimal(0),
            b_capex_change or Decimal(0),
            b_delay_years or 0,
        )
        if any(v is not None for v in asked)
        else None
    )
    found = service.passport_financing(session, actor, passport, base, other)
    return FinancingPublic(
        passport_id=passport.id,
        currency=found.plan.currency,
        closed=found.plan.closed,
        missing_rates=found.plan.missing_rates,
        years=[
            YearPublic(
                year=y.year,
                planned=y.planned,
                secured=y.secured,
                actual=y.actual,
                shares=y.shares(),
                gap=y.gap,
                closed=y.closed,
            )
            for y in found.plan.years
        ],
        agreements=[AgreementPublic.model_validate(a.agreement) for a in found.agreements],
        economics=economics_public(found.economics) if found.economics else None,
        tornado=[TornadoPublic(case=c, npv_change=v) for c, v in found.tornado],
        scenario=economics_public(found.scenario) if found.scenario else None,
    )
