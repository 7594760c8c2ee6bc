"""Codes of the classifiers (TN VED EAEU, HS, OKPD2) with their names and validity dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from unionsync.db.base import Base, str_enum
from unionsync.db.types import ScaledDecimal


class CodeSystem(StrEnum):
    TNVED = "tnved"
    HS = "hs"
    OKPD2 = "okpd2"


class NomenclatureCode(Base):
    """One code of one classifier, valid from one date (a new edition adds a new row; a
    superseded code keeps its end date)."""

    __tablename__ = "nomenclature_code"
    __table_args__ = (
        UniqueConstraint("system", "code", "valid_from"),
        Index("ix_nomenclature_code_system_code", "system", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    system: Mapped[CodeSystem] = mapped_column(str_enum(CodeSystem, 8))
    code: Mapped[str] = mapped_column(String(20))
    level: Mapped[int] = mapped_column(Integer)
    parent: Mapped[str | None] = mapped_column(String(20))
    name_ru: Mapped[str | None] = mapped_column(Text)
    name_en: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    edition: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(120))

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class Crosswalk(Base):
    """One correspondence between codes of two classifiers, with where it came from and how sure
    it is (1.0 for a defined one, a share of catalogue rows for a learned one)."""

    __tablename__ = "crosswalk"
    __table_args__ = (
        UniqueConstraint("from_system", "from_code", "to_system", "to_code", "source"),
        Index("ix_crosswalk_from", "from_system", "from_code"),
        Index("ix_crosswalk_to", "to_system", "to_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_system: Mapped[CodeSystem] = mapped_column(str_enum(CodeSystem, 8))
    from_code: Mapped[str] = mapped_column(String(20))
    to_system: Mapped[CodeSystem] = mapped_column(str_enum(CodeSystem, 8))
    to_code: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(120))
    confidence: Mapped[Decimal] = mapped_column(ScaledDecimal(3, 6))
    evidence: Mapped[int] = mapped_column(Integer, default=1)


class CodeList(Base):
    """A named list of TN VED codes, prefixes, ranges and «из» entries (critical products, …)."""

    __tablename__ = "code_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(8))  # the side that maintains it: BY, RU, UNION
    note: Mapped[str | None] = mapped_column(Text)

    entries: Mapped[list[CodeListEntry]] = relationship(
        back_populates="code_list", cascade="all, delete-orphan", order_by="CodeListEntry.first"
    )


class CodeListEntry(Base):
    """One line of a list: codes from `first` to `last` at one level (a single code has
    first == last); `ex` marks «из»: only part of those codes belongs."""

    __tablename__ = "code_list_entry"
    __table_args__ = (UniqueConstraint("list_id", "first", "last", "ex"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("code_list.id", ondelete="CASCADE"))
    written: Mapped[str] = mapped_column(String(120))
    first: Mapped[str] = mapped_column(String(10))
    last: Mapped[str] = mapped_column(String(10))
    ex: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)

    code_list: Mapped[CodeList] = relationship(back_populates="entries")
