"""The admins' pages: the users of their side, a new user, a token shown once and revoked."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from tests.conftest import csrf_of, make_settings, sign_in
from unionsync.app import create_app


def test_an_admin_adds_a_user_issues_and_revokes_a_token(tmp_path: Path, demo_url: str):
    app = create_app(make_settings(tmp_path, demo_url))
    with TestClient(app) as admin, TestClient(app) as stranger:
        sign_in(admin, "by-admin")
        listed = admin.get("/admin/users")
        assert listed.status_code == 200 and 'id="user-by-editor"' in listed.text
        assert 'id="user-ru-editor"' not in listed.text  # another side's users are not theirs
        assert 'href="/admin/users"' in listed.text  # in the menu
        token = csrf_of(admin, "/admin/users")
        refused = admin.post(
            "/admin/users",
            data={"csrf_token": token, "username": "Плохое имя", "password": "x", "role": "viewer"},
        )
        assert refused.status_code == 422 and "Имя пользователя" in refused.text
        made = admin.post(
            "/admin/users",
            data={
                "csrf_token": token,
                "username": "by-analyst",
                "password": "a-long-first-password",
                "role": "viewer",
            },
            follow_redirects=False,
        )
        assert made.status_code == 303 and made.headers["location"] == "/admin/users/by-analyst"
        issued = admin.post(
            "/admin/users/by-analyst/tokens", data={"csrf_token": token, "days": "30"}
        )
        assert issued.status_code == 201
        secret = re.search(r'id="token-secret"[^>]*>([^<]+)<', issued.text)
        assert secret is not None
        bearer = {"Authorization": f"Bearer {secret.group(1)}"}
        assert stranger.get("/api/v1/me", headers=bearer).json()["username"] == "by-analyst"
        again = admin.get("/admin/users/by-analyst").text
        assert secret.group(1) not in again  # shown once, never again
        token_id = re.search(r'id="revoke-(\d+)"', again)
        assert token_id is not None
        admin.post(f"/admin/tokens/{token_id.group(1)}/revoke", data={"csrf_token": token})
        assert stranger.get("/api/v1/me", headers=bearer).status_code == 401
        assert "отозван" in admin.get("/admin/users/by-analyst").text


def test_only_admins_see_the_users_page(client: TestClient):
    page = client.get("/admin/users")  # by-editor
    assert page.status_code == 403
    assert 'href="/admin/users"' not in client.get("/").text
