"""A call for an executor from opening to the signed decision, in Debian's Chromium, by the
people who do it: a Belarusian editor opens and runs it, editors of both countries apply for
their enterprises, two experts of the two sides score blind, and an approver of each side signs.
Screenshots of the selection pages (1440 and 390 px, Russian and English) go to
`test-artifacts/`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from tests.e2e.pages import act, signed_in, switch_language
from tests.e2e.test_browser import ARTIFACTS, browser, live_url  # noqa: F401
from unionsync.db.session import make_engine
from unionsync.selection.models import Call

pytestmark = pytest.mark.browser


def test_a_call_from_opening_to_the_signed_decision(live_url, browser, demo_url):  # noqa: F811
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    editor_context, editor = signed_in(browser, live_url, "by-editor")
    editor.goto(live_url + "/selection")
    editor.screenshot(path=str(ARTIFACTS / "selection-ru-1440.png"), full_page=True)
    act(editor, "#new-call")
    editor.fill("input[name=title]", "Отбор исполнителя: браузерная проверка")
    editor.select_option("select[name=passport_id]", index=1)
    editor.fill("input[name=year]", "2028")
    editor.fill("input[name=quantity]", "400")
    editor.fill("input[name=deadline]", (datetime.now(UTC) + timedelta(days=7)).date().isoformat())
    editor.fill("input[name=members]", "by-expert, ru-expert")
    act(editor, "#call-create")
    call_url = editor.url
    call_id = int(call_url.rstrip("/").split("/")[-1])
    act(editor, "#call-publish")
    assert "приём заявок" in editor.locator("#call-status").inner_text()

    # an application from each country, entered by its ministry's editor
    def apply(page, product: str, price: str, share: str) -> None:  # type: ignore[no-untyped-def]
        page.fill("#apply-product", product)
        page.fill("#apply-year", "2028")
        page.fill("#apply-capacity", "450")
        page.fill("#apply-price", price)
        page.fill("#apply-first-output", "2027-06-01")
        page.fill("#apply-own-share", share)
        act(page, "#apply-submit")

    apply(editor, "Станок белорусский", "900000", "30")
    ru_context, ru_editor = signed_in(browser, live_url, "ru-editor")
    ru_editor.goto(call_url)
    apply(ru_editor, "Станок российский", "850000", "20")
    assert ru_editor.locator("#applications tbody tr").count() == 2
    ru_context.close()

    # the deadline passes (the clock is moved, not waited for); the editor closes the call
    engine = make_engine(demo_url)
    with engine.begin() as connection:
        connection.execute(
            update(Call)
            .where(Call.id == call_id)
            .values(deadline=datetime.now(UTC) - timedelta(minutes=1))
        )
    engine.dispose()
    editor.goto(call_url)
    act(editor, "#call-close")
    assert "оценка заявок" in editor.locator("#call-status").inner_text()

    # two experts score blind: the first sees no results until submitting
    for expert, high in (("by-expert", "9"), ("ru-expert", "7")):
        context, page = signed_in(browser, live_url, expert)
        page.goto(call_url)
        assert page.locator("#results-table").count() == 0
        act(page, "#open-sheet")
        act(page, "#declare")
        for n, field in enumerate(page.locator("input.score").all()):
            # the first application gets the high score, the second a middling one
            field.fill(high if n < page.locator("input.score").count() // 2 else "5")
        if expert == "by-expert":
            page.screenshot(path=str(ARTIFACTS / "selection-sheet-ru-1440.png"), full_page=True)
        act(page, "#sheet-submit")
        assert page.locator("#results-table").count() == 1
        context.close()

    # an approver of each side signs; the second signature decides
    for approver in ("by-approver", "ru-approver"):
        context, page = signed_in(browser, live_url, approver)
        page.goto(call_url)
        act(page, "#call-sign")
        context.close()
    editor.goto(call_url)
    assert "решение принято" in editor.locator("#call-status").inner_text()
    assert "победитель" in editor.locator("#applications").inner_text()
    editor.screenshot(path=str(ARTIFACTS / "selection-call-ru-1440.png"), full_page=True)
    editor.click("#lang-en")
    editor.wait_for_selector("html[lang='en']")
    assert "decided" in editor.locator("#call-status").inner_text()
    editor.screenshot(path=str(ARTIFACTS / "selection-call-en-1440.png"), full_page=True)
    editor_context.close()

    # the small screen, both languages
    for language in ("ru", "en"):
        context, phone = signed_in(browser, live_url, "union-viewer", width=390)
        if language == "en":
            switch_language(phone, "en")
        phone.goto(live_url + "/selection")
        phone.screenshot(path=str(ARTIFACTS / f"selection-{language}-390.png"), full_page=True)
        phone.goto(call_url)
        phone.screenshot(path=str(ARTIFACTS / f"selection-call-{language}-390.png"), full_page=True)
        phone.goto(live_url + "/tenders/1")
        phone.screenshot(
            path=str(ARTIFACTS / f"selection-tender-{language}-390.png"), full_page=True
        )
        context.close()
    context, wide = signed_in(browser, live_url, "by-editor")
    wide.goto(live_url + "/tenders/1")
    assert "победитель" in wide.locator("#lot-1").inner_text()
    wide.screenshot(path=str(ARTIFACTS / "selection-tender-ru-1440.png"), full_page=True)
    wide.goto(live_url + "/selection")
    wide.screenshot(path=str(ARTIFACTS / "selection-ru-1440.png"), full_page=True)
    context.close()
    engine = make_engine(demo_url)
    with engine.connect() as connection:
        status = connection.execute(select(Call.status).where(Call.id == call_id)).scalar_one()
    engine.dispose()
    assert status.value == "decided"
