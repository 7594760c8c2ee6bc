"""Passports through the API: a draft, its validation, stale writes, the reconciliation by both
sides, a change request, versions and their differences, the history and the documents; and
two concurrent sessions on PostgreSQL."""

from __future__ import annotations

import threading
from io import BytesIO
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from unionsync.access.policy import SYSTEM
from unionsync.catalog.models import Organization, OrganizationKind
from unionsync.core.errors import DomainValidationError
from unionsync.db.session import make_session_factory
from unionsync.passports import editing
from unionsync.passports.editing import StaleError
from unionsync.passports.models import Passport, PassportProduct
from unionsync.passports.template import clean
from unionsync.reference.models import Industry

COMPLETE: dict[str, Any] = {
    "general": {"goal": "Выпуск станков", "programs": "BY-MACH-01"},
    "indicators": [
        {
            "name": "Выпуск станков",
            "unit": "шт",
            "base_value": "0",
            "base_date": "01.01.2025",
            "targets": "2026: 50; 2027: 120",
            "method": "форма 1-П",
        }
    ],
    "products": [
        {
            "name": "Станок токарный с ЧПУ",
            "tnved": "8458 11 000 0",
            "unit": "шт",
            "country": "BY",
            "capacity": "120",
            "start_year": "2027",
        }
    ],
    "milestones": [{"title": "Монтаж оборудования", "due": "2026-06-30"}],
    "financing": [
        {
            "source": "state_loan",
            "year": "2025",
            "amount": "1 500 000 000",
            "currency": "RUB",
            "state": "approved",
        }
    ],
    "effect": [{"year": "2027", "imports_replaced": "900000000", "currency": "RUB"}],
}


def test_the_template_names_the_section_row_and_field_at_fault():
    with pytest.raises(DomainValidationError) as caught:
        clean(
            {
                "financing": [{}, {"source": "gift", "year": "20x5", "amount": "-3"}],
                "indicators": [{"base_date": "31.02.2025"}],
                "bogus": {},
            },
            complete=True,
        )
    fields = {e.field: e.message for e in caught.value.errors}
    assert fields["financing[1].source"].startswith(
        "Финансирование по источникам и годам, строка 1"
    )
    assert (
        "«gift»" in fields["financing[1].source"] and "state_loan" in fields["financing[1].source"]
    )
    assert "not a whole number" in fields["financing[1].year"]
    assert "negative" in fields["financing[1].amount"]
    assert "is required" in fields["financing[1].currency"]
    assert "not a date" in fields["indicators[1].base_date"]
    assert "no such section" in fields["bogus"]
    assert "needs at least 1 row" in fields["products"]
    assert "is required" in fields["general.goal"]
    # a draft may be incomplete, but what is there must be right
    draft = clean(
        {"products": [{"tnved": "8458.11.000.0", "unit": "6", "capacity": "1,5"}]}, complete=False
    )
    assert draft["products"] == [{"tnved": "8458110000", "unit": "006", "capacity": "1.5"}]
    assert clean(COMPLETE, complete=True)["indicators"][0]["targets"] == {
        "2026": "50",
        "2027": "120",
    }


def _ids(client: TestClient) -> tuple[int, int]:
    orgs = client.get("/api/v1/organizations", params={"country": "BY", "per_page": 100}).json()
    enterprise = next(o for o in orgs["items"] if o["kind"] == "enterprise")
    industry = client.get("/api/v1/industries").json()["items"][0]
    return enterprise["id"], industry["id"]


def test_a_passport_from_draft_to_a_change_request(people: dict[str, TestClient]):
    by, ru, by_sign, ru_sign = (
        people[n] for n in ("by-editor", "ru-editor", "by-approver", "ru-approver")
    )
    initiator, industry = _ids(by)
    made = by.post(
        "/api/v1/passports",
        json={
            "title": "Станки с ЧПУ",
            "industry_id": industry,
            "initiator_id": initiator,
            "period_start": 2025,
            "period_end": 2028,
            "content": {"general": {"goal": "Выпуск станков"}},
        },
    )
    assert made.status_code == 201, made.text
    passport = made.json()
    pid, lock = passport["id"], passport["lock_version"]
    assert passport["status"] == "draft" and passport["version"] == 1

    # an error names section, row and field; nothing is saved
    bad = by.patch(
        f"/api/v1/passports/{pid}",
        json={"lock_version": lock, "content": {"financing": [{"amount": "много"}]}},
    )
    assert bad.status_code == 422
    assert any(e["field"] == "financing[1].amount" for e in bad.json()["errors"])

    saved = by.patch(f"/api/v1/passports/{pid}", json={"lock_version": lock, "content": COMPLETE})
    assert saved.status_code == 200 and saved.json()["version"] == 2
    # a second writer still holding the first lock_version is refused and overwrites nothing
    stale = by.patch(
        f"/api/v1/passports/{pid}", json={"lock_version": lock, "title": "Чужая правка"}
    )
    assert stale.status_code == 409 and "changed by by-editor" in stale.json()["detail"]
    current = by.get(f"/api/v1/passports/{pid}").json()
    assert current["title"] == "Станки с ЧПУ" and current["version"] == 2
    # the products feed coverage scenarios
    assert [p["tnved_code"] for p in current["products"]] == ["8458110000"]

    def act(client: TestClient, what: str, **body: Any) -> Any:
        return client.post(f"/api/v1/passports/{pid}/acts/{what}", json=body)

    assert act(ru, "submit").status_code == 403  # not a side of this passport
    assert act(by, "submit").json()["status"] == "submitted"
    assert act(by, "approve").status_code == 403  # an editor never signs
    assert act(by_sign, "approve").status_code == 409  # nothing to sign before it is accepted
    assert act(ru, "accept").json()["status"] == "under_reconciliation"
    assert act(ru_sign, "return").status_code == 409  # a return needs comments
    assert act(ru_sign, "approve").json()["status"] == "approved_by_ru"
    assert act(ru_sign, "approve").status_code == 409  # RU has signed: waiting for BY
    assert act(by_sign, "approve").json()["status"] == "reconciled"

    edit = by.patch(f"/api/v1/passports/{pid}", json={"lock_version": 99, "title": "x"})
    assert edit.status_code == 409
    changed = dict(COMPLETE, products=[dict(COMPLETE["products"][0], capacity="150")])
    proposal = by.post(
        f"/api/v1/passports/{pid}/change-requests",
        json={"reason": "Рост спроса", "changes": {"content": changed}},
    )
    assert proposal.status_code == 201, proposal.text
    request = proposal.json()
    assert request["status"] == "open" and request["base_version"] == 2
    again = by.post(
        f"/api/v1/passports/{pid}/change-requests",
        json={"reason": "ещё", "changes": {"title": "Другое"}},
    )
    assert again.status_code == 409
    decide = f"/api/v1/change-requests/{request['id']}/decision"
    assert by.post(decide, json={"approve": True}).status_code == 403  # editors do not sign
    first = by_sign.post(decide, json={"approve": True}).json()
    assert first["status"] == "open" and first["approved_by_by"] == "by-approver"
    applied = ru_sign.post(decide, json={"approve": True}).json()
    assert applied["status"] == "applied" and applied["applied_version"] == 3
    after = by.get(f"/api/v1/passports/{pid}").json()
    assert after["version"] == 3 and after["products"][0]["capacity_per_year"] == "150.000"

    versions = by.get(f"/api/v1/passports/{pid}/versions").json()
    assert [v["number"] for v in versions] == [1, 2, 3]
    assert len({v["content_hash"] for v in versions}) == 3
    diff = by.get(f"/api/v1/passports/{pid}/diff", params={"a": 2, "b": 3}).json()
    assert diff == [
        {"where": "Продукция, строка 1, Мощность в год", "before": "120", "after": "150"}
    ]
    events = [e["action"] for e in by.get(f"/api/v1/passports/{pid}/timeline").json()]
    for expected in (
        "create",
        "passport.submit",
        "passport.accept",
        "passport.approve",
        "passport.change_request",
        "passport.change_approved",
        "passport.version",
    ):
        assert expected in events

    docx = by.get(f"/api/v1/passports/{pid}/document", params={"format": "docx"})
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    from docx import Document

    document = Document(BytesIO(docx.content))
    text = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert versions[2]["content_hash"] in text and "Станок токарный с ЧПУ" in text
    assert versions[2]["content_hash"] in document.sections[0].footer.paragraphs[0].text
    english = by.get(f"/api/v1/passports/{pid}/document", params={"format": "docx", "lang": "en"})
    assert "Content checksum" in "\n".join(
        c.text for t in Document(BytesIO(english.content)).tables for r in t.rows for c in r.cells
    )
    pdf = by.get(f"/api/v1/passports/{pid}/document", params={"format": "pdf", "version": 1})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "v1" in pdf.headers["content-disposition"]


def test_submitting_an_incomplete_passport_lists_what_is_missing(people: dict[str, TestClient]):
    by = people["by-editor"]
    initiator, industry = _ids(by)
    pid = by.post(
        "/api/v1/passports",
        json={
            "title": "Неполный",
            "industry_id": industry,
            "initiator_id": initiator,
            "period_start": 2025,
            "period_end": 2026,
        },
    ).json()["id"]
    answer = by.post(f"/api/v1/passports/{pid}/acts/submit", json={})
    assert answer.status_code == 422
    fields = [e["field"] for e in answer.json()["errors"]]
    assert "general.goal" in fields and "products" in fields and "financing" in fields


def _seed(engine: Engine) -> int:
    with make_session_factory(engine)() as s, s.begin():
        from unionsync.reference.countries import ensure_countries

        ensure_countries(s)
        industry = Industry(code="machine-tools-test", name_ru="Станки", name_en="Machine tools")
        org = Organization(
            kind=OrganizationKind.ENTERPRISE, name="ОАО «Станкозавод»", country_code="BY"
        )
        s.add_all([industry, org])
        s.flush()
        passport = editing.create_passport(
            s,
            SYSTEM,
            {
                "title": "Станки",
                "industry_id": industry.id,
                "initiator_id": org.id,
                "period_start": 2025,
                "period_end": 2027,
            },
        )
        return passport.id


@pytest.mark.postgres
def test_two_concurrent_sessions_on_postgresql_one_wins_one_gets_409(postgres_engine: Engine):
    pid = _seed(postgres_engine)
    factory = make_session_factory(postgres_engine)
    first, second = factory(), factory()
    # both read version 1 and lock 1
    lock = first.get(Passport, pid).lock_version
    assert second.get(Passport, pid).lock_version == lock
    both_loaded = threading.Barrier(2)
    outcome: dict[str, object] = {}

    def write(name: str, session: Session, title: str) -> None:
        both_loaded.wait()
        try:
            editing.update_passport(session, SYSTEM, pid, lock, {"title": title})
            session.commit()
            outcome[name] = "saved"
        except StaleError as error:
            session.rollback()
            outcome[name] = error
        finally:
            session.close()

    threads = [
        threading.Thread(target=write, args=("a", first, "Версия А")),
        threading.Thread(target=write, args=("b", second, "Версия Б")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # the database's version check caught the second writer: a 409 for it, nothing lost
    saved = [name for name, v in outcome.items() if v == "saved"]
    refused = [v for v in outcome.values() if isinstance(v, StaleError)]
    assert len(saved) == 1 and len(refused) == 1
    assert refused[0].status == 409 and "changed by someone else" in str(refused[0])
    with factory() as check:
        passport = check.get(Passport, pid)
        winner = "Версия А" if saved == ["a"] else "Версия Б"
        assert passport.title == winner and passport.version == 2 and passport.lock_version == 2
        kept = check.scalars(select(PassportProduct)).all()
        assert kept == []  # nothing half-written by the loser


def test_participants_make_a_country_a_side_of_the_passport(people: dict[str, TestClient]):
    by, ru = people["by-editor"], people["ru-editor"]
    initiator, industry = _ids(by)
    made = by.post(
        "/api/v1/passports",
        json={
            "title": "Совместный",
            "industry_id": industry,
            "initiator_id": initiator,
            "period_start": 2025,
            "period_end": 2027,
        },
    ).json()
    pid, lock = made["id"], made["lock_version"]
    assert (
        ru.patch(f"/api/v1/passports/{pid}", json={"lock_version": lock, "title": "x"}).status_code
        == 403
    )
    orgs = ru.get("/api/v1/organizations", params={"country": "RU", "per_page": 100}).json()
    partner = next(o for o in orgs["items"] if o["kind"] == "enterprise")
    bad = by.patch(
        f"/api/v1/passports/{pid}",
        json={
            "lock_version": lock,
            "participants": [{"organization_id": 999999, "role": "leader"}],
        },
    )
    assert (
        bad.status_code == 422
        and bad.json()["errors"][0]["field"] == "participants[1].organization_id"
    )
    joined = by.patch(
        f"/api/v1/passports/{pid}",
        json={
            "lock_version": lock,
            "participants": [{"organization_id": partner["id"], "role": "leader"}],
        },
    ).json()
    assert {(p["organization_id"], p["role"]) for p in joined["participants"]} == {
        (initiator, "initiator"),
        (partner["id"], "leader"),
    }
    # Russia now takes part: its editors edit the draft too
    renamed = ru.patch(
        f"/api/v1/passports/{pid}",
        json={"lock_version": joined["lock_version"], "title": "Совместный проект"},
    )
    assert renamed.status_code == 200 and renamed.json()["version"] == 3


def test_the_edit_form_shows_errors_in_russian_and_keeps_what_was_typed(
    people: dict[str, TestClient],
):
    import re

    by = people["by-editor"]
    initiator, industry = _ids(by)
    pid = by.post(
        "/api/v1/passports",
        json={
            "title": "Форма",
            "industry_id": industry,
            "initiator_id": initiator,
            "period_start": 2025,
            "period_end": 2026,
        },
    ).json()["id"]
    by.cookies.set("lang", "ru")
    page = by.get(f"/passports/{pid}/edit")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    lock = re.search(r'name="lock_version" value="(\d+)"', page.text).group(1)
    answer = by.post(
        f"/passports/{pid}/edit",
        data={
            "csrf_token": token,
            "lock_version": lock,
            "h.title": "Форма",
            "t.financing.0.amount": "много",
        },
    )
    assert answer.status_code == 422
    assert (
        "Финансирование по источникам и годам, строка 1, «Сумма»: «много» — не число" in answer.text
    )
    assert 'value="много"' in answer.text  # what was typed comes back


def test_a_draft_takes_the_number_of_its_corrected_year_until_it_is_submitted(
    people: dict[str, TestClient],
):
    by, ru, ru_sign = people["by-editor"], people["ru-editor"], people["ru-approver"]
    initiator, industry = _ids(by)
    made = by.post(
        "/api/v1/passports",
        json={
            "title": "Год с опечаткой",
            "industry_id": industry,
            "initiator_id": initiator,
            "period_start": 2052,
            "period_end": 2055,
        },
    ).json()
    assert made["number"].startswith("СГ-2052-")
    fixed = by.patch(
        f"/api/v1/passports/{made['id']}",
        json={"lock_version": made["lock_version"], "period_start": 2025, "period_end": 2028},
    )
    assert fixed.status_code == 200, fixed.text
    number = fixed.json()["number"]
    assert number.startswith("СГ-2025-") and number != made["number"]
    assert by.get("/api/v1/passports", params={"q": "СГ-2052-"}).json()["total"] == 0
    complete = by.patch(
        f"/api/v1/passports/{made['id']}",
        json={"lock_version": fixed.json()["lock_version"], "content": COMPLETE},
    ).json()
    assert complete["number"] == number
    pid = made["id"]
    assert by.post(f"/api/v1/passports/{pid}/acts/submit", json={}).status_code == 200
    assert ru.post(f"/api/v1/passports/{pid}/acts/accept", json={}).status_code == 200
    returned = ru_sign.post(
        f"/api/v1/passports/{pid}/acts/return", json={"comment": "Уточнить сроки"}
    ).json()
    assert returned["status"] == "draft"
    # submitted once, its number has been quoted: a later correction keeps it
    later = by.patch(
        f"/api/v1/passports/{pid}",
        json={"lock_version": returned["lock_version"], "period_start": 2026},
    )
    assert later.status_code == 200 and later.json()["number"] == number


def test_the_submitter_does_not_accept_their_own_passport(people: dict[str, TestClient]):
    by, ru = people["by-editor"], people["ru-editor"]
    initiator, industry = _ids(by)
    pid = by.post(
        "/api/v1/passports",
        json={
            "title": "Четыре глаза",
            "industry_id": industry,
            "initiator_id": initiator,
            "period_start": 2025,
            "period_end": 2028,
            "content": COMPLETE,
        },
    ).json()["id"]
    assert by.post(f"/api/v1/passports/{pid}/acts/submit", json={}).status_code == 200
    own = by.post(f"/api/v1/passports/{pid}/acts/accept", json={})
    assert own.status_code == 403 and "four eyes" in own.json()["detail"]
    assert by.get(f"/api/v1/passports/{pid}").json()["status"] == "submitted"  # nothing changed
    accepted = ru.post(f"/api/v1/passports/{pid}/acts/accept", json={})
    assert accepted.status_code == 200 and accepted.json()["status"] == "under_reconciliation"
