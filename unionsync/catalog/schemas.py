"""API shapes of organizations, programs, items and capabilities (Create / Update / Public)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from unionsync.catalog.models import OrganizationKind, ProgramStatus
from unionsync.core.money import Currency
from unionsync.core.schemas import Amount, MoneyPublic, Percent, Quantity


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
    country_code: str = Field(min_length=2, max_length=2, examples=["RU"])
    industry_id: int
    code: str = Field(min_length=1, max_length=40, examples=["RU-MT-2024"])
    title: str = Field(min_length=1, max_length=500)
    title_en: str | None = None
    period_start: int = Field(ge=2000, le=2100)
    period_end: int = Field(ge=2000, le=2100)
    version: int = Field(default=1, ge=1)
    status: ProgramStatus = ProgramStatus.DRAFT


class ProgramCreate(ProgramBase):
    pass


class ProgramUpdate(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=500)
    title_en: str | None = None
    period_start: int | None = Field(default=None, ge=2000, le=2100)
    period_end: int | None = Field(default=None, ge=2000, le=2100)
    status: ProgramStatus | None = None


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
    year: int = Field(ge=2000, le=2100)
    quantity: Quantity
    value: Amount | None = None
    currency: Currency | None = None


class DemandPublic(_Public):
    year: int
    quantity: Decimal
    value: MoneyPublic | None


class ProgramItemCreate(BaseModel):
    position: int | None = Field(default=None, ge=1, description="Next free when omitted.")
    name_ru: str = Field(min_length=1, max_length=500)
    name_en: str | None = None
    tnved: str | None = Field(default=None, examples=["8482 10 100 9", "из 8708"])
    unit: str = Field(examples=["796", "шт"])
    target_year: int | None = Field(default=None, ge=2000, le=2100)
    import_share_pct: Percent | None = None
    note: str | None = None
    demand: list[DemandIn] = Field(default_factory=list)


class ProgramItemUpdate(BaseModel):
    name_ru: str | None = Field(default=None, min_length=1, max_length=500)
    name_en: str | None = None
    tnved: str | None = None
    unit: str | None = None
    target_year: int | None = Field(default=None, ge=2000, le=2100)
    import_share_pct: Percent | None = None
    note: str | None = None
    demand: list[DemandIn] | None = None


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
    enterprise_id: int
    product_name: str = Field(min_length=1, max_length=500)
    product_name_en: str | None = None
    tnved: str | None = None
    okpd2: str | None = Field(default=None, examples=["28.15.10.120"])
    unit: str
    capacity_per_year: Quantity
    available_capacity: Quantity | None = None
    price: Amount | None = None
    currency: Currency | None = None
    localisation_pct: Percent | None = None
    note: str | None = None


class CapabilityUpdate(BaseModel):
    product_name: str | None = Field(default=None, min_length=1, max_length=500)
    product_name_en: str | None = None
    tnved: str | None = None
    okpd2: str | None = None
    unit: str | None = None
    capacity_per_year: Quantity | None = None
    available_capacity: Quantity | None = None
    price: Amount | None = None
    currency: Currency | None = None
    localisation_pct: Percent | None = None
    note: str | None = None


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
