"""One way to write numbers: the language's grouping and decimal mark, kopecks kept."""

from __future__ import annotations

from decimal import Decimal

import pytest

from unionsync.core.numbers import format_number
from unionsync.web.i18n import current_language
from unionsync.web.pages import chart_layout
from unionsync.web.templating import percent


@pytest.mark.parametrize(
    ("value", "lang", "digits", "shown"),
    [
        (Decimal("12500000.50"), "ru", None, "12\u00a0500\u00a0000,50"),  # kopecks kept
        ("12500000.50", "en", None, "12,500,000.50"),
        (Decimal("371250.000"), "ru", None, "371\u00a0250"),  # a whole quantity, no ",000"
        ("1.5", "ru", None, "1,5"),
        (0.769, "ru", 2, "0,77"),
        (0.9, "ru", 2, "0,90"),
        (None, "ru", None, "—"),
        ("много", "ru", None, "много"),
    ],
)
def test_numbers_are_written_as_the_language_writes_them(value, lang, digits, shown):
    assert format_number(value, lang, digits) == shown


def test_shares_and_charts_follow_the_page_language():
    token = current_language.set("ru")
    try:
        assert percent(0.415, 1) == "41,5\u00a0%"
        assert chart_layout()["separators"] == ",\u00a0"
    finally:
        current_language.reset(token)
    token = current_language.set("en")
    try:
        assert percent(0.415) == "42%" and chart_layout()["separators"] == ".,"
    finally:
        current_language.reset(token)


def test_a_row_error_shows_the_value_as_typed_not_its_repr():
    from unionsync.core.tabular import RowError

    error = RowError("p.xlsx", 7, "2025 (количество)", "too large", Decimal("99999999.000"))
    assert str(error).endswith("(value: «99999999»)") and "Decimal" not in str(error)


def test_days_are_written_as_the_forms_ask():
    from datetime import date, datetime

    from unionsync.core.numbers import format_day

    assert format_day(date(2026, 12, 4), "ru") == "04.12.2026"
    assert format_day(datetime(2026, 12, 4, 9, 30), "ru") == "04.12.2026"
    assert format_day("2023-01-01", "ru") == "01.01.2023"  # stored as ISO text
    assert format_day(date(2026, 12, 4), "en") == "4 Dec 2026"
    assert format_day(None, "ru") == "—" and format_day("скоро", "ru") == "скоро"
