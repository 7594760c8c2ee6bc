"""Keeps the rooms complete: every entity users list has a list and a detail endpoint."""

from __future__ import annotations

from fastapi.testclient import TestClient

ENTITIES = {
    "countries": "{code}",
    "industries": "{industry_id}",
    "organizations": "{org_id}",
    "programs": "{program_id}",
    "program-items": "{item_id}",
    "capabilities": "{capability_id}",
    "passports": "{passport_id}",
}


def test_every_entity_has_a_paginated_list_and_a_detail(client: TestClient):
    paths = client.get("/api/openapi.json").json()["paths"]
    for entity, key in ENTITIES.items():
        listing = paths[f"/api/v1/{entity}"]["get"]
        names = {p["name"] for p in listing.get("parameters", [])}
        assert {"page", "per_page", "sort"} <= names, entity
        assert "get" in paths[f"/api/v1/{entity}/{key}"], entity


def test_every_api_error_response_is_problem_json(client: TestClient):
    for path in ("/api/v1/programs/0", "/api/v1/programs?page=0", "/api/v1/nothing"):
        response = client.get(path)
        assert response.status_code >= 400
        assert response.headers["content-type"] == "application/problem+json", path
