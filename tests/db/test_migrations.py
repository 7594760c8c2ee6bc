"""Migrations from an empty database to head, on SQLite and PostgreSQL, match the models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from tests.conftest import scratch_postgres
from unionsync.db.migrate import downgrade, is_initialised, upgrade
from unionsync.db.models import Base
from unionsync.db.session import make_engine


def _check_head_matches_models(url: str) -> None:
    engine = make_engine(url)
    assert not is_initialised(engine)
    upgrade(url)
    assert is_initialised(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
    tables = set(inspect(engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    downgrade(url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(url)
    engine.dispose()


def test_sqlite_migrates_from_empty_to_head_and_back(tmp_path: Path):
    _check_head_matches_models(f"sqlite:///{tmp_path / 'm.db'}")


@pytest.fixture
def scratch_postgres_url() -> Iterator[str]:
    yield from scratch_postgres("migrations")


@pytest.mark.postgres
def test_postgresql_migrates_from_empty_to_head_and_back(scratch_postgres_url: str):
    _check_head_matches_models(scratch_postgres_url)
