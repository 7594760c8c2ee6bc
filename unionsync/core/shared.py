"""Results the pages show, computed once per version of their inputs and shared by workers.

The overview and the synchronisation pages need an allocation solved over every item and
capability: seconds of work, while the inputs change a few times an hour. So a result is kept
in the database (`shared_result`), stamped with the version of the inputs it was computed from
(a digest of a cheap query), and read by every worker process:

- fresh (same version): read, unpickled once per process and kept in memory;
- stale: one worker claims the recomputation (single flight, an atomic UPDATE on the row) and
  the others serve the stale result meanwhile instead of computing it too; without any result
  they wait for the claimant (bounded), then compute themselves;
- a change to the inputs enqueues a refresh job (`after_commit` of the session that made it),
  so the recomputation normally happens in the worker before anyone asks;
- a result the refresh job computes (`background=True`) is never computed in a request when a
  job worker is there (`on_missing` set): a stale one is served while the job runs, and
  without any the request is answered at once with `ResultPendingError` (503, "being computed")
  instead of holding a connection and a worker for the minutes an allocation over 10^5
  items takes.

The version of the inputs is a counter per group of inputs (`data_version`), raised in the
transaction that changes them, just before it commits: reading it is one primary-key lookup
however many rows there are, and a change that cannot alter a result (a note, a timestamp)
does not raise it, so it costs no recomputation.

Payloads are pickles signed with the installation's secret (HMAC-SHA-256): someone who can
write the database cannot make the server unpickle what they wrote.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import pickle
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    LargeBinary,
    String,
    create_engine,
    event,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Mapped, Session, mapped_column

from unionsync.core.errors import ResultPendingError
from unionsync.db.base import Base
from unionsync.db.types import UtcDateTime

log = logging.getLogger(__name__)
T = TypeVar("T")
CLAIM = timedelta(minutes=5)  # a claim older than this is taken to be abandoned
WAIT_SECONDS = 20.0  # how long a worker without any result waits for the claimant
CHANGED_KEY = "shared_inputs_changed"
ASK_EVERY = 2.0  # seconds between two requests of this process asking the job for a refresh
KNOWN = b""  # a row's payload not fetched: this process holds that version in memory


class DataVersion(Base):
    """How many committed transactions have changed one group of inputs (see `WATCHED`)."""

    __tablename__ = "data_version"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class SharedResult(Base):
    """One computed result, the version of the inputs it is for, and who is recomputing it."""

    __tablename__ = "shared_result"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    computed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


def version_of(parts: object) -> str:
    """A short stamp of the inputs' state (counts, maxima, timestamps)."""
    text = json.dumps(parts, default=str, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class _Row:
    version: str
    payload: bytes | None
    computed_at: datetime | None
    claimed_at: datetime | None


class SharedResults:
    """The results of one installation: the database table plus this process's memory.

    `max_stale`: for how many seconds after a change a worker serves the previous result
    instead of computing the new one itself (the refresh job normally has it by then); 0
    computes on every change (tests, and installations without a job worker).
    """

    def __init__(self, engine: Engine, secret: str, max_stale: float = 10.0) -> None:
        self.max_stale = max_stale
        self.engine = engine
        # on SQLite, connections of their own that never wait long behind a request's writes
        # (a request holding the write lock would otherwise stall on its own claim)
        self.own = (
            create_engine(engine.url, connect_args={"timeout": 0.25, "check_same_thread": False})
            if engine.dialect.name == "sqlite"
            else engine
        )
        self.secret = hashlib.sha256(b"unionsync-shared:" + secret.encode()).digest()
        self.memo: dict[str, tuple[str, Any]] = {}
        self.locks: dict[str, threading.Lock] = {}
        self.guard = threading.Lock()
        # queues the refresh job (the application sets it); without it requests compute
        self.on_missing: Callable[[], None] | None = None
        self._asked_at = float("-inf")

    # --- payloads --------------------------------------------------------------------------

    def _pack(self, value: object) -> bytes:
        body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        return hmac.new(self.secret, body, hashlib.sha256).digest() + body

    def _unpack(self, payload: bytes) -> Any:
        seal, body = payload[:32], payload[32:]
        if not hmac.compare_digest(seal, hmac.new(self.secret, body, hashlib.sha256).digest()):
            raise ValueError("a shared result's seal does not match")
        return pickle.loads(body)

    # --- the protocol ----------------------------------------------------------------------

    def get(
        self, key: str, version: str, compute: Callable[[], T], *, background: bool = False
    ) -> T:
        """The result of `compute` for `version`, computed by at most one worker at a time;
        meanwhile (or for `max_stale` seconds after a change, while the refresh job runs)
        the last result is served. `background`: the refresh job computes this key, so with
        a job worker a request never does (see `_from_job`)."""
        remembered = self.memo.get(key)
        if remembered is not None and remembered[0] == version:
            return remembered[1]  # type: ignore[no-any-return]
        if background and self.on_missing is not None and self.max_stale > 0:
            return self._from_job(key, version)  # type: ignore[no-any-return]
        with self.guard:
            lock = self.locks.setdefault(key, threading.Lock())
        with lock:  # one thread of this process at a time per key
            deadline = time.monotonic() + WAIT_SECONDS
            while True:
                row = self._read(key)
                if row is not None and row.version == version and row.payload is not None:
                    fresh: T = self._value(key, row)
                    return fresh
                if row is not None and row.payload is not None and self._may_serve_stale(row):
                    stale: T = self._value(key, row)
                    return stale
                if self._claim(key) or time.monotonic() > deadline:
                    return self._compute(key, version, compute)
                if row is not None and row.payload is not None:  # another worker is on it
                    previous: T = self._value(key, row)
                    return previous
                time.sleep(0.1)

    def _from_job(self, key: str, version: str) -> Any:
        """The stored result, current or not, with a refresh asked for when it is not current
        and nobody is computing it; `ResultPendingError` when there is none yet."""
        row = self._read(key)
        computing = (
            row is not None
            and row.claimed_at is not None
            and datetime.now(UTC) - row.claimed_at < CLAIM
        )
        if row is not None and row.payload is not None:
            if row.version != version and not computing:
                self._ask()
            return self._value(key, row)
        if not computing:
            self._ask()
        raise ResultPendingError(key)

    def _ask(self) -> None:
        """Queue the refresh job, at most every `ASK_EVERY` seconds from this process (the
        queue itself keeps at most one waiting)."""
        now = time.monotonic()
        if self.on_missing is None or now - self._asked_at < ASK_EVERY:
            return
        self._asked_at = now
        try:
            self.on_missing()
        except Exception:  # the page still answers; the next request asks again
            log.exception("could not queue the refresh of shared results")

    def refresh(self, key: str, version: str, compute: Callable[[], T]) -> T:
        """Compute now (the refresh job), unless the stored result is already for `version`."""
        row = self._read(key)
        if row is not None and row.version == version and row.payload is not None:
            stored: T = self._value(key, row)
            return stored
        self._claim(key, force=True)
        return self._compute(key, version, compute)

    def _compute(self, key: str, version: str, compute: Callable[[], T]) -> T:
        """Compute and store under the claim; a failure gives the claim back, so that the
        next request or job tries again instead of everyone waiting for a dead claim."""
        try:
            value = compute()
        except BaseException:
            self._release(key)
            raise
        self._store(key, version, value)
        return self._remember(key, version, value)

    def _release(self, key: str) -> None:
        try:
            with self._connect() as connection, connection.begin():
                connection.execute(
                    update(SharedResult).where(SharedResult.key == key).values(claimed_at=None)
                )
        except OperationalError:  # the claim then lapses after CLAIM
            log.info("claim of shared result %s not released (database busy)", key)

    def refreshing(self) -> _Refreshing:
        """This store as the refresh job uses it: `get` computes whatever is not current."""
        return _Refreshing(self)

    def _may_serve_stale(self, row: _Row) -> bool:
        now = datetime.now(UTC)
        if row.claimed_at is not None and now - row.claimed_at < CLAIM:
            return True  # someone is computing the current version
        return row.computed_at is not None and (now - row.computed_at).total_seconds() < (
            self.max_stale
        )

    def _value(self, key: str, row: _Row) -> Any:
        """The stored result, unpickled once per process and version."""
        remembered = self.memo.get(key)
        if remembered is not None and remembered[0] == row.version:
            return remembered[1]
        payload = row.payload
        if payload is KNOWN:  # this process held the version a moment ago: read it again
            fresh = self._read(key)
            if fresh is None or fresh.payload is None or fresh.payload is KNOWN:
                raise ValueError(f"shared result {key} vanished while being read")
            return self._value(key, fresh)
        assert payload is not None
        return self._remember(key, row.version, self._unpack(payload))

    def _remember(self, key: str, version: str, value: T) -> T:
        self.memo[key] = (version, value)
        return value

    def _connect(self) -> Connection:
        return self.own.connect()

    def _read(self, key: str) -> _Row | None:
        """The row's state; its payload (tens of MB at 10^5 items) is fetched and checked only
        when this process does not hold that version already."""
        query = select(
            SharedResult.version,
            SharedResult.payload.is_not(None),
            SharedResult.computed_at,
            SharedResult.claimed_at,
        ).where(SharedResult.key == key)
        try:
            with self._connect() as connection:
                row = connection.execute(query).first()
                if row is None:
                    return None
                version, present, computed_at, claimed_at = row
                remembered = self.memo.get(key)
                if present and remembered is not None and remembered[0] == version:
                    return _Row(version, KNOWN, computed_at, claimed_at)
                payload = (
                    connection.execute(
                        select(SharedResult.payload).where(
                            SharedResult.key == key, SharedResult.version == version
                        )
                    ).scalar()
                    if present
                    else None
                )
        except OperationalError:
            return None
        found = _Row(version, payload, computed_at, claimed_at)
        if found.payload is not None and not self._sealed(found.payload):
            # written with another secret (a restored backup, a new data folder) or by someone
            # without it: never unpickled, taken as absent, so it is computed and overwritten
            log.warning("shared result %s has a seal that does not match; recomputing", key)
            return _Row("", None, None, found.claimed_at)
        return found

    def _sealed(self, payload: bytes) -> bool:
        seal, body = payload[:32], payload[32:]
        return hmac.compare_digest(seal, hmac.new(self.secret, body, hashlib.sha256).digest())

    def _claim(self, key: str, force: bool = False) -> bool:
        """Whether this worker now holds the recomputation of `key` (an atomic UPDATE)."""
        now = datetime.now(UTC)
        try:
            with self._connect() as connection, connection.begin():
                try:
                    with connection.begin_nested():
                        connection.execute(
                            insert(SharedResult).values(key=key, version="", claimed_at=now)
                        )
                    return True
                except IntegrityError:
                    pass
                stmt = update(SharedResult).where(SharedResult.key == key).values(claimed_at=now)
                if not force:
                    stmt = stmt.where(
                        (SharedResult.claimed_at.is_(None))
                        | (SharedResult.claimed_at < now - CLAIM)
                    )
                return bool(connection.execute(stmt).rowcount == 1)
        except OperationalError:  # SQLite busy: compute without the claim
            return True

    def _store(self, key: str, version: str, value: object) -> None:
        values = {
            "version": version,
            "payload": self._pack(value),
            "computed_at": datetime.now(UTC),
            "claimed_at": None,
        }
        try:
            with self._connect() as connection, connection.begin():
                done = connection.execute(
                    update(SharedResult).where(SharedResult.key == key).values(**values)
                ).rowcount
                if not done:
                    connection.execute(insert(SharedResult).values(key=key, **values))
        except (OperationalError, IntegrityError):  # busy: the next request or job stores it
            log.info("shared result %s not stored this time (database busy)", key)


class _Refreshing:
    """A `SharedResults` whose `get` recomputes every result that is not current."""

    def __init__(self, shared: SharedResults) -> None:
        self.shared = shared

    def get(
        self, key: str, version: str, compute: Callable[[], T], *, background: bool = False
    ) -> T:
        return self.shared.refresh(key, version, compute)


# --- knowing when inputs change --------------------------------------------------------------

# per model, the group of inputs its rows belong to ("coverage", "trade"); the jobs module
# fills it with what the shared results are computed from
WATCHED: dict[type, str] = {}
# columns whose change alone alters no shared result
IRRELEVANT_FIELDS = frozenset({"note", "created_at", "updated_at", "last_used_at"})
# per database URL: what to call after a commit that changed them (the app queues a refresh)
ON_CHANGE: dict[str, Callable[[], None]] = {}


def data_version(session: Session, group: str) -> int:
    """The version of one group of inputs: one primary-key read."""
    return int(session.scalar(select(DataVersion.n).where(DataVersion.key == group)) or 0)


def mark_changed(session: Session, *groups: str) -> None:
    """For writes that bypass the unit of work (bulk statements): these groups of inputs
    (all of them when none is named) changed in this transaction."""
    changed: set[str] = session.info.setdefault(CHANGED_KEY, set())
    changed.update(groups or set(WATCHED.values()))


def _relevant(obj: object) -> bool:
    """Whether a changed row may alter a result: any change but one to irrelevant columns."""
    state = inspect(obj)
    return any(
        attr.history.has_changes()
        for attr in state.attrs
        if attr.key not in IRRELEVANT_FIELDS and attr.key in state.mapper.column_attrs
    )


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _context: object) -> None:
    groups = {
        WATCHED[type(obj)] for obj in (*session.new, *session.deleted) if type(obj) in WATCHED
    }
    groups.update(
        WATCHED[type(obj)]
        for obj in session.dirty
        if type(obj) in WATCHED and WATCHED[type(obj)] not in groups and _relevant(obj)
    )
    if groups:
        mark_changed(session, *groups)


@event.listens_for(Session, "before_commit")
def _raise_versions(session: Session) -> None:
    """Raise the changed groups' counters last in the transaction, so that the row lock a
    counter takes on PostgreSQL is held only while the transaction commits."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    changed = session.info.get(CHANGED_KEY)
    if not changed:
        return
    for group in sorted(changed):  # one order, so that two committers never deadlock
        raised = session.execute(
            update(DataVersion).where(DataVersion.key == group).values(n=DataVersion.n + 1)
        )
        if not raised.rowcount:  # type: ignore[attr-defined]
            # the migration creates each group's row; one deleted by hand comes back
            session.execute(insert(DataVersion).values(key=group, n=1))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if not session.info.pop(CHANGED_KEY, None):
        return
    bind = session.get_bind()
    callback = ON_CHANGE.get(str(bind.engine.url))
    if callback is None:
        return
    try:
        callback()
    except Exception:  # a refresh that cannot be queued must not fail the commit
        log.exception("could not queue the refresh of shared results")


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(CHANGED_KEY, None)
