"""Selection pages on the demo, as people use them: the overview's figures are the report's, a
call's results show only when the rules allow, a member scores on the sheet, a new call's form
refuses bad weights with the field named, tenders rank their bids, the passport shows its trail."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import csrf_of, sign_in
from unionsync.access.policy import SYSTEM
from unionsync.db.session import make_engine, make_session_factory
from unionsync.selection import report
from unionsync.selection.models import Call, Tender


def person(client: TestClient, username: str) -> TestClient:
    """Another person in their own browser (the fixture's client carries by-editor's token)."""
    other = TestClient(client.app)
    sign_in(other, username)
    return other


def _ids(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        found = {c.status.value: c.id for c in s.scalars(select(Call).order_by(Call.id))}
        found["tender"] = s.scalars(select(Tender.id).order_by(Tender.id)).first() or 0
        found["passport"] = s.scalars(select(Tender.passport_id).order_by(Tender.id)).first() or 0
        totals = report.overview(s, SYSTEM).totals
        found["awarded"], found["delivered"] = totals.awarded, totals.delivered
    engine.dispose()
    return found


def test_the_overview_states_the_reports_figures(client: TestClient, demo_url: str):
    ids = _ids(demo_url)
    page = client.get("/selection")
    assert page.status_code == 200
    headline = re.search(r'id="selection-headline">([^<]+)<', page.text)
    assert headline is not None
    text = headline.group(1).replace("\u00a0", " ")
    assert f"на {ids['awarded']} единиц" in text and f"поставлено {ids['delivered']}" in text
    assert ids["awarded"] > 800 and 250 <= ids["delivered"] <= 350  # the published picture
    assert f'href="/calls/{ids["open"]}"' in page.text
    assert f'href="/tenders/{ids["tender"]}"' in page.text


def test_results_follow_the_rules_and_the_sides_disagreement_shows(
    client: TestClient, demo_url: str
):
    ids = _ids(demo_url)
    hidden = client.get(f"/calls/{ids['evaluation']}")  # by-editor sits on no commission
    assert hidden.status_code == 200 and 'id="results-table"' not in hidden.text
    assert "после представления собственных" in hidden.text
    decided = client.get(f"/calls/{ids['decided']}")
    assert 'id="results-table"' in decided.text and "победитель" in decided.text
    expert = person(client, "ru-expert")  # a member who submitted sees the disagreement
    member_view = expert.get(f"/calls/{ids['evaluation']}")
    assert "стороны расходятся" in member_view.text


def test_a_member_declares_and_scoring_waits_for_the_deadline(client: TestClient, demo_url: str):
    ids = _ids(demo_url)
    expert = person(client, "by-expert")
    sheet = expert.get(f"/calls/{ids['open']}/sheet")
    assert sheet.status_code == 200 and 'id="declare"' in sheet.text
    token = csrf_of(expert, f"/calls/{ids['open']}/sheet")
    declared = expert.post(
        f"/calls/{ids['open']}/declaration", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Оценка начнётся" in declared.text
    # someone who is not on the commission has no sheet
    assert client.get(f"/calls/{ids['open']}/sheet").status_code == 403


def test_the_new_call_form_refuses_bad_weights_and_opens_a_good_call(
    client: TestClient, demo_url: str
):
    form = client.get("/calls/new")
    assert form.status_code == 200
    passport = re.search(r'<option value="(\d+)"', form.text)
    assert passport is not None
    fields = {
        "csrf_token": csrf_of(client, "/calls/new"),
        "title": "Отбор из формы",
        "passport_id": passport.group(1),
        "year": "2027",
        "quantity": "250",
        "deadline": "2030-01-15",
        "members": "by-expert, ru-expert",
        "weight_technical_fit": "30",
        "weight_capacity": "20",
        "weight_price": "20",
        "weight_own_share": "10",
        "weight_time_to_output": "10",
        "weight_localisation": "10",
        "weight_experience": "10",
    }
    refused = client.post("/calls/new", data=fields)
    assert refused.status_code == 422 and "sum to 110" in refused.text
    fields["weight_experience"] = "0"  # left out: the other six sum to 100
    opened = client.post("/calls/new", data=fields, follow_redirects=False)
    assert opened.status_code == 303
    page = client.get(opened.headers["location"])
    assert "Отбор из формы" in page.text and "by-expert" in page.text
    assert 'id="call-publish"' in page.text


def test_tender_page_ranks_bids_and_the_passport_shows_its_trail(client: TestClient, demo_url: str):
    ids = _ids(demo_url)
    page = client.get(f"/tenders/{ids['tender']}")
    assert page.status_code == 200 and "победитель" in page.text
    pdf = client.get(f"/tenders/{ids['tender']}/protocol.pdf")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    passport = client.get(f"/passports/{ids['passport']}")
    assert (
        "История закупок" in passport.text and f'href="/tenders/{ids["tender"]}"' in passport.text
    )
    english = client.get("/lang/en?next=/selection", follow_redirects=True)
    assert "Winners chosen in tenders for" in english.text


def test_states_are_named_in_russian(client: TestClient, demo_url: str):
    ids = _ids(demo_url)
    page = client.get(f"/calls/{ids['evaluation']}").text
    assert "оценка заявок" in page and "evaluation</span>" not in page


def test_a_delivery_and_a_filtered_list_from_the_pages(client: TestClient, demo_url: str):
    from unionsync.selection.models import Contract, Delivery

    engine = make_engine(demo_url)
    with make_session_factory(engine)() as s:
        contract = next(
            c
            for c in s.scalars(select(Contract).order_by(Contract.id))
            if sum(d.units for d in c.deliveries) < c.units
        )
        contract_id, tender_id = contract.id, contract.award.lot.tender_id
        before = sum(d.units for d in contract.deliveries)
        signed = contract.signed_on
    page = client.get(f"/tenders/{tender_id}")
    assert f'action="/contracts/{contract_id}/deliveries"' in page.text
    token = csrf_of(client, f"/tenders/{tender_id}")
    done = client.post(
        f"/contracts/{contract_id}/deliveries",
        data={"csrf_token": token, "units": "1", "delivered_on": signed.isoformat()},
        follow_redirects=False,
    )
    assert done.status_code == 303
    with make_session_factory(engine)() as s:
        after = sum(
            s.scalars(select(Delivery.units).where(Delivery.contract_id == contract_id)).all()
        )
    engine.dispose()
    assert after == before + 1
    refused = client.post(
        f"/contracts/{contract_id}/deliveries",
        data={"csrf_token": token, "units": "0", "delivered_on": signed.isoformat()},
    )
    assert refused.status_code == 422 and "<li>Ед.: " in refused.text  # the field by its label
    listed = client.get("/tenders?origin=CN")
    assert listed.status_code == 200 and "ТНД-" in listed.text
    assert "ТНД-" not in client.get("/tenders?origin=ZZ").text


def test_the_demos_late_bid_refusal_is_in_the_tenders_history(client: TestClient, demo_url: str):
    from unionsync.access.models import AuditEntry

    engine = make_engine(demo_url)
    with make_session_factory(engine)() as s:
        refused = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "tender.late_bid_refused")
        ).all()
    engine.dispose()
    assert len(refused) == 1 and "late bids are refused" in refused[0].after["reason"]
    page = client.get(f"/tenders/{refused[0].entity_id}")
    assert "заявка, поданная после срока, отклонена" in page.text
    assert "опубликовал закупку" in page.text


def test_a_tender_opened_from_the_passport_page(client: TestClient, demo_url: str):
    from unionsync.passports.models import RECONCILED_OR_LATER, Passport

    engine = make_engine(demo_url)
    with make_session_factory(engine)() as s:
        passport = s.scalars(
            select(Passport).where(Passport.status.in_(RECONCILED_OR_LATER)).order_by(Passport.id)
        ).first()
        assert passport is not None
        passport_id = passport.id
    engine.dispose()
    page = client.get(f"/passports/{passport_id}")
    assert f'href="/tenders/new?passport_id={passport_id}"' in page.text
    form = client.get(f"/tenders/new?passport_id={passport_id}")
    assert form.status_code == 200
    fields = {
        "csrf_token": csrf_of(client, f"/tenders/new?passport_id={passport_id}"),
        "title": "Повторная закупка",
        "method": "direct",
        "award_criteria": "priceOnly",
        "currency": "RUB",
        "tender_start": "2030-01-10",
        "tender_end": "2030-02-10",
    }
    # every line is tendered in the demo already, and a direct purchase needs its reason
    refused = client.post(f"/tenders/new?passport_id={passport_id}", data=fields)
    assert refused.status_code == 422 and "method_rationale" in refused.text
    fields["method_rationale"] = "единственный производитель"
    busy = client.post(f"/tenders/new?passport_id={passport_id}", data=fields | {"lines": "1"})
    assert busy.status_code == 422 and "already in tender" in busy.text
