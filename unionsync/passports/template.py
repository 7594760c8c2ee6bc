"""The passport template: sections, fields, types and what is required, read from
`template.json` (data, not code: a ministry changes the form by editing that file).

A passport's content is a JSON document `{section: {field: value}}` for a section of fields and
`{section: [{field: value}, …]}` for a table. `clean` turns what a form or the API sent into
that document (numbers as decimal strings, codes normalised, dates ISO) and collects every
problem as a field error naming the section, the row and the field; a draft may be incomplete,
while a passport submitted for reconciliation must have every required field and row.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from unionsync.core.errors import DomainValidationError, FieldError
from unionsync.core.messages import N_, ExplainedError, Message
from unionsync.core.money import Currency
from unionsync.core.numbers import format_day, format_number
from unionsync.core.validation import (
    MAX_ID,
    NOTE_LENGTH,
    QUANTITY_LIMIT,
    YEAR_MAX,
    check_decimal,
    check_int,
    clean_text,
)
from unionsync.nomenclature.codes import parse_tnved
from unionsync.reference.units import resolve_unit

TEMPLATE_FILE = Path(__file__).with_name("template.json")
COUNTRIES = ("BY", "RU")
MAX_ROWS = 500  # rows of one table (equipment lists run to hundreds of lines, not millions)

Content = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    type: str  # text, int, decimal, year, date, year_values, tnved, unit, country, currency, choice
    required: bool
    ru: str
    en: str
    choices: dict[str, dict[str, str]] | None = None

    def label(self, lang: str) -> str:
        return self.ru if lang == "ru" else self.en

    def shown(self, value: Any, lang: str) -> str:
        """A stored value as a reader sees it."""
        if value is None or value == "":
            return ""
        if self.type == "choice" and self.choices and value in self.choices:
            return self.choices[value]["ru" if lang == "ru" else "en"]
        if self.type == "year_values" and isinstance(value, dict):
            return "; ".join(f"{year}: {amount}" for year, amount in value.items())
        if self.type == "decimal":
            return format_number(value, lang)
        if self.type == "date":
            return format_day(str(value), lang)
        if self.type == "unit":
            try:
                unit = resolve_unit(value)
            except ExplainedError:
                return str(value)
            return f"{unit.short_ru if lang == 'ru' else unit.short_en} ({unit.code})"
        return str(value)

    def as_input(self, value: Any) -> str:
        """A stored value as a form's text input holds it (read back by `clean`)."""
        if self.type == "year_values" and isinstance(value, dict):
            return "; ".join(f"{year}: {amount}" for year, amount in value.items())
        return "" if value is None else str(value)


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    kind: str  # "fields" or "table"
    ru: str
    en: str
    fields: tuple[Field, ...]
    min_rows: int = 0

    def label(self, lang: str) -> str:
        return self.ru if lang == "ru" else self.en

    @property
    def is_table(self) -> bool:
        return self.kind == "table"


@dataclass(frozen=True, slots=True)
class Template:
    version: int
    title: dict[str, str]
    sections: tuple[Section, ...]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def empty(self) -> Content:
        return {s.key: [] if s.is_table else {} for s in self.sections}


@cache
def load_template(path: Path = TEMPLATE_FILE) -> Template:
    """The template described in `path` (checked once: a broken file fails loudly)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    sections = []
    for raw in data["sections"]:
        if raw["kind"] not in ("fields", "table"):
            raise ValueError(f"{path}: section {raw['key']}: kind must be fields or table")
        fields = []
        for f in raw["fields"]:
            if f["type"] not in _READERS:
                raise ValueError(f"{path}: {raw['key']}.{f['key']}: unknown type {f['type']}")
            fields.append(
                Field(
                    f["key"], f["type"], bool(f.get("required")), f["ru"], f["en"], f.get("choices")
                )
            )
        sections.append(
            Section(
                raw["key"], raw["kind"], raw["ru"], raw["en"], tuple(fields), raw.get("min_rows", 0)
            )
        )
    return Template(int(data["version"]), data["title"], tuple(sections))


class _ProblemError(Exception):
    """A value a field cannot hold, and why (translatable)."""

    def __init__(self, template: str, **params: Any) -> None:
        self.message = Message(template, **params)
        super().__init__(str(self.message))


def _text(value: Any, _field: Field) -> str:
    """Text as every entrance takes it: no control or direction characters, a length limit."""
    try:
        return clean_text(str(value), max_length=NOTE_LENGTH, multiline=True)
    except ExplainedError as error:
        raise _ProblemError(error.template, **error.params) from None


def _int(value: Any, _field: Field) -> int:
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if not re.fullmatch(r"-?\d{1,18}", text):
        raise _ProblemError(N_("«%(value)s» is not a whole number"), value=value)
    try:
        return check_int(int(text), 0, MAX_ID)
    except ExplainedError as error:
        raise _ProblemError(error.template, **error.params) from None


def _decimal(value: Any, _field: Field) -> str:
    text = str(value).strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        number = Decimal(text) if len(text) <= 60 else Decimal("NaN")
    except InvalidOperation:
        raise _ProblemError(N_("«%(value)s» is not a number"), value=value) from None
    if not number.is_finite():
        raise _ProblemError(N_("«%(value)s» is not a number"), value=value)
    if number < 0:
        raise _ProblemError(N_("cannot be negative"))
    try:  # what a quantity column holds (capacities feed the products table)
        return str(check_decimal(number, QUANTITY_LIMIT, 3))
    except ExplainedError as error:
        raise _ProblemError(error.template, **error.params) from None


def _year(value: Any, field: Field) -> int:
    year = _int(value, field)
    if not 1990 <= year <= YEAR_MAX:
        raise _ProblemError(N_("%(year)s is not a plausible year"), year=year)
    return year


def _date(value: Any, _field: Field) -> str:
    text = str(value).strip()
    for pattern, order in (
        (r"(\d{4})-(\d{2})-(\d{2})", "ymd"),
        (r"(\d{2})\.(\d{2})\.(\d{4})", "dmy"),
    ):
        found = re.fullmatch(pattern, text)
        if found:
            parts = dict(zip(order, found.groups(), strict=True))
            try:
                return date(int(parts["y"]), int(parts["m"]), int(parts["d"])).isoformat()
            except ValueError:
                break
    raise _ProblemError(N_("«%(value)s» is not a date (ДД.ММ.ГГГГ or YYYY-MM-DD)"), value=value)


def _year_values(value: Any, field: Field) -> dict[str, str]:
    """`{"2025": "10"}` from a mapping or from text «2025: 10; 2026: 20»."""
    if isinstance(value, dict):
        pairs = list(value.items())
    else:
        pairs = []
        for chunk in re.split(r"[;\n]", str(value)):
            if not chunk.strip():
                continue
            if ":" not in chunk:
                raise _ProblemError(
                    N_("«%(value)s»: write «year: value», e.g. «2025: 10; 2026: 20»"),
                    value=chunk.strip(),
                )
            year, amount = chunk.split(":", 1)
            pairs.append((year, amount))
    result = {}
    for year, amount in pairs:
        result[str(_year(year, field))] = _decimal(amount, field)
    return dict(sorted(result.items()))


def _tnved(value: Any, _field: Field) -> str:
    try:
        return parse_tnved(value).digits
    except ExplainedError as error:
        raise _ProblemError(error.template, **error.params) from None


def _unit(value: Any, _field: Field) -> str:
    try:
        return resolve_unit(value).code
    except ExplainedError as error:
        raise _ProblemError(error.template, **error.params) from None


def _country(value: Any, _field: Field) -> str:
    text = str(value).strip().upper()
    if text not in COUNTRIES:
        raise _ProblemError(N_("«%(value)s»: BY or RU"), value=value)
    return text


def _currency(value: Any, _field: Field) -> str:
    text = str(value).strip().upper()
    if text not in {c.value for c in Currency}:
        raise _ProblemError(
            N_("«%(value)s»: one of %(options)s"),
            value=value,
            options=", ".join(c.value for c in Currency),
        )
    return text


def _choice(value: Any, field: Field) -> str:
    text = str(value).strip()
    options = field.choices or {}
    for key, names in options.items():
        if text in (key, names["ru"], names["en"]):
            return key
    raise _ProblemError(
        N_("«%(value)s»: one of %(options)s"), value=value, options=", ".join(options)
    )


_READERS = {
    "text": _text,
    "int": _int,
    "decimal": _decimal,
    "year": _year,
    "date": _date,
    "year_values": _year_values,
    "tnved": _tnved,
    "unit": _unit,
    "country": _country,
    "currency": _currency,
    "choice": _choice,
}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == {}


def clean(raw: Any, *, complete: bool, template: Template | None = None) -> Content:
    """The content in canonical form, or `DomainValidationError` listing every problem: each
    error's field is the path (`financing[2].amount`) and its message names the section, the
    row and the field as the form shows them («Финансирование…, строка 2, «Сумма»: …»). Blank
    table rows are dropped (a form's spare rows); sections and fields the template does not know
    are refused, not silently kept."""
    template = template or load_template()
    errors: list[FieldError] = []
    if not isinstance(raw, dict):
        raise DomainValidationError(
            [FieldError.explained("content", Message(N_("must be an object of sections")))]
        )
    result = template.empty()
    for key in raw:
        if key not in result:
            errors.append(
                FieldError.explained(
                    str(key),
                    Message(N_("«%(key)s»: the passport template has no such section"), key=key),
                )
            )
    for section in template.sections:
        given = raw.get(section.key)
        if section.is_table:
            rows = given if isinstance(given, list) else []
            if given is not None and not isinstance(given, list):
                errors.append(
                    FieldError.explained(
                        section.key,
                        Message(N_("%(place)s: must be a list of rows"), place=section.ru),
                    )
                )
            kept = [
                r for r in rows if isinstance(r, dict) and not all(_blank(v) for v in r.values())
            ]
            if len(kept) > MAX_ROWS:
                errors.append(
                    FieldError.explained(
                        section.key,
                        Message(N_("%(place)s: at most %(n)s rows"), place=section.ru, n=MAX_ROWS),
                    )
                )
                kept = kept[:MAX_ROWS]
            for number, row in enumerate(kept, start=1):
                where = (f"{section.key}[{number}]", f"{section.ru}, строка {number}")
                result[section.key].append(_record(section, row, where, complete, errors))
            if complete and len(kept) < section.min_rows:
                errors.append(
                    FieldError.explained(
                        section.key,
                        Message(
                            N_("%(place)s: needs at least %(n)s row(s)"),
                            place=section.ru,
                            n=section.min_rows,
                        ),
                    )
                )
        else:
            record = given if isinstance(given, dict) else {}
            if given is not None and not isinstance(given, dict):
                errors.append(
                    FieldError.explained(
                        section.key,
                        Message(N_("%(place)s: must be an object of fields"), place=section.ru),
                    )
                )
            where = (section.key, section.ru)
            result[section.key] = _record(section, record, where, complete, errors)
    if errors:
        raise DomainValidationError(errors)
    return result


def _record(
    section: Section,
    raw: dict[str, Any],
    where: tuple[str, str],
    complete: bool,
    errors: list[FieldError],
) -> dict[str, Any]:
    path, place = where
    known = {f.key for f in section.fields}
    for key in raw:
        if key not in known:
            errors.append(
                FieldError.explained(
                    f"{path}.{key}",
                    Message(N_("%(place)s: the template has no such field"), place=place),
                )
            )
    record: dict[str, Any] = {}
    for field in section.fields:
        value = raw.get(field.key)
        if _blank(value):
            if complete and field.required:
                errors.append(
                    FieldError.explained(
                        f"{path}.{field.key}",
                        Message(
                            N_("%(place)s, «%(label)s»: is required"), place=place, label=field.ru
                        ),
                    )
                )
            continue
        try:
            if isinstance(value, dict | list) and field.type != "year_values":
                raise _ProblemError(N_("must be a single value, not a list or an object"))
            record[field.key] = _READERS[field.type](value, field)
        except _ProblemError as problem:
            errors.append(
                FieldError.explained(
                    f"{path}.{field.key}",
                    Message(
                        N_("%(place)s, «%(label)s»: %(problem)s"),
                        place=place,
                        label=field.ru,
                        problem=problem.message,
                    ),
                    value,
                )
            )
    return record
