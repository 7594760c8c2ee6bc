"""Countries and industries: the axes every program, enterprise and flow hangs on."""

from __future__ import annotations

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from unionsync.db.base import Base


class Country(Base):
    """A country by ISO 3166 alpha-2 code; BY and RU are the Union State, others EAEU or third."""

    __tablename__ = "country"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name_ru: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    currency: Mapped[str] = mapped_column(String(3))
    union_state: Mapped[bool] = mapped_column(Boolean, default=False)
    eaeu_member: Mapped[bool] = mapped_column(Boolean, default=False)


class Industry(Base):
    """An industry the governments plan for (machine tools, pharmaceuticals, …)."""

    __tablename__ = "industry"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
