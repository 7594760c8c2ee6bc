"""What the selection API, pages and CLI accept and answer: one validation for every entrance
(bounds from `core/validation.py`), rules that span fields (weights summing to 100, periods in
order) checked here too, so that a form and a JSON body are refused with the same words."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from unionsync.core.money import Currency
from unionsync.core.schemas import (
    Amount,
    Day,
    Id,
    Label,
    Name,
    Note,
    Percent,
    Quantity,
    Year,
    text_only,
)
from unionsync.selection.models import (
    AwardCriteria,
    CallStatus,
    Method,
    TenderStatus,
)

MAX_CRITERIA = 12
MAX_MEMBERS = 30
MAX_YEARS = 20
MAX_UNITS = 1_000_000


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("give a time zone (for example 2027-03-01T18:00:00+03:00)")
    return value


Moment = Annotated[datetime, BeforeValidator(text_only), AfterValidator(_aware)]
Units = Annotated[int, Field(ge=1, le=MAX_UNITS)]
ScoreValue = Annotated[Decimal, Field(ge=0, le=10, max_digits=4, decimal_places=2)]
CriterionKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class CriterionIn(BaseModel):
    key: CriterionKey
    name: Name
    weight: Annotated[Decimal, Field(gt=0, le=100, max_digits=5, decimal_places=2)]


class YearQuantity(BaseModel):
    year: Year
    quantity: Quantity


DEFAULT_CRITERIA = (
    ("technical_fit", "Техническое соответствие", 25),
    ("capacity", "Мощность против потребности", 20),
    ("price", "Цена", 20),
    ("own_share", "Доля собственного софинансирования", 10),
    ("time_to_output", "Срок выхода на выпуск", 10),
    ("localisation", "Уровень локализации", 10),
    ("experience", "Опыт", 5),
)


class CallCreate(BaseModel):
    """A call for a passport in preparation or for a gap's program item (one of the two)."""

    model_config = ConfigDict(extra="forbid")

    title: Name
    passport_id: Id | None = None
    item_id: Id | None = None
    unit_okei: Annotated[str, Field(pattern=r"^[0-9]{3}$")] = "796"
    tnved_code: Annotated[str | None, Field(pattern=r"^[0-9]{10}$")] = None
    quantities: Annotated[list[YearQuantity], Field(min_length=1, max_length=MAX_YEARS)]
    deadline: Moment
    criteria: Annotated[list[CriterionIn], Field(min_length=1, max_length=MAX_CRITERIA)] = Field(
        default_factory=lambda: [
            CriterionIn(key=k, name=n, weight=Decimal(w)) for k, n, w in DEFAULT_CRITERIA
        ]
    )
    members: Annotated[list[Label], Field(max_length=MAX_MEMBERS)] = Field(default_factory=list)
    disagreement_margin: Percent = Decimal(15)

    @model_validator(mode="after")
    def _consistent(self) -> CallCreate:
        if (self.passport_id is None) == (self.item_id is None):
            raise ValueError("give either passport_id or item_id (a gap's program item)")
        total = sum((c.weight for c in self.criteria), Decimal(0))
        if total != 100:
            raise ValueError(f"criteria weights sum to {total}; they must sum to 100")
        keys = [c.key for c in self.criteria]
        if len(set(keys)) != len(keys):
            raise ValueError("criteria keys must differ")
        years = [q.year for q in self.quantities]
        if len(set(years)) != len(years):
            raise ValueError("one quantity per year")
        return self


class MembersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    members: Annotated[list[Label], Field(max_length=MAX_MEMBERS)]


class ApplicationIn(BaseModel):
    """An organization's offer (created or replaced while the call is open)."""

    model_config = ConfigDict(extra="forbid")

    organization_id: Id
    product: Name
    capacity: Annotated[list[YearQuantity], Field(min_length=1, max_length=MAX_YEARS)]
    price: Amount
    currency: Currency
    first_output: Day
    financing_asked: Amount = Decimal(0)
    own_share: Percent = Decimal(0)
    localisation: Percent = Decimal(0)
    documents: Note | None = None


class ScoreIn(BaseModel):
    application_id: Id
    criterion: CriterionKey
    value: ScoreValue


class ScoresIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scores: Annotated[list[ScoreIn], Field(min_length=1, max_length=2000)]


class CallActIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: Note | None = None


class InvitationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organization_id: Id
    evidence: Note | None = None


class TenderCreate(BaseModel):
    """A tender of a reconciled passport's equipment lines (row numbers from 1; all if none)."""

    model_config = ConfigDict(extra="forbid")

    passport_id: Id
    title: Name
    lines: Annotated[list[Annotated[int, Field(ge=1, le=500)]], Field(max_length=500)] = Field(
        default_factory=list
    )
    method: Method = Method.OPEN
    method_rationale: Note | None = None
    award_criteria: AwardCriteria = AwardCriteria.LOWEST_PRICE
    price_weight: Percent = Decimal(100)
    currency: Currency
    tender_start: Moment
    tender_end: Moment
    enquiry_end: Moment | None = None
    award_date: Day | None = None
    buyer_id: Id | None = None

    @model_validator(mode="after")
    def _consistent(self) -> TenderCreate:
        if self.method is not Method.OPEN and not self.method_rationale:
            raise ValueError(f"a {self.method.value} tender needs method_rationale (why not open)")
        if self.tender_end <= self.tender_start:
            raise ValueError("tender_end must be after tender_start")
        if self.enquiry_end is not None and not (
            self.tender_start <= self.enquiry_end <= self.tender_end
        ):
            raise ValueError("enquiry_end must fall within the tender period")
        if self.award_date is not None and self.award_date < self.tender_end.date():
            raise ValueError("award_date must not be before the end of the tender period")
        if self.award_criteria is AwardCriteria.LOWEST_PRICE and self.price_weight != 100:
            raise ValueError("a lowest-price tender weighs the price 100")
        return self


class BidIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lot_id: Id
    supplier_id: Id
    origin: Annotated[str | None, Field(pattern=r"^[A-Z]{2}$")] = None
    units: Units
    amount: Amount
    currency: Currency
    quality: Percent | None = None


class ContractIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    award_id: Id
    number: Label
    signed_on: Day
    schedule: Annotated[list[ScheduleIn], Field(max_length=120)] = Field(default_factory=list)


class ScheduleIn(BaseModel):
    """Units due on a day under a contract."""

    model_config = ConfigDict(extra="forbid")

    due_on: Day
    units: Units


class DeliveryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    units: Units
    delivered_on: Day


ContractIn.model_rebuild()


class TenderActIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: Note | None = None


# --- answers ----------------------------------------------------------------------------------


class CriterionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    name: str
    weight: Decimal


class MemberPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    username: str
    side: str
    declared_at: datetime | None
    submitted_at: datetime | None


class CallPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    title: str
    owner_side: str
    status: CallStatus
    passport_id: int | None
    item_id: int | None
    tnved_code: str | None
    unit_okei: str
    quantities: dict[str, str]
    deadline: datetime
    disagreement_margin: Decimal
    signed_by_by: str | None
    signed_by_ru: str | None
    decided_at: datetime | None
    criteria: list[CriterionPublic]
    members: list[MemberPublic]


class ApplicationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    call_id: int
    organization_id: int
    product: str
    capacity: dict[str, str]
    price_amount: Decimal
    price_currency: Currency
    first_output: date
    financing_asked: Decimal
    own_share: Decimal
    localisation: Decimal
    documents: str | None
    entered_by: str
    won: bool


class CandidatePublic(BaseModel):
    organization_id: int
    organization: str
    country: str
    product: str
    probability: float
    evidence: str
    invited: bool


class StandingPublic(BaseModel):
    application_id: int
    organization: str
    rank: int
    total: Decimal
    by_criterion: dict[str, Decimal]
    by_member: dict[str, Decimal]
    spread: Decimal
    by_side: dict[str, Decimal]
    sides_disagree: bool


class ResultsPublic(BaseModel):
    call_id: int
    members_submitted: int
    members: int
    final: bool
    standings: list[StandingPublic]


class LotPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int
    line: int
    name: str
    tnved_code: str | None
    quantity: int
    budget: Decimal | None
    unsuccessful: bool


class TenderPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    passport_id: int
    buyer_id: int
    title: str
    method: Method
    method_rationale: str | None
    award_criteria: AwardCriteria
    price_weight: Decimal
    currency: Currency
    tender_start: datetime
    tender_end: datetime
    enquiry_end: datetime | None
    award_date: date | None
    status: TenderStatus
    lots: list[LotPublic]


class BidPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    lot_id: int
    supplier_id: int
    origin: str
    units: int
    amount: Decimal
    currency: Currency
    amount_in_tender: Decimal
    quality: Decimal | None
    submitted_at: datetime


class AwardPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    lot_id: int
    bid_id: int
    score: Decimal
    awarded_at: datetime


class DeliveryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    units: int
    delivered_on: date


class ContractPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    award_id: int
    amount: Decimal
    currency: Currency
    units: int
    signed_on: date
    schedule: list[dict[str, object]]
    deliveries: list[DeliveryPublic]
