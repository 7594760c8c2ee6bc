"""The demo database the benchmarks measure on: built in a temporary SQLite file, removed after."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from unionsync.db.bootstrap import init_database
from unionsync.db.session import make_engine, make_session_factory, transaction
from unionsync.demo.loader import load_demo


@contextmanager
def temporary_demo() -> Iterator[sessionmaker[Session]]:
    """A session factory over a fresh demo database (schema, then the demo data)."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        engine = make_engine(url)
        factory = make_session_factory(engine)
        init_database(url, factory)
        with transaction(factory) as session:
            load_demo(session)
        try:
            yield factory
        finally:
            engine.dispose()
