"""Loads the demo once: a second run finds the marker and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.access import audit
from unionsync.access.audit import QUIET_KEY
from unionsync.access.models import Role, Side
from unionsync.access.policy import SYSTEM
from unionsync.access.service import create_user
from unionsync.catalog.models import Organization, OrganizationKind
from unionsync.core.meta import DEMO_KEY, get_meta, set_meta
from unionsync.demo.finance import build_finance
from unionsync.demo.generator import DEMO_VERSION, DemoBuilder, DemoCounts
from unionsync.demo.roadmap import build_roadmap
from unionsync.demo.selection import build_selection
from unionsync.nomenclature.builtin import ensure_builtin
from unionsync.reference.countries import ensure_countries


def load_demo(session: Session, progress: Callable[[str], None] | None = None) -> DemoCounts | None:
    """Build the demo into an initialised database; None if it is already there."""
    if get_meta(session, DEMO_KEY) is not None:
        return None
    ensure_countries(session)
    session.info[QUIET_KEY] = True  # one summary entry instead of thousands
    try:
        counts = DemoBuilder(session, progress=progress).build()
        users = create_demo_users(session)
        ensure_builtin(session)
        build_selection(session, counts)
        build_finance(session, counts)
        build_roadmap(session, counts)
    finally:
        session.info.pop(QUIET_KEY, None)
    counts.add("demo users", users)
    audit.record(session, "demo_load", "demo", DEMO_VERSION, after=counts.counts, actor=SYSTEM)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    set_meta(session, DEMO_KEY, f"version {DEMO_VERSION}, loaded {stamp}")
    return counts


DEMO_PASSWORD = "demo"  # demo databases only; the sign-in page shows it there and nowhere else
DEMO_ACCOUNTS = (
    ("by-editor", Side.BY, Role.EDITOR),
    ("by-approver", Side.BY, Role.APPROVER),
    ("ru-editor", Side.RU, Role.EDITOR),
    ("ru-approver", Side.RU, Role.APPROVER),
    ("union-viewer", Side.UNION, Role.VIEWER),
    ("bank-viewer", Side.BANK, Role.VIEWER),
    ("bank-editor", Side.BANK, Role.EDITOR),  # approves and disburses the bank's drawdowns
    ("by-admin", Side.BY, Role.ADMIN),
    ("ru-admin", Side.RU, Role.ADMIN),
    # the commission of the demo's calls for executors
    ("by-expert", Side.BY, Role.VIEWER),
    ("ru-expert", Side.RU, Role.VIEWER),
    ("ru-expert-2", Side.RU, Role.VIEWER),
)


def create_demo_users(session: Session) -> int:
    """The demo users `<side>-<role>`; the bank users work for the first demo bank."""
    bank = session.scalars(
        select(Organization)
        .where(Organization.kind == OrganizationKind.BANK)
        .order_by(Organization.id)
    ).first()
    for username, side, role in DEMO_ACCOUNTS:
        create_user(
            session,
            SYSTEM,
            username,
            DEMO_PASSWORD,
            side,
            role,
            bank.id if side is Side.BANK and bank else None,
            allow_weak_password=True,
        )
    return len(DEMO_ACCOUNTS)
