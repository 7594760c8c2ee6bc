"""Sign-in, sessions, tokens, CSRF, rate limits and headers, through the real application."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tests.conftest import csrf_of, issue_demo_token, make_settings, sign_in
from unionsync.access.models import ApiToken, AuditEntry, WebSession
from unionsync.app import create_app
from unionsync.db.session import make_engine, make_session_factory, transaction


def anonymous(tmp_path: Path, url: str, **settings: object) -> TestClient:
    app = create_app(make_settings(tmp_path, url).model_copy(update=settings))
    return TestClient(app, follow_redirects=False)


def login_form_token(client: TestClient) -> str:
    return csrf_of(client, "/login")


def attempt(client: TestClient, username: str, password: str) -> int:
    token = login_form_token(client)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    ).status_code


def test_anonymous_pages_go_to_sign_in_and_the_api_answers_401(tmp_path, demo_url):
    client = anonymous(tmp_path, demo_url)
    page = client.get("/programs?country=BY")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/programs%3Fcountry%3DBY"
    api = client.get("/api/v1/programs")
    assert api.status_code == 401
    assert api.headers["www-authenticate"].startswith("Bearer")
    assert api.headers["content-type"] == "application/problem+json"


def test_demo_users_are_listed_only_on_a_demo_database(tmp_path, demo_url, empty_client):
    assert "by-editor" in anonymous(tmp_path, demo_url).get("/login").text
    empty_client.post("/logout", data={"csrf_token": csrf_of(empty_client, "/")})
    assert "by-editor" not in empty_client.get("/login").text


def test_wrong_password_and_unknown_user_get_the_same_answer(tmp_path, demo_url):
    client = anonymous(tmp_path, demo_url)
    wrong = client.post(
        "/login",
        data={"username": "by-editor", "password": "nope", "csrf_token": login_form_token(client)},
    )
    unknown = client.post(
        "/login",
        data={"username": "nobody", "password": "nope", "csrf_token": login_form_token(client)},
    )
    assert wrong.status_code == unknown.status_code == 401
    assert "Неверное имя пользователя или пароль" in wrong.text
    alert = re.compile(r'role="alert">([^<]*)<')
    assert alert.findall(wrong.text) == alert.findall(unknown.text) != []


def test_sign_in_then_out_is_audited_and_ends_the_session(tmp_path, demo_url):
    client = anonymous(tmp_path, demo_url)
    sign_in(client, "ru-approver")
    assert client.get("/programs").status_code == 200
    cookie = client.cookies.get("us_session")
    assert client.cookies.get("us_session") and cookie.startswith("uss_")
    client.post("/logout", data={"csrf_token": csrf_of(client, "/programs")})
    client.cookies.set("us_session", cookie)  # a stolen copy of the old cookie
    assert client.get("/programs").status_code == 303
    engine = make_engine(demo_url)
    with transaction(make_session_factory(engine)) as s:
        actions = s.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.actor == "ru-approver")
            .order_by(AuditEntry.seq)
        ).all()
    engine.dispose()
    assert actions[-2:] == ["sign_in", "sign_out"]


def _post(client: TestClient, username: str, password: str, address: str | None = None):
    headers = {"X-Forwarded-For": address} if address else {}
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": login_form_token(client)},
        headers=headers,
    )


def test_sign_in_failures_are_limited_per_account_and_address_with_retry_after(tmp_path, demo_url):
    client = anonymous(tmp_path, demo_url, sign_in_failures_per_account_and_address=3)
    assert [attempt(client, "by-editor", "bad") for _ in range(3)] == [401, 401, 401]
    blocked = _post(client, "by-editor", "demo")
    assert blocked.status_code == 429
    assert "Слишком много попыток входа" in blocked.text
    assert 1 <= int(blocked.headers["Retry-After"]) <= 600


def test_a_stranger_cannot_lock_out_the_right_password_from_another_address(tmp_path, demo_url):
    """Failures from one address do not refuse the account elsewhere; successes do not count;
    the counts live in the database, so a second worker process sees them too."""
    settings = {"sign_in_failures_per_account_and_address": 3, "trusted_proxies": ["testclient"]}
    attacker = anonymous(tmp_path, demo_url, **settings)
    assert [_post(attacker, "by-editor", "bad", "203.0.113.9").status_code for _ in range(3)] == [
        401
    ] * 3
    assert _post(attacker, "by-editor", "demo", "203.0.113.9").status_code == 429
    other_worker = anonymous(tmp_path / "w2", demo_url, **settings)
    assert _post(other_worker, "by-editor", "bad", "203.0.113.9").status_code == 429
    assert _post(other_worker, "by-editor", "demo", "198.51.100.7").status_code == 303
    owner = anonymous(tmp_path / "w3", demo_url, **settings)
    for _ in range(5):  # successes never count
        assert _post(owner, "ru-editor", "demo", "198.51.100.7").status_code == 303


def test_forwarded_addresses_are_believed_only_from_configured_proxies(tmp_path, demo_url):
    for trusted, expected in (([], "testclient"), (["testclient"], "192.0.2.44")):
        client = anonymous(tmp_path / str(len(trusted)), demo_url, trusted_proxies=trusted)
        assert _post(client, "union-viewer", "demo", "192.0.2.44").status_code == 303
        engine = make_engine(demo_url)
        with transaction(make_session_factory(engine)) as s:
            address = s.scalars(
                select(AuditEntry.address)
                .where(AuditEntry.action == "sign_in")
                .order_by(AuditEntry.seq.desc())
            ).first()
        engine.dispose()
        assert address == expected


def test_forms_without_a_valid_csrf_token_are_refused(client: TestClient):
    csv = ("files", ("p.csv", b"x", "text/csv"))
    missing = client.post("/upload", data={"kind": "programs"}, files=[csv])
    forged = client.post("/upload", data={"kind": "programs", "csrf_token": "abc.def"}, files=[csv])
    assert missing.status_code == forged.status_code == 403
    assert "Доступ запрещён" in missing.text


def test_every_post_form_on_the_pages_carries_a_csrf_token(client: TestClient):
    for path in ("/", "/upload", "/programs", "/audit"):
        page = client.get(path).text
        forms = page.count('method="post"')
        assert forms >= 1 and page.count('name="csrf_token"') >= forms, path


def test_api_tokens_expire_and_can_be_revoked(tmp_path, demo_url):
    token = issue_demo_token(demo_url, "ru-editor")
    client = anonymous(tmp_path, demo_url)
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=auth).json()["username"] == "ru-editor"
    mine = client.get("/api/v1/me/tokens", headers=auth).json()
    assert "token_hash" not in mine[0] and mine[0]["prefix"] == token[:10]
    engine = make_engine(demo_url)
    with transaction(make_session_factory(engine)) as s:
        s.execute(update(ApiToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert client.get("/api/v1/me", headers=auth).status_code == 401
    second = issue_demo_token(demo_url, "ru-editor")
    auth = {"Authorization": f"Bearer {second}"}
    own = next(
        t
        for t in client.get("/api/v1/me/tokens", headers=auth).json()
        if t["prefix"] == second[:10]
    )
    assert client.delete(f"/api/v1/me/tokens/{own['id']}", headers=auth).status_code == 200
    assert client.get("/api/v1/me", headers=auth).status_code == 401
    engine.dispose()


def test_idle_sessions_end(tmp_path, demo_url):
    client = anonymous(tmp_path, demo_url, session_idle_minutes=5)
    sign_in(client, "by-approver")
    engine = make_engine(demo_url)
    with transaction(make_session_factory(engine)) as s:
        s.execute(update(WebSession).values(last_seen_at=datetime.now(UTC) - timedelta(hours=1)))
    engine.dispose()
    assert client.get("/programs").status_code == 303


def test_the_api_ignores_session_cookies(tmp_path, demo_url):
    client = anonymous(tmp_path, demo_url)
    sign_in(client, "by-editor")
    assert client.get("/programs").status_code == 200
    assert client.get("/api/v1/programs").status_code == 401


def test_security_headers_are_on_every_response(client: TestClient):
    for path in ("/", "/api/v1/programs", "/login", "/static/css/app.css"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "'unsafe-inline'" not in headers["content-security-policy"].split(";")[1]
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_the_public_overview_is_off_by_default_and_can_be_switched_on(tmp_path, demo_url):
    assert anonymous(tmp_path, demo_url).get("/").status_code == 303
    public = anonymous(tmp_path, demo_url, public_dashboard=True)
    page = public.get("/")
    assert page.status_code == 200 and "Импортозамещение в Союзном государстве" in page.text
    assert public.get("/programs").status_code == 303


def test_api_docs_are_served_without_a_cdn(client: TestClient):
    page = client.get("/api/docs").text
    assert "/static/vendor/swagger-ui-bundle.js" in page and "http" not in page.split("<body>")[1]
    assert client.get("/static/vendor/swagger-ui-bundle.js").status_code == 200
