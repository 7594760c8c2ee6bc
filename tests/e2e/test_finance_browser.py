"""A drawdown request from the borrower's side through the bank's and the ministry's approval to
the disbursement, in Debian's Chromium, by the people who do it: Belarus's ministry editor asks
on the agreement page, the bank's editor approves from its inbox, Belarus's approver approves,
the bank records the disbursement; the facility's figures move by the amount. Screenshots of the
finance pages (1440 and 390 px, Russian and English) go to `test-artifacts/`."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.e2e.pages import act, signed_in, switch_language
from tests.e2e.test_browser import ARTIFACTS, browser, live_url  # noqa: F401
from unionsync.access.models import User
from unionsync.db.session import make_engine
from unionsync.finance.models import CreditAgreement, DrawdownRequest

pytestmark = pytest.mark.browser


def _number(text: str) -> Decimal:
    return Decimal(text.replace("\u00a0", "").replace(" ", "").replace(",", "."))


def test_a_drawdown_through_bank_and_ministry_to_disbursement(live_url, browser, demo_url):  # noqa: F811
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    engine = make_engine(demo_url)
    with engine.connect() as connection:
        bank_id = connection.execute(
            select(User.organization_id).where(User.username == "bank-editor")
        ).scalar_one()
        agreement_id = (
            connection.execute(
                select(CreditAgreement.id)
                .where(CreditAgreement.bank_id == bank_id)
                .order_by(CreditAgreement.id)
            )
            .scalars()
            .first()
        )
    engine.dispose()

    ministry_context, ministry = signed_in(browser, live_url, "by-editor")
    ministry.goto(f"{live_url}/finance/agreements/{agreement_id}")
    drawn_before = _number(ministry.locator("#kpi-drawn").inner_text())
    ministry.fill("#drawdown-amount", "1 250 000,50")
    ministry.fill("#drawdown-purpose", "Оплата монтажа линии (браузерная проверка)")
    act(ministry, "#drawdown-submit")
    row = ministry.locator("#drawdowns tbody tr").last
    assert "подана" in row.inner_text()
    drawdown_id = int((row.get_attribute("id") or "").split("-")[-1])
    assert ministry.locator(f"#act-bank-approve-{drawdown_id}").count() == 0  # not the bank

    bank_context, bank = signed_in(browser, live_url, "bank-editor")
    bank.goto(live_url + "/finance/inbox")
    bank.screenshot(path=str(ARTIFACTS / "finance-inbox-ru-1440.png"), full_page=True)
    act(bank, f"#inbox-bank-approve-{drawdown_id}")
    # now it waits for the ministry, not for the bank
    assert bank.locator(f"#waiting-for-you #inbox-{drawdown_id}").count() == 0
    assert bank.locator(f"#in-progress #inbox-{drawdown_id}").count() == 1

    approver_context, approver = signed_in(browser, live_url, "by-approver")
    approver.goto(live_url + "/finance/inbox")
    mine = approver.locator(f"#waiting-for-you #inbox-{drawdown_id}")
    assert "одобрена банком" in mine.inner_text()
    act(approver, f"#inbox-ministry-approve-{drawdown_id}")

    bank.goto(f"{live_url}/finance/agreements/{agreement_id}")
    act(bank, f"#act-disburse-{drawdown_id}")
    assert "выдано" in bank.locator(f"#drawdown-{drawdown_id}").inner_text()
    drawn_after = _number(bank.locator("#kpi-drawn").inner_text())
    assert drawn_after == drawn_before + Decimal("1250000.50")
    engine = make_engine(demo_url)
    with engine.connect() as connection:
        found = connection.execute(
            select(DrawdownRequest).where(DrawdownRequest.id == drawdown_id)
        ).one()
    engine.dispose()
    assert (found.bank_approved_by, found.ministry_approved_by, found.disbursed_by) == (
        "bank-editor",
        "by-approver",
        "bank-editor",
    )

    # the pages as users see them: the facility, the agreement, a passport's financing
    ministry.goto(live_url + "/finance")
    assert ministry.locator("#chart-drawdown .main-svg").count() > 0
    ministry.screenshot(path=str(ARTIFACTS / "finance-facility-ru-1440.png"), full_page=True)
    ministry.goto(f"{live_url}/passports/1/financing?b_price=-20&b_delay=1")
    assert ministry.locator("#chart-tornado .main-svg").count() > 0
    assert ministry.locator("#npv-b").count() == 1
    ministry.screenshot(path=str(ARTIFACTS / "finance-passport-ru-1440.png"), full_page=True)
    ministry.click("#lang-en")
    ministry.wait_for_selector("html[lang='en']")
    ministry.screenshot(path=str(ARTIFACTS / "finance-passport-en-1440.png"), full_page=True)
    ministry.goto(live_url + "/finance")
    ministry.screenshot(path=str(ARTIFACTS / "finance-facility-en-1440.png"), full_page=True)
    for language in ("ru", "en"):
        context, phone = signed_in(browser, live_url, "union-viewer", width=390)
        if language == "en":
            switch_language(phone, "en")
        phone.goto(live_url + "/finance")
        phone.screenshot(
            path=str(ARTIFACTS / f"finance-facility-{language}-390.png"), full_page=True
        )
        phone.goto(f"{live_url}/finance/agreements/{agreement_id}")
        phone.screenshot(
            path=str(ARTIFACTS / f"finance-agreement-{language}-390.png"), full_page=True
        )
        context.close()
    for context in (ministry_context, bank_context, approver_context):
        context.close()
