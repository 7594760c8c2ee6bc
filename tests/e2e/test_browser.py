"""A person's path through the UI in Debian's Chromium: sign in, dashboard in Russian, English, an
upload.

Screenshots go to `test-artifacts/` (or $UNIONSYNC_SCREENSHOT_DIR) to be looked at.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from tests.conftest import make_settings
from unionsync.app import create_app
from unionsync.catalog.template import PROGRAM_COLUMNS

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(
    os.environ.get(
        "UNIONSYNC_SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "test-artifacts"
    )
)

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_url(tmp_path: Path, demo_url: str) -> Iterator[str]:
    """The app served by uvicorn in a thread, over a private copy of the demo, with its
    background-job worker running as in production."""
    port = _free_port()
    settings = make_settings(tmp_path, demo_url).model_copy(update={"jobs_in_process": True})
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start in 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI (.ci/run installs Debian's chromium)")
        pytest.skip(f"Debian's Chromium ({CHROMIUM}) is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield instance
        instance.close()


def _sign_in(page, user: str) -> None:  # type: ignore[no-untyped-def]
    """Submit the sign-in form and wait for the signed-in page; on a shared, busy machine that
    can take long, and if it never comes, say what the page showed instead."""
    page.fill("#username", user)
    page.fill("#password", "demo")
    with page.expect_navigation(timeout=90_000):
        page.click("#login-submit")
    try:
        # attached, not visible: on a phone the user menu is folded behind the menu button
        page.wait_for_selector("#signed-in-as", state="attached", timeout=90_000)
    except Exception as error:
        alerts = page.locator(".alert").all_inner_texts()
        raise AssertionError(f"not signed in: at {page.url}, alerts {alerts}") from error


# the server fixture comes first so that it stops after the browser has closed its connections
def test_dashboard_language_switch_and_upload_with_a_row_error(live_url, browser, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
    page.goto(live_url + "/")
    page.wait_for_selector("#login-form")  # anonymous visitors are sent to sign in
    assert "by-editor" in page.locator(".demo-users").inner_text()
    page.screenshot(path=str(ARTIFACTS / "sign-in-ru.png"), full_page=True)
    _sign_in(page, "by-editor")
    assert "by-editor" in page.locator("#signed-in-as").inner_text()
    assert page.locator("h1").inner_text() == "Импортозамещение в Союзном государстве"
    page.wait_for_selector("#chart-trade[data-drawn='true'] .main-svg")
    page.wait_for_selector("#chart-passports[data-drawn='true'] .main-svg")
    assert page.locator("[data-figure='passports-reconciled'] b").inner_text() == "12"
    page.screenshot(path=str(ARTIFACTS / "dashboard-ru.png"), full_page=True)

    page.click("#lang-en")
    page.wait_for_selector("html[lang='en']")
    assert page.locator("h1").inner_text() == "Import substitution in the Union State"
    page.screenshot(path=str(ARTIFACTS / "dashboard-en.png"), full_page=True)

    headers = ";".join(c.ru for c in PROGRAM_COLUMNS)
    good = "BY;BY-E2E;Тест;;machine-tools;2025;2027;1;;1;Станок токарный;;8458118000;шт;;;;"
    bad = "BY;BY-E2E;Тест;;machine-tools;2025;2027;1;;2;Лошади;;101210000;шт;;;;"
    upload = tmp_path / "program-with-a-bad-row.csv"
    upload.write_text(f"{headers}\n{good}\n{bad}\n", encoding="utf-8")
    page.click("a[href='/upload']")
    page.set_input_files("#upload-file", str(upload))
    page.click("#upload-submit")
    page.wait_for_selector("#upload-errors")
    rows = page.locator("#upload-errors tbody tr")
    assert rows.count() == 1
    cells = rows.first.locator("td").all_inner_texts()
    assert cells[:3] == ["program-with-a-bad-row.csv", "3", "Код ТН ВЭД ЕАЭС"]
    assert "0101210000" in cells[3] and "leading zero" in cells[3]
    page.screenshot(path=str(ARTIFACTS / "upload-error-en.png"), full_page=True)
    page.close()


def test_matching_run_and_keyboard_review(live_url, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
    page.goto(live_url + "/login")
    _sign_in(page, "by-editor")
    page.click("a[href='/matching']")
    row = page.locator("#match-programs tbody tr").filter(has=page.locator(".run-button")).first
    program_id = row.get_attribute("id").removeprefix("program-")
    row.locator(".run-button").click()
    # the page follows the background job by refreshing itself until the run is done
    try:
        page.wait_for_selector(
            f"#program-{program_id} .badge-reconciled.run-status", timeout=120_000
        )
    except Exception as error:  # say where the run stands, not only that it is late
        runs = page.request.get(f"{live_url}/api/v1/match/runs?program_id={program_id}")
        raise AssertionError(f"the run did not finish: {runs.status} {runs.text()}") from error
    page.screenshot(path=str(ARTIFACTS / "matching-runs-ru.png"), full_page=True)
    page.goto(f"{live_url}/matching/review?program_id={program_id}&state=undecided")
    page.wait_for_selector("article.match.focused")
    cards = page.locator("article.match")
    assert cards.count() >= 3
    first, second = (cards.nth(i).get_attribute("data-match") for i in range(2))
    assert page.locator("article.match.focused").get_attribute("data-match") == first
    page.screenshot(path=str(ARTIFACTS / "matching-review-ru.png"))
    page.keyboard.press("j")  # to the second card
    assert page.locator("article.match.focused").get_attribute("data-match") == second
    with page.expect_navigation():
        page.keyboard.press("a")  # accept it: the page comes back on the card after it
    assert "focus=" in page.url
    page.wait_for_selector("article.match.focused")
    assert page.locator(f"article[data-match='{second}']").count() == 0  # no longer undecided
    focused, header = (
        page.locator("article.match.focused").bounding_box(),
        page.locator(".topbar").bounding_box(),
    )
    assert focused and header and focused["y"] >= header["y"] + header["height"] - 1  # not under it
    with page.expect_navigation():  # reject the focused one, typed on a Russian layout: «к»
        page.evaluate(
            "document.dispatchEvent(new KeyboardEvent('keydown',"
            " {key: 'к', code: 'KeyR', bubbles: true}))"
        )
    page.goto(f"{live_url}/matching/review?program_id={program_id}&state=accepted")
    accepted = page.locator("article.match")
    assert accepted.count() == 1 and accepted.first.get_attribute("data-match") == second
    assert "by-editor" in accepted.first.inner_text()
    page.goto(f"{live_url}/matching/review?program_id={program_id}&state=rejected")
    assert page.locator("article.match").count() == 1
    page.click("#lang-en")
    page.wait_for_selector("html[lang='en']")
    page.screenshot(path=str(ARTIFACTS / "matching-review-en.png"))
    page.click("#lang-ru")
    page.click("a[href='/sync']")
    page.wait_for_selector("#sync-summary tbody tr")
    assert page.locator("#sync-summary tr.total").count() == 1
    page.wait_for_selector("#chart-trajectory[data-drawn='true'] .main-svg")
    page.screenshot(path=str(ARTIFACTS / "sync-ru.png"))
    # a gap becomes a draft passport in one click, and the gap then links to it
    gap = page.locator("#sync-gaps tbody tr").filter(has=page.locator(".draft-passport")).first
    gap_id = gap.get_attribute("id")
    with page.expect_navigation():
        gap.locator(".draft-passport").click()
    page.wait_for_selector("#section-products tbody tr")
    number = page.locator(".facts dd.mono").first.inner_text()
    assert number.startswith("СГ-") and "черновик" in page.locator(".facts").inner_text()
    page.screenshot(path=str(ARTIFACTS / "passport-from-gap-ru.png"))
    page.goto(live_url + "/sync")
    assert number in page.locator(f"#{gap_id}").inner_text()
    page.close()


def test_a_passport_drafted_reconciled_by_both_sides_changed_and_exported(live_url, browser):
    """Draft → submit → accepted by the other side → signed by RU and by BY → change request
    signed by both → the difference between versions → the Word document, each person in their
    own browser."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pages = {}
    for user in ("by-editor", "ru-editor", "by-approver", "ru-approver"):
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
        page = context.new_page()
        page.goto(live_url + "/login")
        _sign_in(page, user)
        pages[user] = page
    editor = pages["by-editor"]
    editor.goto(live_url + "/passports")
    editor.click("#new-passport-link")
    editor.fill("#new-title", "Станки токарные с ЧПУ")
    editor.fill("#new-start", "2025")
    editor.fill("#new-end", "2028")
    with editor.expect_navigation():
        editor.click("#new-create")
    editor.wait_for_selector("#passport-form")
    values = {
        "c.general.goal": "Выпуск токарных станков",
        "c.general.programs": "BY-MACH-01",
        "t.indicators.0.name": "Выпуск станков",
        "t.indicators.0.unit": "шт",
        "t.indicators.0.base_value": "0",
        "t.indicators.0.base_date": "01.01.2025",
        "t.indicators.0.targets": "2027: 60; 2028: 120",
        "t.indicators.0.method": "форма 1-П",
        "t.products.0.name": "Станок токарный с ЧПУ",
        "t.products.0.tnved": "8458 11 000 0",
        "t.products.0.unit": "шт",
        "t.products.0.country": "BY",
        "t.products.0.capacity": "120",
        "t.products.0.start_year": "2028",
        "t.milestones.0.title": "Оборудование смонтировано",
        "t.milestones.0.due": "30.06.2026",
        "t.financing.0.year": "2025",
        "t.financing.0.amount": "1 500 000 000",
        "t.financing.0.currency": "RUB",
        "t.effect.0.year": "2028",
        "t.effect.0.imports_replaced": "900000000",
        "t.effect.0.currency": "RUB",
    }
    for name, value in values.items():
        editor.fill(f"[name='{name}']", value)
    editor.select_option("[name='t.financing.0.source']", "state_loan")
    editor.select_option("[name='t.financing.0.state']", "approved")
    with editor.expect_navigation():
        editor.click("#passport-save")
    editor.wait_for_selector("#section-products")
    url = editor.url
    assert editor.locator("#passport-version").inner_text() == "2"
    with editor.expect_navigation():
        editor.click("#act-submit")
    # four eyes: the one who submitted does not accept; Russia's editor does
    assert editor.locator("#act-accept").count() == 0
    other = pages["ru-editor"]
    other.goto(url)
    with other.expect_navigation():
        other.click("#act-accept")
    assert "на согласовании" in other.locator("#passport-status").inner_text()
    for signer, state in (("ru-approver", "ожидает BY"), ("by-approver", "согласован")):
        page = pages[signer]
        page.goto(url)
        with page.expect_navigation():
            page.click("#act-approve")
        assert state in page.locator("#passport-status").inner_text()
    editor.goto(url)
    editor.screenshot(path=str(ARTIFACTS / "passport-reconciled-ru.png"), full_page=True)
    editor.click("#passport-propose")
    editor.fill("[name='h.title']", "Станки токарные и фрезерные с ЧПУ")
    editor.fill("#change-reason", "Добавлены фрезерные станки")
    with editor.expect_navigation():
        editor.click("#passport-save")
    request = editor.locator("#change-requests .change-request").first
    request_id = request.get_attribute("id").removeprefix("cr-")
    for signer in ("by-approver", "ru-approver"):
        page = pages[signer]
        page.goto(url)
        with page.expect_navigation():
            page.click(f"#cr-approve-{request_id}")
    editor.goto(url)
    assert editor.locator("#passport-version").inner_text() == "3"
    assert "фрезерные" in editor.locator("h1").inner_text()
    with editor.expect_navigation():
        editor.click("#compare-versions")  # the last two versions by default
    rows = editor.locator("#differences tbody tr").all_inner_texts()
    assert any("Наименование" in r and "фрезерные" in r for r in rows)
    editor.screenshot(path=str(ARTIFACTS / "passport-diff-ru.png"))
    editor.goto(url)
    with editor.expect_download() as download:
        editor.click("#doc-docx")
    path = download.value.path()
    assert path is not None and Path(path).read_bytes()[:2] == b"PK"
    assert download.value.suggested_filename.endswith("-v3-ru.docx")
    for page in pages.values():
        page.context.close()


def test_mirror_statistics_and_opportunities_pages(live_url, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
    page.goto(live_url + "/login")
    _sign_in(page, "union-viewer")
    link = page.locator("#trade-reconciled a")
    assert "вероятный истинный объём" in link.inner_text()
    with page.expect_navigation():
        link.click()
    page.wait_for_selector("#chart-mirror[data-drawn='true'] .main-svg")
    years = page.locator("#mirror-years tbody tr").all_inner_texts()
    assert any(row.startswith("2022") for row in years)
    assert page.locator("#mirror-gaps tbody tr").count() > 5
    page.screenshot(path=str(ARTIFACTS / "mirror-ru.png"), full_page=True)
    page.goto(live_url + "/opportunities")
    page.wait_for_selector("#chart-space-RU[data-drawn='true'] .main-svg")
    first = page.locator("#opportunities tbody tr").first.inner_text()
    assert "млн RUB импорта в год" in first
    page.screenshot(path=str(ARTIFACTS / "opportunities-ru.png"))
    page.close()
