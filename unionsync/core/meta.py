"""Key/value facts about the database itself (e.g. that it holds the demo data set)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from unionsync.db.base import Base

DEMO_KEY = "demo_dataset"


class MetaEntry(Base):
    """One fact about this database."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class DemoMatchTruth(Base):
    """The demo generator's ground truth: this capability truly makes this item's product."""

    __tablename__ = "demo_match_truth"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("program_item.id", ondelete="CASCADE"), primary_key=True
    )
    capability_id: Mapped[int] = mapped_column(
        ForeignKey("capability.id", ondelete="CASCADE"), primary_key=True
    )


def get_meta(session: Session, key: str) -> str | None:
    """The stored value for `key`, if any."""
    return session.scalar(select(MetaEntry.value).where(MetaEntry.key == key))


def set_meta(session: Session, key: str, value: str) -> None:
    """Store `value` under `key`, replacing what was there."""
    entry = session.get(MetaEntry, key)
    if entry is None:
        session.add(MetaEntry(key=key, value=value))
    else:
        entry.value = value
