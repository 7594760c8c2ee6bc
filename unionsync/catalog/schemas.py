"""API shapes of organizations, programs, items and capabilities (Create / Update / Public)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from unionsync.catalog.models import OrganizationKind, ProgramStatus
from unionsync.core.money import Currency
from unionsync.core.schemas import (
    Amount,
    CodeText,
    Id,
    Label,
    MoneyPublic,
    Name,
    Note,
    NotNull,
    Percent,
    Quantity,
    Year,
)
from unionsync.core.validation import MAX_ID

ProgramCode = Label
UnitText = Label
Okpd2Text = Label
Position = Annotated[int, Field(ge=1, le=MAX_ID)]


class _Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CountryPublic(_Public):
    code: str
    name_ru: str
    name_en: str
    currency: str
    union_state: bool
    eaeu_member: bool


class IndustryPublic(_Public):
    id: int
    code: str
    name_ru: str
    name_en: str


class OrganizationPublic(_Public):
    id: int
    kind: OrganizationKind
    name: str
    short_name: str | None
    name_en: str | None
    country_code: str
    tax_id: str | None
    region: str | None
    industry_id: int | None


class ProgramBase(BaseModel):
    country_code: str = Field(pattern="^[A-Za-z]{2}$", examples=["RU"])
    industry_id: Id
    code: ProgramCode = Field(examples=["RU-MT-2024"])
    title: Name
    title_en: Name | None = None
    period_start: Year
    period_end: Year
    version: Position = 1
    status: ProgramStatus = ProgramStatus.DRAFT


class ProgramCreate(ProgramBase):
    pass


class ProgramUpdate(BaseModel):
    """Only the fields given change; a field that may not be empty cannot be set to null."""

    title: Annotated[Name | None, NotNull()] = None
    title_en: Name | None = None
    period_start: Annotated[Year | None, NotNull()] = None
    period_end: Annotated[Year | None, NotNull()] = None
    status: Annotated[ProgramStatus | None, NotNull()] = None


class ProgramPublic(_Public):
    id: int
    country_code: str
    industry_id: int
    code: str
    title: str
    title_en: str | None
    period_start: int
    period_end: int
    version: int
    status: ProgramStatus
    item_count: int = 0
    created_at: datetime
    updated_at: datetime


class DemandIn(BaseModel):
    year: Year
    quantity: Quantity
    value: Amount | None = None
    currency: Currency | None = None


class DemandPublic(_Public):
    year: int
    quantity: Decimal
    value: MoneyPublic | None


class ProgramItemCreate(BaseModel):
    position: Position | None = Field(default=None, description="Next free when omitted.")
    name_ru: Name
    name_en: Name | None = None
    tnved: CodeText | None = Field(default=None, examples=["8482 10 100 9", "из 8708"])
    unit: UnitText = Field(examples=["796", "шт"])
    target_year: Year | None = None
    import_share_pct: Percent | None = None
    note: Note | None = None
    demand: list[DemandIn] = Field(default_factory=list, max_length=101)


class ProgramItemUpdate(BaseModel):
    """Only the fields given change; a field that may not be empty cannot be set to null."""

    name_ru: Annotated[Name | None, NotNull()] = None
    name_en: Name | None = None
    tnved: CodeText | None = None
    unit: Annotated[UnitText | None, NotNull()] = None
    target_year: Year | None = None
    import_share_pct: Percent | None = None
    note: Note | None = None
    demand: Annotated[list[DemandIn] | None, NotNull()] = Field(default=None, max_length=101)


class ProgramItemPublic(_Public):
    id: int
    program_id: int
    position: int
    name_ru: str
    name_en: str | None
    tnved_raw: str | None
    tnved_code: str | None
    tnved_ex: bool
    unit_okei: str
    target_year: int | None
    import_share_pct: Decimal | None
    note: str | None
    demands: list[DemandPublic]


class CapabilityCreate(BaseModel):
    enterprise_id: Id
    product_name: Name
    product_name_en: Name | None = None
    tnved: CodeText | None = None
    okpd2: Okpd2Text | None = Field(default=None, examples=["28.15.10.120"])
    unit: UnitText
    capacity_per_year: Quantity
    available_capacity: Quantity | None = None
    price: Amount | None = None
    currency: Currency | None = None
    localisation_pct: Percent | None = None
    note: Note | None = None


class CapabilityUpdate(BaseModel):
    """Only the fields given change; a field that may not be empty cannot be set to null."""

    product_name: Annotated[Name | None, NotNull()] = None
    product_name_en: Name | None = None
    tnved: CodeText | None = None
    okpd2: Okpd2Text | None = None
    unit: Annotated[UnitText | None, NotNull()] = None
    capacity_per_year: Annotated[Quantity | None, NotNull()] = None
    available_capacity: Quantity | None = None
    price: Amount | None = None
    currency: Currency | None = None
    localisation_pct: Percent | None = None
    note: Note | None = None


class CapabilityPublic(_Public):
    id: int
    enterprise_id: int
    product_name: str
    product_name_en: str | None
    tnved_raw: str | None
    tnved_code: str | None
    okpd2_code: str | None
    unit_okei: str
    capacity_per_year: Decimal
    available_capacity: Decimal | None
    price: MoneyPublic | None
    localisation_pct: Decimal | None
    note: str | None
