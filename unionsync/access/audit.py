"""The audit trail: every change recorded with who, when, what (before/after) and from where.

Entries form a hash chain: each `hash` is SHA-256 over the entry's content and the previous
entry's hash. `verify_chain` recomputes it and names the first entry that was edited, deleted
or moved. Database triggers (migration 0002) refuse UPDATE and DELETE on the table, so
tampering needs someone who can drop them; the chain still shows it.

Changes to audited records are captured by one SQLAlchemy `after_flush` hook, whatever path
made them (API, pages, CLI, imports). The session's `info` says who acts and from where.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Connection, event, insert, inspect, select, text
from sqlalchemy.orm import Session, UOWTransaction

from unionsync.access.models import AuditEntry, Side
from unionsync.access.policy import SYSTEM, Principal

GENESIS = "0" * 64
ACTOR_KEY = "actor"
ADDRESS_KEY = "address"
QUIET_KEY = "audit_quiet"  # a bulk system load that records one summary entry instead
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor",
    "side",
    "action",
    "entity",
    "entity_id",
    "before",
    "after",
    "address",
    "prev_hash",
)
_ADVISORY_LOCK = 7_305_342  # serialises appends on PostgreSQL so the chain stays linear


def jsonable(value: Any) -> Any:
    """A value as JSON keeps it (decimals and dates as text, enums as their value)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | float):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return str(value)


def entry_hash(fields: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of the hashed fields."""
    payload = {name: fields.get(name) for name in HASHED_FIELDS}
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Event:
    """One thing to record, before it is chained."""

    action: str
    entity: str | None = None
    entity_id: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


def actor_of(session: Session) -> Principal:
    actor = session.info.get(ACTOR_KEY)
    return actor if isinstance(actor, Principal) else SYSTEM


def append(
    connection: Connection, actor: Principal, address: str | None, events: Iterable[Event]
) -> None:
    """Chain and insert `events` after the last entry, in one statement."""
    events = list(events)
    if not events:
        return
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK})
    last = connection.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0], last[1]) if last else (0, GENESIS)
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    rows = []
    for item in events:
        seq += 1
        fields = {
            "seq": seq,
            "at": at,
            "actor_id": actor.user_id,
            "actor": actor.username,
            "side": actor.side.value if isinstance(actor.side, Side) else None,
            "action": item.action,
            "entity": item.entity,
            "entity_id": item.entity_id,
            "before": jsonable(item.before),
            "after": jsonable(item.after),
            "address": address,
            "prev_hash": prev,
        }
        prev = fields["hash"] = entry_hash(fields)
        rows.append(fields)
    connection.execute(insert(AuditEntry), rows)


def record(
    session: Session,
    action: str,
    entity: str | None = None,
    entity_id: object = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor: Principal | None = None,
) -> None:
    """Record one event now, in the session's transaction (sign-ins, approvals, summaries)."""
    append(
        session.connection(),
        actor or actor_of(session),
        session.info.get(ADDRESS_KEY),
        [Event(action, entity, None if entity_id is None else str(entity_id), before, after)],
    )


# --- automatic capture of changes --------------------------------------------------------

AUDITED: dict[type, str] = {}
EXCLUDED_FIELDS = frozenset(
    {"created_at", "updated_at", "password_hash", "token_hash", "last_used_at", "last_sign_in_at"}
)


def audited(name: str) -> Any:
    """Class decorator: changes to this mapped class are recorded under `name`."""

    def mark(cls: type) -> type:
        AUDITED[cls] = name
        return cls

    return mark


def snapshot(obj: object) -> dict[str, Any]:
    """The object's column values (secrets left out)."""
    mapper = inspect(obj).mapper
    return {
        attr.key: jsonable(getattr(obj, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in EXCLUDED_FIELDS
    }


def _before(obj: object) -> dict[str, Any]:
    state = inspect(obj)
    values = {}
    for attr in state.mapper.column_attrs:
        if attr.key in EXCLUDED_FIELDS:
            continue
        history = state.attrs[attr.key].history
        old = history.deleted[0] if history.deleted else getattr(obj, attr.key)
        values[attr.key] = jsonable(old)
    return values


def _identity(obj: object) -> str:
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return ",".join(str(part) for part in key)


def _changes(session: Session) -> list[Event]:
    events = []
    for obj in session.new:
        name = AUDITED.get(type(obj))
        if name:
            events.append(Event("create", name, _identity(obj), None, snapshot(obj)))
    for obj in session.dirty:
        name = AUDITED.get(type(obj))
        if name and session.is_modified(obj, include_collections=False):
            before, after = _before(obj), snapshot(obj)
            if before != after:
                events.append(Event("update", name, _identity(obj), before, after))
    for obj in session.deleted:
        name = AUDITED.get(type(obj))
        if name:
            events.append(Event("delete", name, _identity(obj), _before(obj), None))
    return events


@event.listens_for(Session, "after_flush")
def _record_changes(session: Session, _flush: UOWTransaction) -> None:
    if session.info.get(QUIET_KEY):
        return
    events = _changes(session)
    if events:
        append(session.connection(), actor_of(session), session.info.get(ADDRESS_KEY), events)


# --- verification ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The result of checking the whole chain."""

    entries: int
    ok: bool
    bad_seq: int | None = None
    bad_id: int | None = None
    reason: str = ""


def verify_chain(session: Session) -> ChainReport:
    """Walk the chain in order; the first broken link or mismatched hash is named."""
    expected_prev, expected_seq, count = GENESIS, 1, 0
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
    for entry in rows:
        count += 1
        fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
        problem = None
        if entry.seq != expected_seq:
            problem = f"sequence jumps from {expected_seq - 1} to {entry.seq}: entries deleted"
        elif entry.prev_hash != expected_prev:
            problem = "link to the previous entry is broken: entries deleted or reordered"
        elif entry_hash(fields) != entry.hash:
            problem = "content does not match its hash: the entry was edited"
        if problem:
            return ChainReport(count, False, entry.seq, entry.id, problem)
        expected_prev, expected_seq = entry.hash, entry.seq + 1
    return ChainReport(count, True)
