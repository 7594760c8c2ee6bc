"""What the finance API reads and writes. Money is an exact decimal (a string in JSON), rates
are fractions (0.095 for 9.5 %), dates ISO text."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from unionsync.core.money import Currency
from unionsync.core.schemas import Amount, Day, Id, Label, Note, ShortText
from unionsync.finance.models import AllocationStatus, DrawdownStatus
from unionsync.finance.schedules import RepaymentMethod

Rate = Annotated[Decimal, Field(ge=0, le=1, max_digits=8, decimal_places=6)]
Change = Annotated[Decimal, Field(ge=-1, le=5, max_digits=6, decimal_places=4)]
PositiveAmount = Annotated[Amount, Field(gt=0)]


class FacilityPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    amount: Decimal
    currency: Currency
    available_from: date
    available_until: date
    fixed_rate: Decimal | None
    reference_rate: str | None
    margin: Decimal | None
    repayment_terms: str | None


class ProjectLinePublic(BaseModel):
    passport_id: int
    passport: str
    allocation_id: int
    allocation_status: AllocationStatus
    allocated: Decimal
    signed: Decimal
    drawn: Decimal
    pending: Decimal
    agreements: list[int]


class BankLinePublic(BaseModel):
    bank_id: int
    bank: str
    agreements: int
    signed: Decimal
    drawn: Decimal
    pending: Decimal


class MonthLinePublic(BaseModel):
    month: str
    drawn: Decimal
    cumulative: Decimal
    drawdowns: int


class PositionPublic(BaseModel):
    """The facility as the caller may see it (`scoped`: a bank's own agreements only)."""

    facility: FacilityPublic
    scoped: bool
    allocated: Decimal
    signed: Decimal
    drawn: Decimal
    pending: Decimal
    available: Decimal | None  # the facility's; not shown to a bank
    agreements: int
    by_project: list[ProjectLinePublic]
    by_bank: list[BankLinePublic]
    by_month: list[MonthLinePublic]
    plan: dict[str, Decimal]  # year → cumulative planned state-loan drawing


class AllocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    passport_id: Id
    amount: PositiveAmount


class AllocationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    facility_id: int
    passport_id: int
    amount: Decimal
    status: AllocationStatus
    approved_by_by: str | None
    approved_by_ru: str | None


class AgreementIn(BaseModel):
    """A credit agreement signed by the calling bank; without `annual_rate`, the facility's
    rate on the day of signing."""

    model_config = ConfigDict(extra="forbid")

    number: Label
    amount: PositiveAmount
    annual_rate: Rate | None = None
    periods: Annotated[int, Field(ge=1, le=600)]
    periods_per_year: Annotated[int, Field(ge=1, le=12)] = 12
    grace_periods: Annotated[int, Field(ge=0, le=240)] = 0
    method: RepaymentMethod
    signed_on: Day
    first_due: Day


class AgreementPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    allocation_id: int
    bank_id: int
    borrower_id: int
    amount: Decimal
    currency: Currency
    annual_rate: Decimal
    grace_periods: int
    periods: int
    periods_per_year: int
    method: RepaymentMethod
    signed_on: date
    first_due: date


class InstallmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    due: date
    opening: Decimal
    interest: Decimal
    principal: Decimal
    payment: Decimal
    closing: Decimal


class DrawdownIn(BaseModel):
    """A request to draw: in the agreement's currency unless `currency` names another (then
    converted at the year's rate)."""

    model_config = ConfigDict(extra="forbid")

    amount: PositiveAmount
    currency: Currency | None = None
    purpose: ShortText = Field(min_length=1)
    contract_id: Id | None = None


class DrawdownPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    agreement_id: int
    amount: Decimal
    contract_id: int | None
    purpose: str
    status: DrawdownStatus
    requested_by: str
    requested_at: datetime
    bank_approved_by: str | None
    ministry_approved_by: str | None
    disbursed_by: str | None
    disbursed_on: date | None
    refused_reason: str | None


class DrawdownActIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Note | None = None  # for refuse
    on: Day | None = None  # for disburse: the day of the disbursement (today if left out)


class WaitingPublic(BaseModel):
    drawdown: DrawdownPublic
    agreement: str
    acts: list[str]


class InboxPublic(BaseModel):
    """Requests in progress: those waiting for the caller's act, then the others."""

    waiting_for_you: list[WaitingPublic]
    others: list[WaitingPublic]


class RepaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    paid_on: Day
    principal: Amount
    interest: Amount


class RepaymentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    agreement_id: int
    paid_on: date
    principal: Decimal
    interest: Decimal
    recorded_by: str


class LeftPublic(BaseModel):
    agreement: Decimal
    allocation: Decimal
    facility: Decimal


class ArrearsPublic(BaseModel):
    on: date
    due_principal: Decimal
    due_interest: Decimal
    paid_principal: Decimal
    paid_interest: Decimal
    overdue: Decimal


class AgreementDetail(BaseModel):
    agreement: AgreementPublic
    bank: str
    borrower: str
    passport_id: int
    drawn: Decimal
    effective_rate: float | None  # XIRR of the schedule: what the nominal rate compounds to
    left: LeftPublic
    arrears: ArrearsPublic
    drawdowns: list[DrawdownPublic]
    repayments: list[RepaymentPublic]


class YearPublic(BaseModel):
    year: int
    planned: dict[str, Decimal]
    secured: dict[str, Decimal]
    actual: dict[str, Decimal]
    shares: dict[str, Decimal]
    gap: Decimal
    closed: bool


class EconomicsPublic(BaseModel):
    flows: dict[str, Decimal]
    npv: Decimal
    irr: float | None
    payback_years: Decimal | None
    discounted_payback_years: Decimal | None
    dscr: dict[str, Decimal | None]
    eaeu_subsidy: dict[str, Decimal]
    assumptions: list[str]


class TornadoPublic(BaseModel):
    case: str
    npv_change: Decimal


class FinancingPublic(BaseModel):
    """A passport's financing: sources by year, the gap, its agreements (a bank: its own), the
    economics and their tornado, and a second scenario when one was asked for."""

    passport_id: int
    currency: Currency
    closed: bool
    missing_rates: list[str]
    years: list[YearPublic]
    agreements: list[AgreementPublic]
    economics: EconomicsPublic | None
    tornado: list[TornadoPublic]
    scenario: EconomicsPublic | None
