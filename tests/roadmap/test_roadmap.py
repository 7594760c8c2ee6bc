"""The roadmap over the demo: derived tasks (idempotent), the baseline and what slipped, a task
shifted by hand moving the critical path and its passport's completion, cycles and plan changes
of derived tasks refused, risk percentiles, output reports, and a bank's view."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import issue_demo_token
from unionsync.db.session import make_engine, make_session_factory, transaction
from unionsync.roadmap.derive import derive
from unionsync.roadmap.models import RoadmapDependency, RoadmapTask

Headers = Callable[[str], dict[str, str]]


@pytest.fixture
def as_user(demo_url: str) -> Headers:
    tokens: dict[str, str] = {}

    def headers(username: str) -> dict[str, str]:
        if username not in tokens:
            tokens[username] = issue_demo_token(demo_url, username)
        return {"Authorization": f"Bearer {tokens[username]}"}

    return headers


def test_derivation_is_idempotent(demo_url: str):
    engine = make_engine(demo_url)
    with transaction(make_session_factory(engine)) as s:
        before = s.scalar(select(func.count()).select_from(RoadmapTask))
        links = s.scalar(select(func.count()).select_from(RoadmapDependency))
        again = derive(s)
        assert again.created == 0
        assert s.scalar(select(func.count()).select_from(RoadmapTask)) == before
        assert s.scalar(select(func.count()).select_from(RoadmapDependency)) == links
    engine.dispose()


def test_the_demo_roadmap_its_baseline_and_what_slipped(client: TestClient):
    roadmap = client.get("/api/v1/roadmap").json()
    assert roadmap["baseline"] == 1 and len(roadmap["tasks"]) > 50
    by_key = {t["key"]: t for t in roadmap["tasks"]}
    sources = {t["source"] for t in roadmap["tasks"]}
    assert {"passport_milestone", "tender", "delivery", "drawdown"} <= sources
    # the two late passports: their equipment control point is not reached, it slipped
    late = [
        t
        for t in roadmap["tasks"]
        if t["key"].endswith(":milestone:2") and t["actual_finish"] is None and t["slip"]
    ]
    assert len(late) >= 2 and all(t["slip"] > 0 for t in late)
    for t in late:
        assert date.fromisoformat(t["finish"]) >= date.today()
    reached = [t for t in roadmap["tasks"] if t["actual_finish"] and t["source"] == "tender"]
    assert reached and all(not t["critical"] for t in reached)  # done: off the critical path
    assert all(t["total_float"] >= 0 for t in roadmap["tasks"])
    assert by_key and roadmap["passports"]


def test_a_task_shifted_by_hand_moves_the_passport(client: TestClient, as_user: Headers):
    plan = client.get("/api/v1/roadmap", params={"passport_id": 1}).json()
    finish_before = date.fromisoformat(plan["passports"]["1"])
    last = max(plan["tasks"], key=lambda t: t["finish"])
    made = client.post(
        "/api/v1/roadmap/tasks",
        json={
            "passport_id": 1,
            "title": "Сертификация продукции",
            "planned_start": "2027-02-01",
            "duration": 40,
        },
    )
    assert made.status_code == 201, made.text
    task = made.json()
    linked = client.post(
        "/api/v1/roadmap/dependencies", json={"before_id": task["id"], "after_id": last["id"]}
    )
    assert linked.status_code == 201, linked.text
    shifted = client.patch(f"/api/v1/roadmap/tasks/{task['id']}", json={"duration": 800})
    assert shifted.status_code == 200
    after = client.get("/api/v1/roadmap", params={"passport_id": 1}).json()
    moved = next(t for t in after["tasks"] if t["id"] == last["id"])
    assert date.fromisoformat(after["passports"]["1"]) > finish_before
    assert (
        moved["critical"] and next(t for t in after["tasks"] if t["id"] == task["id"])["critical"]
    )
    assert moved["slip"] is not None and moved["slip"] > 0
    # a cycle is refused naming its tasks
    cycle = client.post(
        "/api/v1/roadmap/dependencies", json={"before_id": last["id"], "after_id": task["id"]}
    )
    assert cycle.status_code == 422 and "cycle" in cycle.text and last["key"] in cycle.text
    # a derived task's plan comes from its source; progress and actual dates are recorded
    derived = next(t for t in after["tasks"] if t["source"] == "passport_milestone")
    refused = client.patch(f"/api/v1/roadmap/tasks/{derived['id']}", json={"duration": 5})
    assert refused.status_code == 409 and "comes from" in refused.json()["detail"]
    future = client.patch(
        f"/api/v1/roadmap/tasks/{derived['id']}", json={"actual_finish": "2099-01-01"}
    )
    assert future.status_code == 422
    # another country's editor may not change Belarus's passport tasks; the Committee's may
    assert (
        client.patch(
            f"/api/v1/roadmap/tasks/{task['id']}",
            json={"progress": 5},
            headers=as_user("ru-editor"),
        ).status_code
        == 403
    )


def test_risk_percentiles_are_ordered_and_seeded(client: TestClient):
    first = client.get("/api/v1/roadmap/risk", params={"runs": 2000, "seed": 11}).json()
    again = client.get("/api/v1/roadmap/risk", params={"runs": 2000, "seed": 11}).json()
    assert first == again
    end = first["roadmap"]
    assert end["p50"] <= end["p80"] <= end["p95"]
    assert first["passports"] and all(0 <= v <= 1 for v in first["criticality"].values())


def test_output_reports(client: TestClient, as_user: Headers):
    body = {"passport_id": 5, "year": 2026, "quantity": "120", "to_partner": "40"}
    first = client.post("/api/v1/roadmap/outputs", json=body)
    assert first.status_code == 201, first.text
    second = client.post("/api/v1/roadmap/outputs", json={**body, "quantity": "130"})
    assert second.json()["id"] == first.json()["id"] and second.json()["quantity"] == "130.000"
    too_much = client.post("/api/v1/roadmap/outputs", json={**body, "to_partner": "500"})
    assert too_much.status_code == 422
    other = client.post("/api/v1/roadmap/outputs", json=body, headers=as_user("ru-editor"))
    assert other.status_code == 403


def test_a_bank_sees_its_passports_tasks_only(client: TestClient, as_user: Headers):
    bank = as_user("bank-viewer")
    seen = client.get("/api/v1/roadmap", headers=bank).json()
    everyone = client.get("/api/v1/roadmap").json()
    mine = {t["passport_id"] for t in seen["tasks"]}
    assert mine and len(seen["tasks"]) < len(everyone["tasks"])
    financed = {p["id"] for p in client.get("/api/v1/passports", headers=bank).json()["items"]}
    assert mine <= financed


def test_the_pages(client: TestClient):
    page = client.get("/roadmap")
    assert page.status_code == 200 and 'id="chart-gantt"' in page.text
    assert "Дорожная карта совместных проектов" in page.text and 'id="slipped"' in page.text
    one = client.get("/roadmap", params={"passport_id": 1})
    assert "Дорожная карта СГ-" in one.text
    task = client.get("/roadmap/tasks/1")
    assert task.status_code == 200 and 'id="task-change"' in task.text
    assert client.get("/roadmap", params={"passport_id": "abc"}).status_code == 200


def test_the_exports_and_the_import_page(client: TestClient):
    sheet = client.get("/roadmap/roadmap.xlsx", params={"passport_id": 1})
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
    feed = client.get("/roadmap/milestones.ics")
    assert feed.status_code == 200 and feed.text.startswith("BEGIN:VCALENDAR")
    assert feed.headers["content-type"].startswith("text/calendar")
    pdf = client.get("/roadmap/slipped.pdf", params={"since": "2023-01-01"})
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    assert client.get("/roadmap/slipped.pdf", params={"since": "вчера"}).status_code == 422
    assert client.get("/roadmap/slipped.doc").status_code == 404
    # the workbook back through the page: a bad row refuses the whole file, by row and column
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(sheet.content))
    book.active.cell(row=2, column=12, value=300)
    changed = BytesIO()
    book.save(changed)
    page = client.get("/roadmap")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    refused = client.post(
        "/roadmap/import",
        data={"csrf_token": token},
        files={"file": ("roadmap.xlsx", changed.getvalue(), "application/octet-stream")},
    )
    assert refused.status_code == 422 and 'id="import-errors"' in refused.text
    assert "progress" in refused.text
    book.active.cell(row=2, column=12, value=30)
    fixed = BytesIO()
    book.save(fixed)
    taken = client.post(
        "/roadmap/import",
        data={"csrf_token": token},
        files={"file": ("roadmap.xlsx", fixed.getvalue(), "application/octet-stream")},
    )
    assert taken.status_code == 200 and 'id="import-result"' in taken.text


def test_whether_a_project_replaces_imports(client: TestClient, as_user: Headers):
    found = {}
    for passport in range(1, 13):
        answer = client.get(f"/api/v1/roadmap/passports/{passport}/verdict")
        assert answer.status_code == 200, answer.text
        found[passport] = answer.json()
    verdicts = {v["verdict"] for v in found.values()}
    assert verdicts <= {"on_track", "behind", "no_evidence"} and len(verdicts) >= 2
    reported = next(v for v in found.values() if v["verdict"] in ("on_track", "behind"))
    years = reported["products"][0]["years"]
    with_reports = [y for y in years if y["reported"] is not None]
    planned = sum(float(y["planned"]) for y in with_reports)
    output = sum(float(y["reported"]) for y in with_reports)
    assert (output >= 0.9 * planned) == (reported["verdict"] == "on_track")
    # a report moves the verdict: a passport due but silent, then reporting its plan in full
    silent = next(
        (k, v)
        for k, v in found.items()
        if v["verdict"] == "no_evidence" and "none is reported" in v["reason"]
    )
    passport, evidence = silent
    product = evidence["products"][0]
    for year in product["years"]:
        if float(year["planned"]) > 0:
            body = {"passport_id": passport, "year": year["year"], "quantity": year["planned"]}
            sent = client.post("/api/v1/roadmap/outputs", json=body)
            if sent.status_code == 403:  # the product is made in Russia: its editors report
                sent = client.post(
                    "/api/v1/roadmap/outputs", json=body, headers=as_user("ru-editor")
                )
            assert sent.status_code == 201, sent.text
    after = client.get(f"/api/v1/roadmap/passports/{passport}/verdict").json()
    assert after["verdict"] == "on_track"
    page = client.get("/roadmap", params={"passport_id": passport})
    assert 'id="verdict"' in page.text and "Замещает ли проект импорт?" in page.text
    bank = as_user("bank-viewer")
    answers = {
        client.get(f"/api/v1/roadmap/passports/{k}/verdict", headers=bank).status_code
        for k in range(1, 13)
    }
    assert answers == {200, 403}  # a bank sees the passports it finances only
