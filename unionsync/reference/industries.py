"""The industries the two governments plan for: built-in reference rows, like the countries.

Seeded by `init_database`, so that a program file naming an industry imports into a fresh
installation (and a restored one) without loading the demo first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.reference.models import Industry


@dataclass(frozen=True, slots=True)
class IndustryDef:
    code: str
    name_ru: str
    name_en: str


INDUSTRIES: tuple[IndustryDef, ...] = (
    IndustryDef("microelectronics", "Электронная компонентная база", "Electronic components"),
    IndustryDef("computing", "Вычислительная техника и связь", "Computing and telecom equipment"),
    IndustryDef("machine-tools", "Станкоинструментальная промышленность", "Machine tools"),
    IndustryDef(
        "machinery-parts", "Общее машиностроение: комплектующие", "General machinery components"
    ),
    IndustryDef("medical", "Медицинская промышленность", "Medical devices"),
    IndustryDef("pharma", "Фармацевтическая промышленность", "Pharmaceuticals"),
    IndustryDef(
        "automotive", "Автомобильная промышленность: автокомпоненты", "Automotive components"
    ),
    IndustryDef("agri-machinery", "Сельскохозяйственное машиностроение", "Agricultural machinery"),
    IndustryDef("chemicals", "Химическая промышленность", "Chemicals"),
    IndustryDef("electrical", "Электротехническая промышленность", "Electrical equipment"),
    IndustryDef("rail", "Транспортное машиностроение", "Rail transport engineering"),
    IndustryDef("oil-gas", "Нефтегазовое машиностроение", "Oil and gas equipment"),
    IndustryDef(
        "road-machinery", "Строительно-дорожное машиностроение", "Construction and road machinery"
    ),
    IndustryDef("power", "Энергетическое машиностроение", "Power engineering"),
    IndustryDef("light", "Лёгкая промышленность", "Light industry"),
)


def ensure_industries(session: Session) -> int:
    """Insert the built-in industries that are missing; returns how many were added."""
    existing = set(session.scalars(select(Industry.code)))
    missing = [d for d in INDUSTRIES if d.code not in existing]
    session.add_all(Industry(code=d.code, name_ru=d.name_ru, name_en=d.name_en) for d in missing)
    return len(missing)
