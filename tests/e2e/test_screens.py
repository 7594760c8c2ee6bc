"""Every main page in Debian's Chromium, at 1440 and 390 px, in Russian and in English: nothing
wider than the screen, and no label left in the other language. Screenshots go to
`test-artifacts/screens/`."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.pages import signed_in
from tests.e2e.test_browser import ARTIFACTS, browser, live_url  # noqa: F401

pytestmark = pytest.mark.browser

PAGES = (
    "/",
    "/programs",
    "/programs/1",
    "/items",
    "/enterprises",
    "/capabilities",
    "/matching",
    "/matching/review?order=teaching",
    "/sync",
    "/sync/items",
    "/sync/gaps",
    "/sync/overlaps",
    "/sync/items/1",
    "/passports",
    "/passports/1",
    "/selection",
    "/finance",
    "/roadmap",
    "/roadmap?passport_id=1",
    "/trade",
    "/trade/mirror",
    "/opportunities",
    "/nomenclature",
    "/audit",
)
# what the interface itself says (headings, column heads, labels, buttons, the menu, states),
# as opposed to the data it shows (names, codes, titles), which stay as they were entered
CHROME = "h2, h3, th, label, button, .mainnav a, dt, summary, legend, .found, .badge, .pager, .lead"
# Latin words a Russian page may show: currencies, file formats, acronyms, the product's name
LATIN_OK = {
    "BYN", "RUB", "USD", "EUR", "PDF", "DOCX", "XLSX", "CSV", "Excel", "Word", "SHA", "API",
    "JSON", "UnionSync", "HHI", "RCA", "PERT", "P50", "P80", "P95", "CPM", "ID", "UTC", "OCDS",
    "XIRR", "NPV", "IRR", "DSCR", "COG", "PCI", "ECI", "BACI", "Comtrade", "CIF", "FOB",
}  # fmt: skip
PASSPORT_NUMBER = re.compile(r"^[«(]?(СГ|ОТБ|ЗАК)-[\d-]+[»),.:]?$")


def _chrome_texts(page: Any) -> list[str]:
    """The interface's texts, without what is marked as data not to translate (a name, a
    username: `translate="no"`)."""
    texts: list[str] = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter(e => !e.closest('[translate="no"]'))
            .map(e => { const c = e.cloneNode(true);
                        c.querySelectorAll('[translate="no"]').forEach(x => x.remove());
                        const walk = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
                        const parts = [];
                        while (walk.nextNode()) { parts.push(walk.currentNode.data); }
                        return parts.join(" "); })""",
        CHROME,
    )
    return [" ".join(t.split()) for t in texts if t.strip()]


def _foreign(texts: list[str], language: str) -> list[str]:
    """The words that are in the other language (a few, to name in the failure)."""
    found = []
    for text in texts:
        for word in re.findall(r"[\w«»().,:;\-/]+", text):
            if language == "ru":
                latin = re.fullmatch(r"[(«]?([A-Za-z][A-Za-z\-]*[A-Za-z])[»),.:;]?", word)
                if (
                    latin
                    and latin.group(1) not in LATIN_OK
                    and len(latin.group(1)) >= 3
                    and not re.fullmatch(r"[A-Z]{2,}(-[A-Z0-9]+)+", latin.group(1))  # codes
                ):
                    found.append(f"{word} ← {text[:60]}")
            elif re.search(r"[А-Яа-яЁё]", word) and not PASSPORT_NUMBER.match(word):
                found.append(f"{word} ← {text[:60]}")
    return found[:8]


@pytest.mark.parametrize("width", (1440, 390))
def test_every_main_page_fits_the_screen_and_speaks_one_language(live_url, browser, width):  # noqa: F811
    folder = ARTIFACTS / "screens"
    folder.mkdir(parents=True, exist_ok=True)
    context, page = signed_in(browser, live_url, "union-viewer", width=width)
    problems: list[str] = []
    try:
        for language in ("ru", "en"):
            context.add_cookies([{"name": "lang", "value": language, "url": live_url}])
            for path in PAGES:
                answer = page.goto(live_url + path)
                assert answer is not None and answer.status == 200, (path, language)
                page.wait_for_load_state("networkidle")
                name = re.sub(r"[^a-z0-9]+", "-", path.strip("/")) or "overview"
                page.screenshot(path=str(folder / f"{name}-{language}-{width}.png"), full_page=True)
                wide = page.evaluate("document.documentElement.scrollWidth")
                if wide > width + 1:
                    problems.append(f"{path} [{language}, {width}px]: {wide} px wide")
                foreign = _foreign(_chrome_texts(page), language)
                if foreign:
                    problems.append(f"{path} [{language}]: {foreign}")
    finally:
        context.close()
    assert problems == [], "\n".join(problems)
