"""The JSON API over the demo: lists, filters, pages, writes and problem+json errors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/organizations",
        "/api/v1/programs",
        "/api/v1/program-items",
        "/api/v1/capabilities",
        "/api/v1/passports",
        "/api/v1/trade-flows",
    ],
)
def test_every_list_is_paginated(client: TestClient, path: str):
    first = client.get(path, params={"per_page": 5}).json()
    second = client.get(path, params={"per_page": 5, "page": 2}).json()
    assert first["total"] > 5 and len(first["items"]) == 5
    assert {i["id"] for i in first["items"]}.isdisjoint({i["id"] for i in second["items"]})


def test_reference_lists_filter_and_detail(client: TestClient):
    union = client.get("/api/v1/countries", params={"union_state": True}).json()
    assert [c["code"] for c in union["items"]] == ["BY", "RU"]
    assert client.get("/api/v1/countries/by").json()["currency"] == "BYN"
    industries = client.get("/api/v1/industries", params={"q": "станко"}).json()
    assert industries["total"] == 1
    industry_id = industries["items"][0]["id"]
    assert client.get(f"/api/v1/industries/{industry_id}").json()["code"] == "machine-tools"


def test_programs_filter_by_country_and_sort(client: TestClient):
    page = client.get(
        "/api/v1/programs", params={"country": "BY", "sort": "-code", "per_page": 100}
    ).json()
    codes = [p["code"] for p in page["items"]]
    assert page["total"] == len(codes) >= 8
    assert all(c.startswith("BY-") for c in codes)
    assert codes == sorted(codes, reverse=True)
    assert all(p["item_count"] > 0 for p in page["items"])


def test_item_search_and_code_prefix(client: TestClient):
    page = client.get("/api/v1/program-items", params={"tnved": "8482", "per_page": 500}).json()
    assert page["total"] > 0
    assert all(i["tnved_code"].startswith("8482") for i in page["items"])
    found = client.get("/api/v1/program-items", params={"q": "ПОДШИПНИК"}).json()
    assert found["total"] > 0


def test_unknown_sort_field_is_a_problem(client: TestClient):
    response = client.get("/api/v1/programs", params={"sort": "colour"})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"][0]["field"] == "sort"


def test_missing_record_is_a_404_problem(client: TestClient):
    response = client.get("/api/v1/passports/99999")
    assert response.status_code == 404
    body = response.json()
    assert response.headers["content-type"] == PROBLEM
    assert body["status"] == 404 and body["instance"] == "/api/v1/passports/99999"
    assert "passport 99999" in body["detail"]


def test_create_and_update_program_and_items(client: TestClient):
    industry = client.get("/api/v1/industries").json()["items"][0]
    created = client.post(
        "/api/v1/programs",
        json={
            "country_code": "BY",
            "industry_id": industry["id"],
            "code": "BY-NEW-01",
            "title": "Новая программа",
            "period_start": 2025,
            "period_end": 2030,
        },
    )
    assert created.status_code == 201
    program_id = created.json()["id"]
    item = client.post(
        f"/api/v1/programs/{program_id}/items",
        json={
            "name_ru": "Подшипник 6205",
            "tnved": "8482 10 900 8",
            "unit": "шт",
            "demand": [{"year": 2026, "quantity": "100", "value": "2500.50", "currency": "BYN"}],
        },
    )
    assert item.status_code == 201
    body = item.json()
    assert body["tnved_code"] == "8482109008" and body["unit_okei"] == "796"
    assert body["demands"][0]["value"] == {"amount": "2500.50", "currency": "BYN"}
    patched = client.patch(f"/api/v1/program-items/{body['id']}", json={"target_year": 2028})
    assert patched.json()["target_year"] == 2028
    assert client.get(f"/api/v1/programs/{program_id}").json()["item_count"] == 1
    duplicate = client.post(
        "/api/v1/programs",
        json={
            "country_code": "BY",
            "industry_id": industry["id"],
            "code": "BY-NEW-01",
            "title": "Снова",
            "period_start": 2025,
            "period_end": 2030,
        },
    )
    assert duplicate.status_code == 409 and duplicate.headers["content-type"] == PROBLEM


def test_invalid_item_reports_each_field(client: TestClient):
    programs = client.get("/api/v1/programs", params={"country": "BY"}).json()
    program_id = programs["items"][0]["id"]
    response = client.post(
        f"/api/v1/programs/{program_id}/items",
        json={"name_ru": "X", "tnved": "101210000", "unit": "бочка"},
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"tnved", "unit"}


def test_body_validation_is_a_problem_too(client: TestClient):
    response = client.post("/api/v1/programs", json={"country_code": "BY"})
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    assert any(e["field"] == "body.title" for e in response.json()["errors"])


def test_create_and_update_capability(client: TestClient):
    enterprise = client.get(
        "/api/v1/organizations", params={"kind": "enterprise", "country": "BY"}
    ).json()["items"][0]
    created = client.post(
        "/api/v1/capabilities",
        json={
            "enterprise_id": enterprise["id"],
            "product_name": "Фреза концевая d 10",
            "tnved": "8207",
            "unit": "796",
            "capacity_per_year": "5000",
            "price": "45.00",
            "currency": "BYN",
        },
    )
    assert created.status_code == 201
    capability_id = created.json()["id"]
    updated = client.patch(
        f"/api/v1/capabilities/{capability_id}", json={"available_capacity": "1200"}
    )
    assert updated.json()["available_capacity"] == "1200.000"
    assert client.get(f"/api/v1/capabilities/{capability_id}").json()["price"] == {
        "amount": "45.00",
        "currency": "BYN",
    }


def test_stats_and_critical_totals(client: TestClient):
    stats = client.get("/api/v1/stats").json()
    assert stats["programs_per_country"]["RU"] == 20
    assert stats["passports_reconciled_or_later"] == 12
    totals = client.get("/api/v1/trade/critical-totals", params={"currency": "USD"}).json()
    by_2022 = next(t for t in totals if t["reporter"] == "BY" and t["year"] == 2022)
    assert by_2022["total"]["currency"] == "USD"
    assert by_2022["rates"][0]["currency"] == "BYN" or by_2022["rates"][0]["quote"] == "BYN"


def test_openapi_is_served(client: TestClient):
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/programs" in spec["paths"]
    assert client.get("/api/docs").status_code == 200


def test_code_suggestions_and_code_labels(client: TestClient):
    answer = client.get(
        "/api/v1/nomenclature/suggest",
        params={"q": "Подшипник шарик. радиальный 6205-2RS", "top": 3},
    )
    # whether meaning took part is said, never silently left out
    assert answer.headers["X-Meaning-Index"] in ("ready", "missing")
    found = answer.json()
    assert len(found) == 3 and found[0]["code"].startswith("8482")
    assert found[0]["reason"] and found[0]["score"] >= found[1]["score"]
    code = client.get("/api/v1/nomenclature/codes/tnved/8482109008").json()
    assert code["label"].startswith("Подшипники шариковые и роликовые — ")
    assert client.get("/api/v1/nomenclature/codes/tnved/9999999999").status_code == 404
    assert client.get("/api/v1/nomenclature/suggest", params={"q": " "}).status_code == 422


def test_code_lists_answer_membership(client: TestClient):
    lists = client.get("/api/v1/code-lists").json()
    assert [x["code"] for x in lists] == ["DEMO-CRIT"] and lists[0]["owner"] == "UNION"
    answer = client.get(
        "/api/v1/code-lists/DEMO-CRIT/contains",
        params=[("tnved", "8482 10 900 8"), ("tnved", "0101210000")],
    ).json()
    assert answer == [
        {"code": "8482109008", "member": True},
        {"code": "0101210000", "member": False},
    ]
