"""Equipment tenders on the demo: lots from a reconciled passport's equipment lines, the OCDS
state machine (every act in every state), late and unconvertible bids, the award arithmetic,
contracts, deliveries and the passport's line progress; the OCDS export validated against the
standard's schema; the protocol documents."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tests.conftest import shared_data
from tests.selection.test_calls import enterprise, person
from unionsync.access.policy import SYSTEM, PermissionDeniedError
from unionsync.core.errors import DomainValidationError
from unionsync.finance.models import DrawdownRequest
from unionsync.passports.models import RECONCILED_OR_LATER, Passport
from unionsync.selection import ocds, protocol, report, tenders
from unionsync.selection.models import (
    Award,
    AwardCriteria,
    Bid,
    Contract,
    Delivery,
    Lot,
    Method,
    Tender,
    TenderStatus,
)
from unionsync.selection.schemas import BidIn, ContractIn, DeliveryIn, ScheduleIn, TenderCreate
from unionsync.selection.tenders import TenderStateError
from unionsync.trade.models import ExchangeRate

T = TenderStatus
NOW = datetime.now(UTC)


@pytest.fixture
def passport(demo_session: Session) -> Passport:
    found = demo_session.scalars(
        select(Passport).where(Passport.status.in_(RECONCILED_OR_LATER)).order_by(Passport.id)
    ).first()
    assert found is not None and tenders.equipment_lines(found)
    # the demo has tendered every line already: these tests start from a passport without
    tender_ids = select(Tender.id).where(Tender.passport_id == found.id)
    lot_ids = select(Lot.id).where(Lot.tender_id.in_(tender_ids))
    award_ids = select(Award.id).where(Award.lot_id.in_(lot_ids))
    contract_ids = select(Contract.id).where(Contract.award_id.in_(award_ids))
    for table, condition in (
        (DrawdownRequest, DrawdownRequest.contract_id.in_(contract_ids)),  # what paid them
        (Delivery, Delivery.contract_id.in_(contract_ids)),
        (Contract, Contract.id.in_(contract_ids)),
        (Award, Award.id.in_(award_ids)),
        (Bid, Bid.lot_id.in_(lot_ids)),
        (Lot, Lot.id.in_(lot_ids)),
        (Tender, Tender.id.in_(tender_ids)),
    ):
        demo_session.execute(delete(table).where(condition))
    demo_session.expire_all()
    return found


def tender_body(passport: Passport, **extra: Any) -> TenderCreate:
    fields: dict[str, Any] = {
        "passport_id": passport.id,
        "title": "Закупка оборудования",
        "currency": "RUB",
        "tender_start": NOW - timedelta(days=1),
        "tender_end": NOW + timedelta(days=5),
    }
    fields.update(extra)
    return TenderCreate.model_validate(fields)


def bid(lot: int, supplier: int, amount: int, currency: str = "RUB", **extra: Any) -> BidIn:
    return BidIn.model_validate(
        {"lot_id": lot, "supplier_id": supplier, "units": 1, "amount": amount, "currency": currency}
        | extra
    )


def close_period(session: Session, tender: Tender) -> None:
    tender.tender_end = datetime.now(UTC) - timedelta(seconds=1)
    session.flush()


def test_the_method_needs_its_reason_and_the_dates_their_order(passport: Passport):
    with pytest.raises(ValidationError, match="method_rationale"):
        tender_body(passport, method="direct")
    with pytest.raises(ValidationError, match="after tender_start"):
        tender_body(passport, tender_end=NOW - timedelta(days=2))
    with pytest.raises(ValidationError, match="within the tender period"):
        tender_body(passport, enquiry_end=NOW + timedelta(days=9))
    assert tender_body(passport, method="direct", method_rationale="единственный поставщик")


def test_every_act_in_every_state(demo_session: Session, passport: Passport):
    """publish, award and cancel from each OCDS state: allowed moves go where the diagram says,
    the rest are refused with the state named."""
    s = demo_session
    editor = person(s, "by-editor")
    expected = {
        (T.PLANNING, "publish"): T.ACTIVE,
        (T.PLANNING, "cancel"): T.CANCELLED,
        (T.ACTIVE, "award"): T.UNSUCCESSFUL,  # no bids: unsuccessful
        (T.ACTIVE, "cancel"): T.CANCELLED,
    }
    for state in T:
        for act in ("publish", "award", "cancel"):
            tender = tenders.open_tender(s, editor, tender_body(passport, lines=[1]))
            tender.status = state
            close_period(s, tender) if act == "award" else None
            if act == "publish":
                tender.tender_end = NOW + timedelta(days=5)
            s.flush()
            target = expected.get((state, act))
            run = {
                "publish": lambda t=tender: tenders.publish(s, editor, t.id),
                "award": lambda t=tender: tenders.award(s, editor, t.id),
                "cancel": lambda t=tender: tenders.cancel(s, editor, t.id, "причина"),
            }[act]
            if target is None:
                with pytest.raises(TenderStateError, match=state.value):
                    run()
            else:
                assert run().status is target, (state, act)
            tender.status = T.CANCELLED  # frees its line for the next round
            s.flush()


def test_bids_awards_contracts_and_deliveries(demo_session: Session, passport: Passport):
    s = demo_session
    editor, viewer = person(s, "by-editor"), person(s, "union-viewer")
    with pytest.raises(PermissionDeniedError):
        tenders.open_tender(s, viewer, tender_body(passport))
    tender = tenders.open_tender(
        s,
        editor,
        tender_body(passport, award_criteria=AwardCriteria.PRICE_QUALITY, price_weight=70),
    )
    assert [lot.line for lot in tender.lots] == [1, 2, 3]
    with pytest.raises(DomainValidationError, match="already in tender"):
        tenders.open_tender(s, editor, tender_body(passport, lines=[2]))
    tenders.publish(s, editor, tender.id)
    lot1, lot2, _lot3 = tender.lots
    by_plant, ru_plant, other = (
        enterprise(s, "BY", 1),
        enterprise(s, "RU", 1),
        enterprise(s, "RU", 2),
    )

    # price and quality: score = 70·(lowest/price) + 0.3·quality
    tenders.submit_bid(s, editor, tender.id, bid(lot1.id, by_plant.id, 1000, quality=50))
    tenders.submit_bid(s, editor, tender.id, bid(lot1.id, ru_plant.id, 1250, quality=100))
    with pytest.raises(DomainValidationError, match="give its score"):
        tenders.submit_bid(s, editor, tender.id, bid(lot2.id, by_plant.id, 10))
    # another currency: converted at the year's rate, or refused naming the missing rate
    with pytest.raises(DomainValidationError, match=r"no exchange rate USD/RUB for \d{4}"):
        tenders.submit_bid(s, editor, tender.id, bid(lot2.id, by_plant.id, 10, "USD", quality=10))
    year = NOW.year
    for currency, rate in (("USD", Decimal("3.2")), ("RUB", Decimal("0.032"))):
        if (
            s.scalar(
                select(ExchangeRate.id).where(
                    ExchangeRate.year == year,
                    ExchangeRate.currency == currency,
                    ExchangeRate.quote == "BYN",
                )
            )
            is None
        ):
            s.add(ExchangeRate(year=year, currency=currency, quote="BYN", rate=rate, source="t"))
    s.flush()
    usd = tenders.submit_bid(s, editor, tender.id, bid(lot2.id, ru_plant.id, 10, "USD", quality=10))
    assert usd.amount_in_tender > 10 and usd.currency.value == "USD"
    # late bids are refused with the time the tender closed
    with pytest.raises(TenderStateError, match="late bids are refused"):
        tenders.submit_bid(
            s,
            editor,
            tender.id,
            bid(lot2.id, other.id, 5, quality=90),
            at=tender.tender_end + timedelta(minutes=1),
        )
    with pytest.raises(TenderStateError, match="takes bids until"):
        tenders.award(s, editor, tender.id)

    close_period(s, tender)
    ranked = tenders.evaluate(tender, lot1)
    # 1000: 70·1 + 0.3·50 = 85.00; 1250: 70·0.8 + 0.3·100 = 86.00 → quality wins
    assert [(r.bid.supplier_id, r.score) for r in ranked] == [
        (ru_plant.id, Decimal("86.00")),
        (by_plant.id, Decimal("85.00")),
    ]
    tenders.award(s, editor, tender.id)
    assert tender.status is T.COMPLETE and _lot3.unsuccessful
    awards = tenders.awards(s, tender)
    assert [a.bid.supplier_id for a in awards] == [ru_plant.id, ru_plant.id]

    with pytest.raises(DomainValidationError, match="schedule delivers 2"):
        tenders.sign_contract(
            s,
            editor,
            tender.id,
            ContractIn(
                award_id=awards[0].id,
                number="К-1",
                signed_on=date(2026, 1, 10),
                schedule=[ScheduleIn(due_on=date(2026, 3, 1), units=2)],
            ),
        )
    contract = tenders.sign_contract(
        s,
        editor,
        tender.id,
        ContractIn(
            award_id=awards[0].id,
            number="К-1",
            signed_on=date(2026, 1, 10),
            schedule=[ScheduleIn(due_on=date(2026, 3, 1), units=1)],
        ),
    )
    assert contract.amount == Decimal(1250) and contract.units == 1
    with pytest.raises(DomainValidationError, match="before the contract was signed"):
        tenders.record_delivery(
            s, editor, contract.id, DeliveryIn(units=1, delivered_on=date(2025, 12, 1))
        )
    tenders.record_delivery(
        s, editor, contract.id, DeliveryIn(units=1, delivered_on=date(2026, 2, 1))
    )
    with pytest.raises(DomainValidationError, match="exceed the contract"):
        tenders.record_delivery(
            s, editor, contract.id, DeliveryIn(units=1, delivered_on=date(2026, 2, 2))
        )

    lines = tenders.equipment_progress(s, passport)
    first = lines[0]
    assert (first.tendered, first.contracted, first.delivered) == (first.quantity, 1, 1)
    assert lines[2].tendered == 0  # the unsuccessful lot is free to be tendered again

    overview = report.overview(s, viewer)
    assert overview.totals.awarded >= 2 and overview.totals.delivered >= 1
    assert any(line.key == "RU" and line.contracts >= 1 for line in overview.by_country)

    # the protocol, as the sides sign it
    docx, name, media = protocol.tender_protocol(s, viewer, tender.id, "docx", "ru")
    assert docx[:2] == b"PK" and name.endswith(".docx") and "word" in media
    pdf, _name, _media = protocol.tender_protocol(s, viewer, tender.id, "pdf", "en")
    assert pdf[:5] == b"%PDF-"
    _data, document = protocol.content(tender, "ru")
    assert document.content_hash == protocol.content(tender, "ru")[1].content_hash
    assert any("победитель" in row for _t, _h, rows, _x in document.sections for row in rows)


def validator() -> Any:
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    folder = shared_data("ocds")
    release = json.loads((folder / "release-schema.json").read_text(encoding="utf-8"))
    package = json.loads((folder / "release-package-schema.json").read_text(encoding="utf-8"))
    registry: Registry = Registry().with_resources(
        [
            (release["id"], Resource.from_contents(release, default_specification=DRAFT4)),
            (package["id"], Resource.from_contents(package, default_specification=DRAFT4)),
        ]
    )
    return Draft4Validator(package, registry=registry)


def test_the_release_package_is_valid_ocds(demo_session: Session, passport: Passport):
    s = demo_session
    editor = person(s, "by-editor")
    tender = tenders.open_tender(
        s,
        editor,
        tender_body(passport, method=Method.SELECTIVE, method_rationale="квалифицированные"),
    )
    tenders.publish(s, editor, tender.id)
    tenders.submit_bid(s, editor, tender.id, bid(tender.lots[0].id, enterprise(s, "RU", 1).id, 99))
    close_period(s, tender)
    tenders.award(s, editor, tender.id)
    award = tenders.awards(s, tender)[0]
    contract = tenders.sign_contract(
        s,
        editor,
        tender.id,
        ContractIn(award_id=award.id, number="К-OCDS", signed_on=date(2026, 1, 1)),
    )
    tenders.record_delivery(
        s, editor, contract.id, DeliveryIn(units=1, delivered_on=date(2026, 2, 1))
    )
    package = ocds.release_package(s, SYSTEM, "ocds-unsync")
    errors = sorted(validator().iter_errors(package), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    # the validator does reach into the releases: a state outside the closed codelist fails
    broken = json.loads(json.dumps(package))
    broken["releases"][-1]["tender"]["status"] = "half-done"
    assert any("half-done" in e.message for e in validator().iter_errors(broken))
    # the state loan's disbursements that paid the demo's contracts are their transactions,
    # paid by a lending bank (a funder) to the contract's supplier
    paid = 0
    for release in package["releases"]:
        roles = {p["id"]: p["roles"] for p in release["parties"]}
        for signed in release.get("contracts", []):
            transactions = signed["implementation"].get("transactions", [])
            for transaction in transactions:
                assert "funder" in roles[transaction["payer"]["id"]]
                assert "payee" in roles[transaction["payee"]["id"]]
                paid += 1
            total = sum(Decimal(str(t["value"]["amount"])) for t in transactions)
            assert total <= Decimal(str(signed["value"]["amount"]))
    assert paid >= 10
    mine = next(r for r in package["releases"] if r["ocid"] == f"ocds-unsync-tender-{tender.id}")
    assert mine["tender"]["procurementMethod"] == "selective"
    assert mine["tag"] == ["tender", "award", "contract", "implementation"]
    assert mine["awards"][0]["suppliers"][0]["id"].startswith("RU-INN-") or mine["awards"][0][
        "suppliers"
    ][0]["id"].startswith("XX-")
    roles = {p["id"]: p["roles"] for p in mine["parties"]}
    assert roles[mine["buyer"]["id"]] == ["buyer", "procuringEntity"]
    assert mine["tender"]["items"][0]["classification"]["scheme"] == "TNVED"
    # a bank sees only the tenders of passports it finances, and no calls
    bank = person(s, "bank-viewer")
    seen = ocds.release_package(s, bank, "ocds-unsync")["releases"]
    assert all("-tender-" in r["ocid"] for r in seen)
