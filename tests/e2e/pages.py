"""What the browser tests share: a user signed in in a fresh context, and a click that waits
for the page it leads to."""

from __future__ import annotations

from typing import Any

from tests.e2e.test_browser import _sign_in


def signed_in(chromium: Any, base: str, user: str, width: int = 1440) -> tuple[Any, Any]:
    """A new context (Russian locale) and its page, signed in as `user`."""
    context = chromium.new_context(viewport={"width": width, "height": 1000}, locale="ru-RU")
    page = context.new_page()
    page.goto(base + "/login")
    _sign_in(page, user)
    return context, page


def act(page: Any, button: str) -> None:
    """Click and wait for the navigation (a form's act) on a shared, busy machine."""
    with page.expect_navigation(timeout=60_000):
        page.click(button)


def switch_language(page: Any, language: str) -> None:
    """Click the language switch as a user would: on a phone it sits in the folded menu, which
    is opened first."""
    toggle = page.locator("#menu-toggle")
    if toggle.is_visible():
        toggle.click()
    page.click(f"#lang-{language}")
    page.wait_for_selector(f"html[lang='{language}']")
