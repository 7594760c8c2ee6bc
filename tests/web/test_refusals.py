"""Refusals people can act on (issue 19): a refused workflow act comes back to the passport
with what to complete, in words and linked to the form; access and missing-record pages in
the reader's language; the header names the side and role in words; a gap's draft and every
passport keep capacity within the project's period."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import issue_demo_token


def _token(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


def test_submitting_an_incomplete_draft_comes_back_with_what_to_complete(client: TestClient):
    gap = client.get("/api/v1/sync").json()["gaps"][0]["item"]
    made = client.post(
        f"/passports/from-item/{gap['item_id']}",
        data={"csrf_token": _token(client, "/sync")},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    passport_id = int(url.rsplit("/", 1)[1])
    drafted = client.get(f"/api/v1/passports/{passport_id}").json()
    assert all(p["start_year"] >= drafted["period_start"] for p in drafted["products"])
    refused = client.post(
        f"{url}/acts/submit", data={"csrf_token": _token(client, url)}, follow_redirects=False
    )
    assert refused.status_code == 422
    text = refused.text
    assert 'id="act-refused"' in text and "«Представить на согласование» отклонено" in text
    alert = text.split('id="act-refused"')[1].split("</div>")[0]
    assert f'href="/passports/{passport_id}/edit#edit-' in alert
    assert "content:" not in alert and "indicators:" not in alert  # no field keys
    assert "Заполните паспорт" in alert or "заполните" in alert.lower()
    assert 'id="passport-status"' in text  # the passport itself, still a draft
    # in English the same refusal speaks English
    client.cookies.set("lang", "en")
    english = client.post(f"{url}/acts/submit", data={"csrf_token": _token(client, url)})
    assert english.status_code == 422 and "was refused; nothing changed" in english.text
    refusal = english.text.split('id="act-refused"')[1].split("</div>")[0]
    assert "Indicators: needs at least 1 row" in refusal and "Показатели" not in refusal
    client.cookies.set("lang", "ru")


def test_access_and_missing_pages_speak_the_readers_language(client: TestClient, demo_url: str):
    assert "Беларусь · редактор" in client.get("/").text.replace("</small>", "")
    missing = client.get("/passports/999999")
    assert missing.status_code == 404
    assert "Паспорт «999999»: такой записи нет" in missing.text
    nowhere = client.get("/no-such-page", headers={"referer": "http://testserver/sync"})
    assert nowhere.status_code == 404 and "Not Found" not in nowhere.text
    assert "По этому адресу нет страницы" in nowhere.text and 'href="/sync"' in nowhere.text
    # a bank's viewer opening a passport it does not finance
    listed = {
        p["id"] for p in client.get("/api/v1/passports", params={"per_page": 100}).json()["items"]
    }
    bank = {"Authorization": f"Bearer {issue_demo_token(demo_url, 'bank-viewer')}"}
    answer = client.get("/api/v1/passports", params={"per_page": 100}, headers=bank)
    theirs = {p["id"] for p in answer.json()["items"]}
    other = min(listed - theirs)
    denied = client.get(f"/passports/{other}", headers=bank)
    assert denied.status_code == 403
    assert "Учётной записи bank-viewer (банк, наблюдатель) нельзя просматривать" in denied.text
    assert "may not view" not in denied.text


def test_capacity_cannot_come_before_the_project(client: TestClient):
    passport = client.get("/api/v1/passports", params={"per_page": 100}).json()["items"]
    draft = next(p for p in passport if p["status"] == "draft")
    full = client.get(f"/api/v1/passports/{draft['id']}").json()
    content = full["content"]
    content["products"][0]["start_year"] = full["period_start"] - 1
    answer = client.patch(
        f"/api/v1/passports/{draft['id']}",
        json={"lock_version": full["lock_version"], "content": content},
    )
    assert answer.status_code == 422, answer.text
    assert "products[1].start_year" in answer.text and "before the project starts" in answer.text
