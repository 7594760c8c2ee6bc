"""Codes of the classifiers (TN VED EAEU, HS, OKPD2) with their names and validity dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

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
