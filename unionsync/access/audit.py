"""The audit trail: every change recorded with who, when, what (before/after) and from where.

Entries form a chain: each `hash` is HMAC-SHA-256, under the audit key, of the entry's content
and the previous entry's hash. The key lives outside the database (`<data dir>/audit_keys/`,
see `AuditKeys`), so someone who can write the database but not read the key can neither edit
an entry and re-seal the rest, nor forge new ones. `verify_chain` recomputes the chain and names
the first entry that was edited, deleted or moved; a signed checkpoint of the head
(`checkpoint`, `verify_checkpoint`) also catches the newest entries being cut off, which a
chain alone cannot show. Entries chained before keys existed (key_id None) keep their plain
SHA-256; the first keyed entry seals them through its link. Database triggers (migration 0002)
refuse UPDATE and DELETE on the table.

Changes to audited records are captured by one SQLAlchemy `after_flush` hook, whatever path
made them (API, pages, CLI, imports). The session's `info` says who acts and from where.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
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


def _canonical(fields: dict[str, Any]) -> bytes:
    payload = {name: fields.get(name) for name in HASHED_FIELDS}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def entry_hash(fields: dict[str, Any], key: bytes | None = None) -> str:
    """HMAC-SHA-256 of the canonical JSON of the hashed fields under `key`; plain SHA-256 for
    the entries chained before keys (key None)."""
    if key is None:
        return hashlib.sha256(_canonical(fields)).hexdigest()
    return hmac.new(key, _canonical(fields), hashlib.sha256).hexdigest()


class AuditKeys:
    """The audit keys: the current one seals new entries; older ones verify older entries.

    Kept as files `<key id>.key` (hex, mode 0600) in a directory outside the database, by
    default `<data dir>/audit_keys` (`UNIONSYNC_AUDIT_KEY_DIR` overrides it); `current` names
    the key in use. `rotate` adds a key and makes it current; old keys must be kept (and backed
    up) for as long as the entries they sealed are verified.
    """

    def __init__(self) -> None:
        self.keys: dict[str, bytes] = {}
        self.current: str | None = None

    @staticmethod
    def key_id(key: bytes) -> str:
        return hashlib.sha256(b"unionsync-audit:" + key).hexdigest()[:16]

    def add(self, key: bytes, current: bool = True) -> str:
        key_id = self.key_id(key)
        self.keys[key_id] = key
        if current:
            self.current = key_id
        return key_id

    def sealing(self) -> tuple[str, bytes]:
        """The key new entries are sealed with (a process key if none was loaded: tests)."""
        if self.current is None:
            self.add(secrets.token_bytes(32))
        assert self.current is not None
        return self.current, self.keys[self.current]

    def load(self, folder: Path) -> None:
        """Every key in `folder` (one is created there if it holds none); `current` as named."""
        folder.mkdir(parents=True, exist_ok=True)
        files = sorted(folder.glob("*.key"))
        if not files:
            self.rotate(folder)
            return
        for path in files:
            self.add(bytes.fromhex(path.read_text(encoding="ascii").strip()), current=False)
        named = folder / "current"
        current = named.read_text(encoding="ascii").strip() if named.exists() else None
        self.current = (
            current
            if current in self.keys
            else self.key_id(bytes.fromhex(files[-1].read_text(encoding="ascii").strip()))
        )

    def rotate(self, folder: Path) -> str:
        """A new key, written to `folder` and made current; returns its id."""
        folder.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        key_id = self.add(key)
        path = folder / f"{key_id}.key"
        path.write_text(key.hex(), encoding="ascii")
        path.chmod(0o600)
        (folder / "current").write_text(key_id, encoding="ascii")
        return key_id


KEYS = AuditKeys()  # the process's keys, loaded by `use_audit_keys` at start-up


def audit_key_dir(data_dir: Path) -> Path:
    configured = os.environ.get("UNIONSYNC_AUDIT_KEY_DIR")
    return Path(configured) if configured else data_dir / "audit_keys"


def use_audit_keys(data_dir: Path) -> Path:
    """Load the installation's audit keys (every entrance calls this at start-up)."""
    folder = audit_key_dir(data_dir)
    KEYS.load(folder)
    return folder


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
    key_id, key = KEYS.sealing()
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
        prev = fields["hash"] = entry_hash(fields, key)
        fields["key_id"] = key_id
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
# fields that report a job's progress, not a user's act: a change to them alone is not audited
PROGRESS_FIELDS: dict[type, frozenset[str]] = {}


def _excluded(obj: object) -> frozenset[str]:
    return EXCLUDED_FIELDS | PROGRESS_FIELDS.get(type(obj), frozenset())


def audited(name: str) -> Any:
    """Class decorator: changes to this mapped class are recorded under `name`."""

    def mark(cls: type) -> type:
        AUDITED[cls] = name
        return cls

    return mark


def snapshot(obj: object) -> dict[str, Any]:
    """The object's column values (secrets left out)."""
    mapper = inspect(obj).mapper
    excluded = _excluded(obj)
    return {
        attr.key: jsonable(getattr(obj, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in excluded
    }


def _before(obj: object) -> dict[str, Any]:
    state = inspect(obj)
    excluded = _excluded(obj)
    values = {}
    for attr in state.mapper.column_attrs:
        if attr.key in excluded:
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
    """Walk the chain in order; the first broken link or mismatched seal is named."""
    expected_prev, expected_seq, count = GENESIS, 1, 0
    keyed_seen = False
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
    for entry in rows:
        count += 1
        fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
        key = KEYS.keys.get(entry.key_id) if entry.key_id else None
        problem = None
        if entry.seq != expected_seq:
            problem = f"sequence jumps from {expected_seq - 1} to {entry.seq}: entries deleted"
        elif entry.prev_hash != expected_prev:
            problem = "link to the previous entry is broken: entries deleted or reordered"
        elif entry.key_id is None and keyed_seen:
            problem = "an unkeyed entry after keyed ones: the entry was forged"
        elif entry.key_id is not None and key is None:
            problem = f"sealed with audit key {entry.key_id}, which this installation lacks"
        elif not hmac.compare_digest(entry_hash(fields, key), entry.hash):
            problem = "content does not match its seal: the entry was edited"
        if problem:
            return ChainReport(count, False, entry.seq, entry.id, problem)
        keyed_seen = keyed_seen or entry.key_id is not None
        expected_prev, expected_seq = entry.hash, entry.seq + 1
    return ChainReport(count, True)


# --- checkpoints -----------------------------------------------------------------------------


def _checkpoint_seal(key: bytes, seq: int, head: str, at: str) -> str:
    return hmac.new(key, f"checkpoint:{seq}:{head}:{at}".encode(), hashlib.sha256).hexdigest()


def checkpoint(session: Session) -> dict[str, Any]:
    """The head of the chain (sequence and hash), signed with the current audit key, to keep
    somewhere the database's administrators cannot write (a file sent to the other side, a
    printout)."""
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq, head = (last[0], last[1]) if last else (0, GENESIS)
    key_id, key = KEYS.sealing()
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "seq": seq,
        "hash": head,
        "at": at,
        "key_id": key_id,
        "signature": _checkpoint_seal(key, seq, head, at),
    }


def verify_checkpoint(session: Session, point: dict[str, Any]) -> ChainReport:
    """The chain is intact and still holds the checkpoint's entry unchanged: a cut tail (the
    entry is gone) or a rewritten chain (another hash at that sequence) is named."""
    try:
        seq, head, at = int(point["seq"]), str(point["hash"]), str(point["at"])
        key = KEYS.keys.get(str(point["key_id"]))
        signature = str(point["signature"])
    except (KeyError, TypeError, ValueError):
        return ChainReport(0, False, reason="the checkpoint file is not a UnionSync checkpoint")
    if key is None:
        return ChainReport(
            0,
            False,
            reason=f"the checkpoint was signed with audit key {point['key_id']}, "
            "which this installation lacks",
        )
    if not hmac.compare_digest(_checkpoint_seal(key, seq, head, at), signature):
        return ChainReport(0, False, reason="the checkpoint's signature does not match")
    report = verify_chain(session)
    if not report.ok:
        return report
    if seq == 0:
        return report
    stored = session.execute(select(AuditEntry.hash).where(AuditEntry.seq == seq)).scalar()
    if stored is None:
        return ChainReport(
            report.entries,
            False,
            seq,
            reason=f"entry {seq} of the checkpoint of {at} is gone: the newest entries were cut",
        )
    if stored != head:
        return ChainReport(
            report.entries,
            False,
            seq,
            reason=f"entry {seq} differs from the checkpoint of {at}: the chain was rewritten",
        )
    return report
