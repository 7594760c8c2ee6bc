"""The finance API over the demo: the published picture, figures that add up to their rows, a
bank that sees its own agreements only, a drawdown through every act with the wrong actors
refused, the limits as 409 with what is left, and a passport's economics with a second
scenario."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import issue_demo_token
from unionsync.access.models import User
from unionsync.access.policy import SYSTEM
from unionsync.catalog.models import Organization
from unionsync.db.session import make_engine, make_session_factory, transaction
from unionsync.finance import facility
from unionsync.finance.drawdown import LimitError
from unionsync.finance.models import (
    Allocation,
    CreditAgreement,
    DrawdownRequest,
    DrawdownStatus,
    Facility,
    ReferenceRate,
)
from unionsync.finance.schedules import RepaymentMethod

Headers = Callable[[str], dict[str, str]]


@pytest.fixture
def as_user(demo_url: str) -> Headers:
    tokens: dict[str, str] = {}

    def headers(username: str) -> dict[str, str]:
        if username not in tokens:
            tokens[username] = issue_demo_token(demo_url, username)
        return {"Authorization": f"Bearer {tokens[username]}"}

    return headers


def _scalar(url: str, stmt):  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    with engine.connect() as connection:
        value = connection.execute(stmt).scalar()
    engine.dispose()
    return value


def test_the_demo_reproduces_the_published_picture(client: TestClient, demo_url: str):
    facilities = client.get("/api/v1/finance/facilities").json()
    assert [Decimal(f["amount"]) for f in facilities] == [Decimal("105000000000.00")]
    found = client.get(f"/api/v1/finance/facilities/{facilities[0]['id']}").json()
    assert found["agreements"] == 16
    assert Decimal(55 * 10**9) < Decimal(found["drawn"]) < Decimal(65 * 10**9)
    assert len(found["by_bank"]) == 4
    banks = {b["bank_id"] for b in found["by_bank"]}
    countries = {
        _scalar(demo_url, select(Organization.country_code).where(Organization.id == b))
        for b in banks
    }
    assert countries == {"BY"}
    # every figure adds up to its rows: projects, banks, months and the disbursed requests
    drawn = Decimal(found["drawn"])
    assert sum(Decimal(p["drawn"]) for p in found["by_project"]) == drawn
    assert sum(Decimal(b["drawn"]) for b in found["by_bank"]) == drawn
    assert sum(Decimal(m["drawn"]) for m in found["by_month"]) == drawn
    assert Decimal(found["by_month"][-1]["cumulative"]) == drawn
    disbursed = _scalar(
        demo_url,
        select(func.sum(DrawdownRequest.amount)).where(
            DrawdownRequest.status == DrawdownStatus.DISBURSED
        ),
    )
    assert Decimal(disbursed) == drawn
    assert Decimal(found["available"]) == Decimal(found["facility"]["amount"]) - drawn - Decimal(
        found["pending"]
    )
    # drawdowns pay for the tenders' contracts where those exist
    tied = _scalar(
        demo_url,
        select(func.count())
        .select_from(DrawdownRequest)
        .where(DrawdownRequest.contract_id.is_not(None)),
    )
    assert tied >= 10


def test_a_bank_sees_its_own_agreements_only(client: TestClient, demo_url: str, as_user: Headers):
    bank_id = _scalar(demo_url, select(User.organization_id).where(User.username == "bank-viewer"))
    bank = as_user("bank-viewer")
    mine = client.get("/api/v1/finance/agreements", headers=bank, params={"per_page": 100}).json()
    everyone = client.get("/api/v1/finance/agreements", params={"per_page": 100}).json()
    assert 0 < mine["total"] < everyone["total"] == 16
    assert {a["bank_id"] for a in mine["items"]} == {bank_id}
    other = next(a for a in everyone["items"] if a["bank_id"] != bank_id)
    assert client.get(f"/api/v1/finance/agreements/{other['id']}", headers=bank).status_code == 403
    assert (
        client.get(f"/api/v1/finance/agreements/{other['id']}/schedule", headers=bank).status_code
        == 403
    )
    position = client.get("/api/v1/finance/facilities/1", headers=bank).json()
    assert position["scoped"] and position["available"] is None
    assert {b["bank_id"] for b in position["by_bank"]} == {bank_id}
    assert position["agreements"] == mine["total"]
    inbox = client.get("/api/v1/finance/drawdowns", headers=bank).json()
    agreements = {a["id"] for a in mine["items"]}
    assert all(
        w["drawdown"]["agreement_id"] in agreements
        for w in inbox["waiting_for_you"] + inbox["others"]
    )
    assert inbox["waiting_for_you"] == []  # a viewer acts on nothing


def test_a_drawdown_through_every_act_with_the_wrong_actors_refused(
    client: TestClient, demo_url: str, as_user: Headers
):
    bank_id = _scalar(demo_url, select(User.organization_id).where(User.username == "bank-editor"))
    agreement = _scalar(
        demo_url,
        select(CreditAgreement.id)
        .where(CreditAgreement.bank_id == bank_id)
        .order_by(CreditAgreement.id),
    )
    detail = client.get(f"/api/v1/finance/agreements/{agreement}").json()
    left = Decimal(detail["left"]["agreement"])
    # the schedule's effective rate is what the nominal monthly rate compounds to
    nominal = float(detail["agreement"]["annual_rate"])
    assert abs(detail["effective_rate"] - ((1 + nominal / 12) ** 12 - 1)) < 0.002
    url = f"/api/v1/finance/agreements/{agreement}/drawdowns"
    too_much = client.post(url, json={"amount": str(left + 1), "purpose": "Станки"})
    assert too_much.status_code == 409
    assert f"left of the agreement: {left}" in too_much.json()["detail"]
    for name in ("ru-editor", "bank-editor", "union-viewer"):
        refused = client.post(url, json={"amount": "1000", "purpose": "x"}, headers=as_user(name))
        assert refused.status_code == 403, name
    # a contract pays only from its own passport's agreements
    foreign = _scalar(
        demo_url,
        select(DrawdownRequest.contract_id)
        .join(CreditAgreement)
        .where(
            DrawdownRequest.contract_id.is_not(None),
            CreditAgreement.allocation_id != detail["agreement"]["allocation_id"],
        ),
    )
    for contract in (foreign, 999_999):
        wrong = client.post(url, json={"amount": "1", "purpose": "x", "contract_id": contract})
        assert wrong.status_code == 422, contract
        assert "contract_id" in wrong.text
    created = client.post(url, json={"amount": "250000.50", "purpose": "Монтаж линии"})
    assert created.status_code == 201, created.text
    request = created.json()
    acts = f"/api/v1/finance/drawdowns/{request['id']}/acts"
    # out of order, or by someone else: refused before anything changes
    for act, who, expected in (
        ("ministry-approve", "by-approver", 409),
        ("bank-approve", "bank-viewer", 403),
        ("bank-approve", "by-approver", 403),
    ):
        answer = client.post(f"{acts}/{act}", json={}, headers=as_user(who))
        assert answer.status_code == expected, (act, who)
    steps = [
        ("bank-approve", "bank-editor", "bank_approved"),
        ("ministry-approve", "by-approver", "approved"),
        ("disburse", "bank-editor", "disbursed"),
    ]
    for act, who, status in steps:
        if act == "ministry-approve":
            for wrong in ("ru-approver", "union-viewer", "bank-editor"):
                answer = client.post(f"{acts}/{act}", json={}, headers=as_user(wrong))
                assert answer.status_code == 403, wrong
        done = client.post(f"{acts}/{act}", json={}, headers=as_user(who))
        assert done.status_code == 200, done.text
        assert done.json()["status"] == status
    final = client.get(f"/api/v1/finance/drawdowns/{request['id']}").json()
    assert final["bank_approved_by"] == "bank-editor"
    assert final["ministry_approved_by"] == "by-approver"
    assert final["disbursed_by"] == "bank-editor" and final["disbursed_on"]
    after = client.get(f"/api/v1/finance/agreements/{agreement}").json()
    assert Decimal(after["drawn"]) == Decimal(detail["drawn"]) + Decimal("250000.50")
    # every act is in the audit trail
    audit = client.get(
        "/api/v1/audit",
        params={"entity": "finance_drawdown", "per_page": 100},
        headers=as_user("by-admin"),
    ).json()
    actions = {e["action"] for e in audit["items"] if e["entity_id"] == str(request["id"])}
    assert {
        "drawdown.request",
        "drawdown.bank_approve",
        "drawdown.ministry_approve",
        "drawdown.disburse",
    } <= actions
    # a refusal needs its reason
    second = client.post(url, json={"amount": "1000", "purpose": "Прочее"}).json()
    refuse = f"/api/v1/finance/drawdowns/{second['id']}/acts/refuse"
    no_reason = client.post(refuse, json={}, headers=as_user("bank-editor"))
    assert no_reason.status_code == 409 and "reason" in no_reason.json()["detail"]


def test_bad_input_is_a_clear_error(client: TestClient):
    url = "/api/v1/finance/agreements/1/drawdowns"
    for body in (
        {"amount": "-5", "purpose": "x"},
        {"amount": "1", "purpose": ""},
        {"amount": "1", "purpose": "x", "currency": "XYZ"},
        {"amount": "1", "purpose": "x", "surprise": 1},
    ):
        answer = client.post(url, json=body)
        assert answer.status_code == 422, body
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert client.post("/api/v1/finance/drawdowns/1/acts/fly", json={}).status_code == 422
    assert client.get("/api/v1/finance/agreements/999999").status_code == 404
    dated = client.post(
        "/api/v1/finance/agreements/1/repayments",
        json={"paid_on": 20260101, "principal": "1", "interest": "0"},
    )
    assert dated.status_code == 422


def test_a_passport_financing_and_a_second_scenario(client: TestClient, demo_url: str):
    passport = _scalar(
        demo_url,
        select(CreditAgreement.allocation_id).order_by(CreditAgreement.id),
    )
    passport_id = _scalar(demo_url, select(Allocation.passport_id).where(Allocation.id == passport))
    base = client.get(f"/api/v1/finance/passports/{passport_id}/financing").json()
    assert base["years"] and base["economics"] and base["tornado"]
    assert base["scenario"] is None
    changes = [abs(Decimal(t["npv_change"])) for t in base["tornado"]]
    assert changes == sorted(changes, reverse=True)
    actual = sum(Decimal(y["actual"].get("state_loan", 0)) for y in base["years"])
    agreements = base["agreements"]
    drawn = sum(
        Decimal(client.get(f"/api/v1/finance/agreements/{a['id']}").json()["drawn"])
        for a in agreements
    )
    assert actual == drawn > 0
    worse = client.get(
        f"/api/v1/finance/passports/{passport_id}/financing",
        params={"b_price_change": "-0.2", "b_delay_years": 1},
    ).json()
    assert Decimal(worse["scenario"]["npv"]) < Decimal(worse["economics"]["npv"])
    assert worse["economics"]["npv"] == base["economics"]["npv"]
    assert (
        client.get(
            f"/api/v1/finance/passports/{passport_id}/financing", params={"discount_rate": "2"}
        ).status_code
        == 422
    )


def test_a_floating_rate_is_read_from_the_rate_table(demo_url: str):
    engine = make_engine(demo_url)
    with transaction(make_session_factory(engine)) as s:
        allocation_id = s.scalar(select(CreditAgreement.allocation_id).order_by(CreditAgreement.id))
        allocation = s.get(Allocation, allocation_id)
        assert allocation is not None
        loan = s.get(Facility, allocation.facility_id)
        assert loan is not None
        loan.fixed_rate = None
        loan.reference_rate = "ставка рефинансирования"
        loan.margin = Decimal("0.015")
        allocation.amount += Decimal(1000)  # room for one more agreement
        s.flush()
        terms = {
            "number": "КД-ПЛАВ",
            "amount": Decimal(500),
            "annual_rate": None,
            "periods": 12,
            "method": RepaymentMethod.ANNUITY,
            "signed_on": date(2024, 3, 1),
            "first_due": date(2024, 4, 1),
            "bank_id": s.scalar(select(CreditAgreement.bank_id).order_by(CreditAgreement.id)),
        }
        with pytest.raises(LimitError, match="no value of ставка рефинансирования"):
            facility.sign_agreement(s, SYSTEM, allocation_id, **terms)  # type: ignore[arg-type]
        s.add_all(
            ReferenceRate(name="ставка рефинансирования", valid_from=day, rate=Decimal(rate))
            for day, rate in (
                (date(2023, 1, 1), "0.105"),
                (date(2024, 2, 1), "0.095"),
                (date(2024, 6, 1), "0.09"),
            )
        )
        s.flush()
        signed = facility.sign_agreement(s, SYSTEM, allocation_id, **terms)  # type: ignore[arg-type]
        assert signed.annual_rate == Decimal("0.110")  # 9.5 % in force on 1 March + 1.5 pp
        assert facility.rate_on(s, loan, date(2024, 7, 1)) == Decimal("0.105")
    engine.dispose()
