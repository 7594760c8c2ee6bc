"""One way to write numbers for people, in pages, documents, reports and exports alike: Babel's
rules of the language (Russian «1 250 000,50», English "1,250,000.50")."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

MAX_PLACES = 3  # quantities are kept to thousandths, money to kopecks


def format_number(
    value: Decimal | int | float | str | None, lang: str, digits: int | None = None
) -> str:
    """`value` grouped in the language's style; `digits` fixes the decimal places, None keeps
    the value's own (a stored «12500000.50» keeps its kopecks, «371250.000» prints as
    «371 250»); a text that is no number is returned as it is."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    if digits is None:  # a whole number without decimals, a fraction with those it was given
        exponent = number.as_tuple().exponent
        fraction = number != number.to_integral_value() and isinstance(exponent, int)
        digits = min(MAX_PLACES, -int(exponent)) if fraction else 0
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(number, format=pattern, locale=lang)


def format_day(value: date | datetime | str | None, lang: str) -> str:
    """A calendar day as the language writes it: «04.12.2026» in Russian (as the forms ask,
    ДД.ММ.ГГГГ), "4 Dec 2026" in English; a stored ISO text is read first."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            return value
    else:
        day = value.date() if isinstance(value, datetime) else value
    return format_date(day, format="dd.MM.yyyy" if lang == "ru" else "d MMM yyyy", locale=lang)


def format_share(share: Decimal | float | None, lang: str, digits: int = 0) -> str:
    """A share (0.415) as a percentage in the language's style: «41,5 %» in Russian, "41.5%"
    in English (the locale's own pattern, with `digits` decimals)."""
    if share is None:
        return "—"
    pattern = Locale.parse(lang).percent_formats[None].pattern  # "#,##0\u00a0%" in Russian
    if digits:
        last = pattern.rindex("0") + 1
        pattern = pattern[:last] + "." + "0" * digits + pattern[last:]
    return format_percent(share, format=pattern, locale=lang)
