"""Engine and session factory, created on demand from settings (never at import time)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

# Connections per process: at least the 40 threads FastAPI runs `def` handlers on, so that
# requests busy in Python (hashing a password) never leave the next one waiting for a connection
POOL = {"pool_size": 10, "max_overflow": 40, "pool_timeout": 20}


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets foreign keys on and its folder created."""
    in_memory = url.rstrip("/") in ("sqlite:", "sqlite+pysqlite:") or ":memory:" in url
    if not in_memory and "poolclass" not in kwargs:
        kwargs = {**POOL, **kwargs}
    if url.startswith("sqlite"):
        _ensure_sqlite_folder(url)
        # the web server and its job worker write from several threads: wait for a lock
        # rather than fail (SQLite's default wait is 5 s)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _ensure_sqlite_folder(url: str) -> None:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite's own lower() folds ASCII only; searches in Russian need Unicode case folding.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (pages render after it)."""
    # every model registered, with what is audited and what the shared results watch, before
    # the first session writes (a library user may not have imported the other domains)
    import unionsync.db.models  # noqa: F401

    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value
