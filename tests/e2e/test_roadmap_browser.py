"""The roadmap in Debian's Chromium: Belarus's editor adds a task to a passport, makes it come
before the passport's last control point, then shifts it by a long duration; the control point
moves, joins the critical path and appears among what slipped, and on `/sync` the passport's
program items now come after their target years. Screenshots of the roadmap
(1440 and 390 px, Russian and English) go to `test-artifacts/`."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.e2e.pages import act, signed_in, switch_language
from tests.e2e.test_browser import ARTIFACTS, browser, live_url  # noqa: F401
from unionsync.db.session import make_engine
from unionsync.passports.models import Passport
from unionsync.roadmap.models import RoadmapTask

pytestmark = pytest.mark.browser


def test_shift_a_task_and_see_the_critical_path_and_the_slip_move(live_url, browser, demo_url):  # noqa: F811
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    engine = make_engine(demo_url)
    with engine.connect() as connection:
        last = connection.execute(
            select(RoadmapTask.id, RoadmapTask.title).where(
                RoadmapTask.passport_id == 1, RoadmapTask.key.endswith(":milestone:3")
            )
        ).one()
        number = connection.execute(select(Passport.number).where(Passport.id == 1)).scalar_one()
    engine.dispose()
    context, page = signed_in(browser, live_url, "by-editor")
    page.goto(f"{live_url}/roadmap?passport_id=1")
    assert page.locator("#chart-gantt .main-svg").count() > 0
    page.screenshot(path=str(ARTIFACTS / "roadmap-passport-ru-1440.png"), full_page=True)
    slipped_before = page.locator("#slipped tbody").inner_text()
    page.goto(f"{live_url}/sync")
    assert number not in page.locator("#sync-late tbody").first.inner_text()
    page.goto(f"{live_url}/roadmap?passport_id=1")
    page.fill("#task-form input[name=title]", "Сертификация продукции (браузерная проверка)")
    page.fill("#task-form input[name=planned_start]", "2027-02-01")
    page.fill("#task-form input[name=duration]", "20")
    act(page, "#task-form button[type=submit]")
    task_url = page.url
    page.select_option("#dependency-after", str(last.id))
    act(page, "#dependency-submit")
    assert last.title in page.locator("main").inner_text()
    page.fill("#change-duration", "800")
    act(page, "#change-submit")
    assert page.locator("#task-duration").inner_text() == "800"
    assert "критическая" in page.locator("#task-float").inner_text()
    page.goto(f"{live_url}/roadmap/tasks/{last.id}")
    assert "критическая" in page.locator("#task-float").inner_text()
    assert int(page.locator("#task-slip").inner_text()) > 0
    page.goto(f"{live_url}/roadmap?passport_id=1")
    slipped = page.locator("#slipped tbody").inner_text()
    assert last.title in slipped and slipped != slipped_before
    assert page.locator(f"#task-{last.id}.critical").count() == 1
    page.screenshot(path=str(ARTIFACTS / "roadmap-passport-shifted-ru-1440.png"), full_page=True)
    # the program items this passport covers now come after their target years on /sync
    page.goto(f"{live_url}/sync")
    late = page.locator("#sync-late")
    assert number in late.locator("tbody").first.inner_text()
    late.screenshot(path=str(ARTIFACTS / "sync-late-ru-1440.png"))
    page.goto(f"{live_url}/roadmap?passport_id=1")
    assert task_url.startswith(f"{live_url}/roadmap/tasks/")
    page.click("#lang-en")
    page.wait_for_selector("html[lang='en']")
    page.screenshot(path=str(ARTIFACTS / "roadmap-passport-en-1440.png"), full_page=True)
    context.close()
    for language in ("ru", "en"):
        context, phone = signed_in(browser, live_url, "union-viewer", width=390)
        if language == "en":
            switch_language(phone, "en")
        phone.goto(f"{live_url}/roadmap?passport_id=1")
        phone.screenshot(
            path=str(ARTIFACTS / f"roadmap-passport-{language}-390.png"), full_page=True
        )
        context.close()
