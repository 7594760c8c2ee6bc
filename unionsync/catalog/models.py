"""Organizations, programs with their items and yearly demand, and enterprise capabilities."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from unionsync.catalog.taxid import validate_tax_id
from unionsync.core.money import Currency, Money
from unionsync.db.base import Base, Timestamped, str_enum
from unionsync.db.types import ScaledDecimal
from unionsync.reference.models import Country, Industry


class OrganizationKind(StrEnum):
    MINISTRY = "ministry"
    COMMITTEE = "committee"
    ENTERPRISE = "enterprise"
    BANK = "bank"


class ProgramStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    IN_FORCE = "in_force"
    ARCHIVED = "archived"


class Organization(Timestamped, Base):
    """A ministry, the Standing Committee, an enterprise or a bank, with its tax id."""

    __tablename__ = "organization"
    __table_args__ = (UniqueConstraint("country_code", "tax_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrganizationKind] = mapped_column(str_enum(OrganizationKind, 16), index=True)
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str | None] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(300))
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"), index=True)
    tax_id: Mapped[str | None] = mapped_column(String(12))
    region: Mapped[str | None] = mapped_column(String(120))
    industry_id: Mapped[int | None] = mapped_column(ForeignKey("industry.id"))

    country: Mapped[Country] = relationship()
    industry: Mapped[Industry | None] = relationship()
    capabilities: Mapped[list[Capability]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan", order_by="Capability.id"
    )

    @validates("tax_id")
    def _valid_tax_id(self, _key: str, value: str | None) -> str | None:
        """INN check digits for Russia, 9 digits for Belarus, whatever path writes it."""
        if value is not None and self.country_code:
            return validate_tax_id(self.country_code, value)
        return value

    @validates("country_code")
    def _valid_for_country(self, _key: str, value: str) -> str:
        if self.tax_id is not None:
            validate_tax_id(value, self.tax_id)
        return value


class Program(Timestamped, Base):
    """One country's industry import-substitution program (отраслевой план), in one version."""

    __tablename__ = "program"
    __table_args__ = (UniqueConstraint("country_code", "code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"), index=True)
    industry_id: Mapped[int] = mapped_column(ForeignKey("industry.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(500))
    title_en: Mapped[str | None] = mapped_column(String(500))
    period_start: Mapped[int] = mapped_column(Integer)
    period_end: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[ProgramStatus] = mapped_column(
        str_enum(ProgramStatus, 16), default=ProgramStatus.DRAFT
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))

    country: Mapped[Country] = relationship()
    industry: Mapped[Industry] = relationship()
    owner: Mapped[Organization | None] = relationship()
    items: Mapped[list[ProgramItem]] = relationship(
        back_populates="program", cascade="all, delete-orphan", order_by="ProgramItem.position"
    )


class ProgramItem(Timestamped, Base):
    """A good the program plans to stop importing: its code, unit, yearly demand, target year."""

    __tablename__ = "program_item"
    __table_args__ = (UniqueConstraint("program_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name_ru: Mapped[str] = mapped_column(String(500))
    name_en: Mapped[str | None] = mapped_column(String(500))
    tnved_raw: Mapped[str | None] = mapped_column(String(60))
    tnved_code: Mapped[str | None] = mapped_column(String(10), index=True)
    tnved_ex: Mapped[bool] = mapped_column(default=False)
    unit_okei: Mapped[str] = mapped_column(String(3))
    target_year: Mapped[int | None] = mapped_column(Integer)
    import_share_pct: Mapped[Decimal | None] = mapped_column(ScaledDecimal(2, 7))
    note: Mapped[str | None] = mapped_column(Text)

    program: Mapped[Program] = relationship(back_populates="items")
    demands: Mapped[list[ProgramItemDemand]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="ProgramItemDemand.year"
    )


class ProgramItemDemand(Base):
    """Demand for an item in one year: quantity in the item's unit and value in a currency."""

    __tablename__ = "program_item_demand"
    __table_args__ = (UniqueConstraint("item_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("program_item.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[Decimal] = mapped_column(ScaledDecimal(3))
    value_amount: Mapped[Decimal | None] = mapped_column(ScaledDecimal(2))
    value_currency: Mapped[Currency | None] = mapped_column(str_enum(Currency, 3))

    item: Mapped[ProgramItem] = relationship(back_populates="demands")

    @property
    def value(self) -> Money | None:
        if self.value_amount is None or self.value_currency is None:
            return None
        return Money(self.value_amount, self.value_currency)


class Capability(Timestamped, Base):
    """What an enterprise makes and how much: the supply side of synchronisation."""

    __tablename__ = "capability"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    product_name: Mapped[str] = mapped_column(String(500))
    product_name_en: Mapped[str | None] = mapped_column(String(500))
    tnved_raw: Mapped[str | None] = mapped_column(String(60))
    tnved_code: Mapped[str | None] = mapped_column(String(10), index=True)
    okpd2_code: Mapped[str | None] = mapped_column(String(12))
    unit_okei: Mapped[str] = mapped_column(String(3))
    capacity_per_year: Mapped[Decimal] = mapped_column(ScaledDecimal(3))
    available_capacity: Mapped[Decimal | None] = mapped_column(ScaledDecimal(3))
    price_amount: Mapped[Decimal | None] = mapped_column(ScaledDecimal(2))
    price_currency: Mapped[Currency | None] = mapped_column(str_enum(Currency, 3))
    localisation_pct: Mapped[Decimal | None] = mapped_column(ScaledDecimal(2, 7))
    note: Mapped[str | None] = mapped_column(Text)

    enterprise: Mapped[Organization] = relationship(back_populates="capabilities")

    @property
    def price(self) -> Money | None:
        if self.price_amount is None or self.price_currency is None:
            return None
        return Money(self.price_amount, self.price_currency)
