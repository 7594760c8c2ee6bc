"""Shared fixtures: databases on SQLite (always) and PostgreSQL (when configured), the demo, an app.

Every test that takes `session` runs once per backend inside a transaction that is rolled back.
PostgreSQL runs when UNIONSYNC_TEST_POSTGRES_URL is set; in CI (CI=true) it must be set.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, make_url, select, text
from sqlalchemy.orm import Session

from unionsync.access.models import Role, Side
from unionsync.access.policy import SYSTEM
from unionsync.access.service import create_user, issue_token
from unionsync.app import create_app
from unionsync.config import Settings
from unionsync.db.bootstrap import init_database
from unionsync.db.session import make_engine, make_session_factory, transaction
from unionsync.demo.loader import load_demo
from unionsync.reference.models import Industry

PG_ENV = "UNIONSYNC_TEST_POSTGRES_URL"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def postgres_url() -> str | None:
    """The test PostgreSQL URL; in CI its absence is an error, not a skip."""
    url = os.environ.get(PG_ENV)
    if not url and os.environ.get("CI"):
        pytest.fail(f"{PG_ENV} must be set in CI: the PostgreSQL tests may not be skipped")
    return url


def require_postgres() -> str:
    url = postgres_url()
    if not url:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (set by .ci/run)")
    return url


def reset_postgres(url: str) -> None:
    """An empty public schema, so migrations start from nothing."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def scratch_postgres(suffix: str) -> Iterator[str]:
    """A throw-away database beside the test one, so the shared test schema is left alone."""
    url = make_url(require_postgres())
    name = f"{url.database}_{suffix}"
    admin = make_engine(url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _ready_database(url: str) -> Engine:
    engine = make_engine(url)
    init_database(url, make_session_factory(engine))
    return engine


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("sqlite") / "test.db"
    engine = _ready_database(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    url = require_postgres()
    reset_postgres(url)
    engine = _ready_database(url)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    """A migrated database on each backend in turn."""
    name = "sqlite_engine" if request.param == "sqlite" else "postgres_engine"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, expire_on_commit=False)
    yield session
    session.close()
    outer.rollback()
    connection.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the demo loaded, built once and copied by tests that change it."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    engine = _ready_database(f"sqlite:///{path}")
    with transaction(make_session_factory(engine)) as s:
        load_demo(s)
    engine.dispose()
    return path


@pytest.fixture
def demo_url(demo_template: Path, tmp_path: Path) -> str:
    """A private copy of the demo database for one test."""
    target = tmp_path / "demo.db"
    shutil.copy(demo_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def demo_session(demo_url: str) -> Iterator[Session]:
    engine = make_engine(demo_url)
    with make_session_factory(engine)() as s:
        yield s
    engine.dispose()


def make_settings(tmp_path: Path, url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=url,
        secret_key="test-secret",
        jobs_in_process=False,  # tests carry out queued jobs themselves (app.state.jobs)
        shared_results_max_stale_seconds=0,  # pages show the data as it is after each change
    )


def issue_demo_token(url: str, username: str, days: int = 30) -> str:
    """A fresh API token for a demo user, issued by the operator."""
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as s:
        _token, secret = issue_token(s, SYSTEM, username, days)
    engine.dispose()
    return secret


def sign_in(client: TestClient, username: str, password: str = "demo") -> None:
    """Sign in through the real form (CSRF token included); the client keeps the cookies."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": token.group(1),
            "next": "/",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def csrf_of(client: TestClient, path: str = "/upload") -> str:
    """The CSRF token a page hands out to its forms."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


@pytest.fixture
def client(tmp_path: Path, demo_url: str) -> Iterator[TestClient]:
    """The application over a private copy of the demo, as `by-editor`: signed in for pages,
    with a bearer token for the API."""
    app = create_app(make_settings(tmp_path, demo_url))
    token = issue_demo_token(demo_url, "by-editor")
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as test_client:
        sign_in(test_client, "by-editor")
        yield test_client


@pytest.fixture
def empty_client(tmp_path: Path) -> Iterator[TestClient]:
    """The application over an empty (migrated) database with one UNION viewer signed in."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = _ready_database(url)
    with transaction(make_session_factory(engine)) as s:
        create_user(s, SYSTEM, "committee", "committee-password", Side.UNION, Role.VIEWER)
    engine.dispose()
    with TestClient(create_app(make_settings(tmp_path, url))) as test_client:
        sign_in(test_client, "committee", "committee-password")
        yield test_client


def seeded_industry(session: Session, code: str) -> Industry:
    """A built-in industry, seeded by `init_database` on every test database."""
    industry = session.scalar(select(Industry).where(Industry.code == code))
    assert industry is not None, code
    return industry


def shared_data(*parts: str) -> Path:
    """A file of ../shared/data, or a skip naming it (never in CI, where it must exist)."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing in CI")
        pytest.skip(f"reference data {path} is absent")
    return path
