"""A database that is busy answers 503 with Retry-After (the client comes back), never a 500;
other database faults stay logged 500s with the security headers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from tests.conftest import make_settings
from unionsync.app import create_app


def _raising(error: Exception) -> Callable[[], None]:
    def endpoint() -> None:
        raise error

    return endpoint


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (PoolTimeoutError("QueuePool limit of size 10 overflow 40 reached"), 503),
        (OperationalError("UPDATE x", {}, Exception("database is locked")), 503),
        (OperationalError("SELECT x", {}, Exception("no such column: y")), 500),
    ],
)
def test_busy_database_answers_503_with_retry_after(tmp_path: Path, error: Exception, status: int):
    app = create_app(make_settings(tmp_path, f"sqlite:///{tmp_path / 'busy.db'}"))
    app.add_api_route("/api/v1/test-busy", _raising(error))
    app.add_api_route("/test-busy", _raising(error))
    with TestClient(app, raise_server_exceptions=False) as client:
        api = client.get("/api/v1/test-busy")
        page = client.get("/test-busy")
    assert api.status_code == page.status_code == status
    assert api.headers["content-type"].startswith("application/problem+json")
    assert page.headers["content-type"].startswith("text/html")
    for answer in (api, page):
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert ("retry-after" in answer.headers) == (status == 503)
    assert "no such column" not in api.text + page.text  # a fault's details stay in the log
