"""The countries UnionSync knows out of the box (facts, not demo data)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.reference.models import Country

# The two Union State members: each one's partner in matching and coverage
PARTNER = {"BY": "RU", "RU": "BY"}

# code, Russian name, English name, currency, Union State, EAEU
COUNTRIES: tuple[tuple[str, str, str, str, bool, bool], ...] = (
    ("BY", "Республика Беларусь", "Republic of Belarus", "BYN", True, True),
    ("RU", "Российская Федерация", "Russian Federation", "RUB", True, True),
    ("KZ", "Республика Казахстан", "Republic of Kazakhstan", "KZT", False, True),
    ("AM", "Республика Армения", "Republic of Armenia", "AMD", False, True),
    ("KG", "Кыргызская Республика", "Kyrgyz Republic", "KGS", False, True),
)


def ensure_countries(session: Session) -> int:
    """Insert the built-in countries that are missing; returns how many were added."""
    existing = set(session.scalars(select(Country.code)))
    added = 0
    for code, ru, en, currency, union, eaeu in COUNTRIES:
        if code not in existing:
            session.add(
                Country(
                    code=code,
                    name_ru=ru,
                    name_en=en,
                    currency=currency,
                    union_state=union,
                    eaeu_member=eaeu,
                )
            )
            added += 1
    session.flush()
    return added
