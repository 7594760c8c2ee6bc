"""Bringing a database to a usable state: schema at head, built-in reference rows present."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from unionsync.db.migrate import upgrade
from unionsync.db.session import transaction
from unionsync.reference.countries import ensure_countries
from unionsync.reference.industries import ensure_industries


def init_database(url: str, factory: sessionmaker[Session]) -> None:
    """Migrate to head and insert the built-in countries and industries (all idempotent)."""
    upgrade(url)
    with transaction(factory) as session:
        ensure_countries(session)
        session.flush()
        ensure_industries(session)
