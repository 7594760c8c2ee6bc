"""One audited state change, as the workflows of calls, tenders and drawdowns make them: refused
(naming the state and what it may be done from) when the record is not in an allowed state,
else the state set, flushed, and the act recorded in the audit trail."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from unionsync.access.audit import record
from unionsync.access.policy import Principal
from unionsync.core.errors import ConflictError


def change_state(
    session: Session,
    actor: Principal,
    obj: Any,
    *,
    act: str,
    allowed: Iterable[StrEnum],
    target: StrEnum,
    noun: str,
    entity: str,
    error: type[ConflictError] = ConflictError,
    **after: object,
) -> None:
    """Move `obj` (with `status` and `id`) to `target` by `act`; audited as
    `<entity>.<act>` unless the entity names a table (`finance_drawdown` → `drawdown.<act>`)."""
    sources = list(allowed)
    if obj.status not in sources:
        raise error(
            f"cannot {act} a {noun} that is {obj.status.value} "
            f"(only from {', '.join(s.value for s in sources)})"
        )
    before = obj.status
    obj.status = target
    session.flush()
    record(
        session,
        f"{entity.rsplit('_', 1)[-1]}.{act}",
        entity,
        obj.id,
        before={"status": before.value},
        after={"status": target.value, **after},
        actor=actor,
    )
