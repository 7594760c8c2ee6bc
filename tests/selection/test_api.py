"""The selection API answers as documented: created with a Location, bad weights refused with the
field named, frozen applications refused with 409, blind results 403, sealed bids 409, and the
OCDS package for whoever may read it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tests.conftest import issue_demo_token
from unionsync.catalog.models import Organization, OrganizationKind
from unionsync.db.session import make_engine
from unionsync.passports.models import IN_PREPARATION, Passport
from unionsync.selection.models import Call


def _first(url: str, stmt):  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    with engine.connect() as connection:
        value = connection.execute(stmt).scalars().first()
    engine.dispose()
    return value


def test_a_call_through_the_api(client: TestClient, demo_url: str):
    passport = _first(
        demo_url,
        select(Passport.id).where(Passport.status.in_(IN_PREPARATION)).order_by(Passport.id),
    )
    plant = _first(
        demo_url,
        select(Organization.id).where(
            Organization.kind == OrganizationKind.ENTERPRISE, Organization.country_code == "BY"
        ),
    )
    body = {
        "title": "Отбор через API",
        "passport_id": passport,
        "quantities": [{"year": 2028, "quantity": "300"}],
        "deadline": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
        "members": ["by-expert", "ru-expert"],
        "criteria": [
            {"key": "price", "name": "Цена", "weight": 60},
            {"key": "capacity", "name": "Мощность", "weight": 30},
        ],
    }
    refused = client.post("/api/v1/calls", json=body)
    assert refused.status_code == 422 and "sum to 90" in refused.text
    body["criteria"][1]["weight"] = 40
    created = client.post("/api/v1/calls", json=body)
    assert created.status_code == 201, created.text
    call = created.json()
    assert created.headers["location"] == f"/api/v1/calls/{call['id']}"
    assert client.post(f"/api/v1/calls/{call['id']}/acts/publish", json={}).status_code == 200
    offer = {
        "organization_id": plant,
        "product": "Изделие",
        "capacity": [{"year": 2028, "quantity": 310}],
        "price": "125.50",
        "currency": "RUB",
        "first_output": "2027-09-01",
        "own_share": 25,
    }
    applied = client.post(f"/api/v1/calls/{call['id']}/applications", json=offer)
    assert applied.status_code == 200 and applied.json()["price_amount"] == "125.50"
    # the results are blind before the decision, for someone not on the commission too
    assert client.get(f"/api/v1/calls/{call['id']}/results").status_code == 403
    engine = make_engine(demo_url)
    with engine.begin() as connection:
        connection.execute(
            update(Call)
            .where(Call.id == call["id"])
            .values(deadline=datetime.now(UTC) - timedelta(seconds=1))
        )
    engine.dispose()
    frozen = client.post(f"/api/v1/calls/{call['id']}/applications", json=offer)
    assert frozen.status_code == 409 and "can no longer be made or changed" in frozen.text
    assert frozen.headers["content-type"].startswith("application/problem+json")
    # someone not on the commission cannot score
    scores = {
        "scores": [{"application_id": applied.json()["id"], "criterion": "price", "value": 7}]
    }
    assert client.put(f"/api/v1/calls/{call['id']}/my-scores", json=scores).status_code == 403


def test_tenders_and_the_ocds_package_for_a_bank(client: TestClient, demo_url: str):
    listed = client.get("/api/v1/tenders", params={"per_page": 5})
    assert listed.status_code == 200 and listed.json()["total"] == 12
    tender = listed.json()["items"][0]
    bids = client.get(f"/api/v1/tenders/{tender['id']}/bids")
    assert bids.status_code == 200 and bids.json()  # the period is over: bids are open
    overview = client.get("/api/v1/selection/overview").json()
    assert overview["totals"]["awarded"] > 800
    package = client.get("/api/v1/ocds/release-package").json()
    assert package["version"] == "1.1" and len(package["releases"]) == 15
    bank = TestClient(
        client.app, headers={"Authorization": f"Bearer {issue_demo_token(demo_url, 'bank-viewer')}"}
    )
    seen = bank.get("/api/v1/ocds/release-package").json()["releases"]
    assert 0 < len(seen) < 12 and all("-tender-" in r["ocid"] for r in seen)
    assert bank.get("/api/v1/calls").status_code == 403
    assert bank.get("/api/v1/tenders").json()["total"] == len(seen)
