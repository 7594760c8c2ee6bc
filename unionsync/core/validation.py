"""One validation for every entrance (API, pages, imports, CLI): bounds that match the columns,
and text without characters that break documents, databases or readers.

The API's schemas (`core/schemas.py`), the template imports (`catalog/transfer.py`), the passport
template and the forms all call these functions, so a value refused by one entrance is refused
by all of them, with the same explanation.

- Whole numbers stored in `INTEGER` columns (ids, positions, versions) stay within PostgreSQL's
  32-bit range; years within 2000–2100 (what programs and passports plan).
- Decimals stay within their column's precision (`ScaledDecimal`: 18 digits, 3 or 2 of them after
  the point), so a value that passes never overflows a column on either database.
- Text is NFC-normalised and stripped; it may not hold NUL or other control characters (tab and
  line breaks only in multi-line text), direction overrides (a bidi "Trojan source" can make a
  name read differently from what is stored), unpaired surrogates or non-characters; and it has
  a length limit (the column's).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from unionsync.core.messages import N_, ExplainedError

MAX_ID = 2**31 - 1  # INTEGER primary keys on PostgreSQL
MAX_PAGE = 1_000_000  # a list page number (offset = page × per_page stays far below 2^63)
YEAR_MIN, YEAR_MAX = 2000, 2100
# decimals stay below these (exclusive) limits: ScaledDecimal keeps 18 digits in all
QUANTITY_LIMIT = Decimal(10) ** 15  # ScaledDecimal(3): 15 digits before the point
AMOUNT_LIMIT = Decimal(10) ** 16  # ScaledDecimal(2): 16 digits before the point
RATE_LIMIT = Decimal(10) ** 12  # ScaledDecimal(6)
MAX_POSITION = MAX_ID

NAME_LENGTH = 500  # product names, titles
SHORT_LENGTH = 120  # regions, sources
CODE_LENGTH = 60  # a code as written («из 8482 10 100 0»)
NOTE_LENGTH = 10_000  # notes, comments, reasons (multi-line)

# Characters refused anywhere: C0 controls but tab/LF/CR, DEL and C1 controls, bidi embeddings,
# overrides and isolates (and the Arabic letter mark), unpaired surrogates, non-characters. Kept
# as regex escapes (a pattern in the OpenAPI document must itself be valid UTF-8 text).
_DOCUMENTED_BAD = (
    r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    r"\ufffe\uffff"
)
_ALWAYS_BAD = _DOCUMENTED_BAD + r"\ud800-\udfff"
_LINE_BAD = r"\t\n\r"
BAD_TEXT = re.compile(f"[{_ALWAYS_BAD}]")
BAD_LINE = re.compile(f"[{_ALWAYS_BAD}{_LINE_BAD}]")
# The same rules as JSON Schema patterns (documented in the OpenAPI schema, so clients and
# fuzzers know what is accepted): at least one visible character, none of the refused ones
# (unpaired surrogates left out: no UTF-8 text carries them, and regex engines refuse them).
_BAD = _DOCUMENTED_BAD
LINE_PATTERN = f"^[^{_BAD}{_LINE_BAD}]*[^{_BAD}\\s][^{_BAD}{_LINE_BAD}]*$"
TEXT_PATTERN = f"^[^{_BAD}]*[^{_BAD}\\s][^{_BAD}]*$"


class TextError(ExplainedError):
    """Text that cannot be stored as given."""


class NumberError(ExplainedError):
    """A cell or field that should hold a number and does not, or one its column cannot hold."""


def clean_text(value: str, *, max_length: int = NAME_LENGTH, multiline: bool = False) -> str:
    """`value` NFC-normalised and stripped, or `TextError` saying which character or limit.

    An empty result is returned as "" (the caller decides whether a value is required)."""
    text = unicodedata.normalize("NFC", value).strip()
    bad = (BAD_TEXT if multiline else BAD_LINE).search(text)
    if bad is not None:
        code = f"U+{ord(bad.group()):04X}"
        if bad.group() in "\t\n\r":
            raise TextError(
                N_("must be one line: %(char)s at character %(position)s"),
                char=code,
                position=bad.start() + 1,
            )
        raise TextError(
            N_("holds a control or direction character %(char)s at character %(position)s"),
            char=code,
            position=bad.start() + 1,
        )
    if len(text) > max_length:
        raise TextError(
            N_("is %(length)s characters long; at most %(limit)s are allowed"),
            length=len(text),
            limit=max_length,
        )
    return text


def parse_decimal(value: Any, *, allow_negative: bool = False) -> Decimal | None:
    """A number as users write it: `1234.5`, `1 234,5`, an Excel float; None for an empty cell."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise NumberError(N_("not a number"))
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = str(value).replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        if len(text) > 60:  # no column holds a number written this long
            raise NumberError(N_("not a number"))
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation as exc:
            raise NumberError(N_("not a number")) from exc
    if not number.is_finite():
        raise NumberError(N_("not a number"))
    if number < 0 and not allow_negative:
        raise NumberError(N_("must not be negative"))
    return number


class DateError(ExplainedError):
    """A cell or field that should hold a date and does not."""


# 2024-06-01 (or as a spreadsheet writes a date cell as text) or 01.06.2024
DAY_FORMS = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?|(\d{2})\.(\d{2})\.(\d{4})")


def parse_day(value: Any) -> date | None:
    """A date as users and spreadsheets write it: a date cell, 2024-06-01 or 01.06.2024;
    None for an empty cell."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    found = DAY_FORMS.fullmatch(text)
    if found:
        year, month, day = found.group(1, 2, 3) if found.group(1) else found.group(6, 5, 4)
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            pass
    raise DateError(N_("«%(value)s» is not a date (2024-06-01 or 01.06.2024)"), value=text)


def parse_int(value: Any) -> int | None:
    """A whole number (a year, a position); None for an empty cell."""
    number = parse_decimal(value)
    if number is None:
        return None
    if abs(number) >= 10**18 or number != number.to_integral_value():
        raise NumberError(N_("must be a whole number") if abs(number) < 10**18 else N_("too large"))
    return int(number)


def check_decimal(number: Decimal, limit: Decimal, places: int) -> Decimal:
    """`number` if it fits a column of `places` decimals below `limit`, else `NumberError`."""
    if not number.is_finite():
        raise NumberError(N_("not a number"))
    if abs(number) >= limit:
        raise NumberError(N_("too large: must be less than %(limit)s"), limit=_plain(limit))
    if number.quantize(Decimal(1).scaleb(-places)) != number:
        raise NumberError(N_("at most %(places)s digits after the decimal point"), places=places)
    return number


def check_int(number: int, low: int, high: int) -> int:
    """`number` if `low` ≤ it ≤ `high`, else `NumberError` naming the range."""
    if not low <= number <= high:
        raise NumberError(N_("must be between %(low)s and %(high)s"), low=low, high=high)
    return number


def _bounded_decimal(limit: Decimal, places: int) -> Callable[[Any], Decimal | None]:
    def parse(value: Any) -> Decimal | None:
        number = parse_decimal(value)
        return None if number is None else check_decimal(number, limit, places)

    return parse


def _bounded_int(low: int, high: int) -> Callable[[Any], int | None]:
    def parse(value: Any) -> int | None:
        number = parse_int(value)
        return None if number is None else check_int(number, low, high)

    return parse


# Readers of one value each (empty → None), bounded by the column that stores it
parse_quantity = _bounded_decimal(QUANTITY_LIMIT, 3)
parse_amount = _bounded_decimal(AMOUNT_LIMIT, 2)
parse_year = _bounded_int(YEAR_MIN, YEAR_MAX)
parse_count = _bounded_int(1, MAX_ID)  # positions, versions, ids


def parse_percent(value: Any) -> Decimal | None:
    """A share in per cent, 0–100 with at most two decimals."""
    number = parse_decimal(value)
    if number is None:
        return None
    if number > 100:
        raise NumberError(N_("a percentage cannot exceed 100"))
    return check_decimal(number, Decimal(1000), 2)


def parse_id(value: Any) -> int | None:
    """An id as a form or JSON gives it (text or number), or None when it is not one."""
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def _plain(number: Decimal) -> str:
    """A limit written without exponent, digits grouped for reading."""
    whole = int(number)
    return f"{whole:,}".replace(",", " ")
