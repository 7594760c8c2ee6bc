"""What the passport tests share: the application as each demo user."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import issue_demo_token, make_settings
from unionsync.app import create_app


@pytest.fixture
def people(tmp_path: Path, demo_url: str) -> Iterator[dict[str, TestClient]]:
    """The same application as each demo user (bearer tokens)."""
    app = create_app(make_settings(tmp_path, demo_url))
    clients = {}
    for name in ("by-editor", "ru-editor", "by-approver", "ru-approver", "union-viewer"):
        token = issue_demo_token(demo_url, name)
        clients[name] = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    with clients["by-editor"]:
        yield clients
