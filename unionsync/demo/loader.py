"""Loads the demo once: a second run finds the marker and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from unionsync.core.meta import DEMO_KEY, get_meta, set_meta
from unionsync.demo.generator import DEMO_VERSION, DemoBuilder, DemoCounts
from unionsync.reference.countries import ensure_countries


def load_demo(session: Session, progress: Callable[[str], None] | None = None) -> DemoCounts | None:
    """Build the demo into an initialised database; None if it is already there."""
    if get_meta(session, DEMO_KEY) is not None:
        return None
    ensure_countries(session)
    counts = DemoBuilder(session, progress=progress).build()
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    set_meta(session, DEMO_KEY, f"version {DEMO_VERSION}, loaded {stamp}")
    return counts
