"""One Jinja2 environment for every room's templates, with translation and number filters."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel.numbers import format_decimal
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from unionsync.core.errors import FieldError
from unionsync.core.messages import Message
from unionsync.core.money import Money
from unionsync.core.numbers import format_day, format_number, format_share
from unionsync.core.tabular import RowError
from unionsync.passports.places import Place, place
from unionsync.reference.units import unit_by_code
from unionsync.web.i18n import current_language, gettext, ngettext
from unionsync.web.labels import (
    act_label,
    audit_value,
    entity_label,
    event_label,
    field_label,
    label,
    status_label,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [
    PACKAGE_DIR / "web" / "templates",
    *sorted(p for p in PACKAGE_DIR.glob("*/templates") if p.parent.name != "web"),
]


def number(value: Decimal | int | float | None, digits: int = 0) -> str:
    """A number in the current language's style (`1 234,5` in Russian)."""
    return format_number(value, current_language.get(), digits)


def percent(share: Decimal | float | None, digits: int = 0) -> str:
    """A share (0.415) as a percentage in the current language's style («41,5 %» in Russian,
    "41.5%" in English): one path for every page."""
    return format_share(share, current_language.get(), digits)


def quantity(value: Decimal | str | None) -> str:
    """A quantity: whole numbers without decimals, fractions with up to three (a decimal
    string, as JSON columns keep quantities, too)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        value = Decimal(value)
    if value == value.to_integral_value():
        return number(value)
    return format_decimal(value, format="#,##0.###", locale=current_language.get())


def money(value: Money | None, scale: str = "") -> str:
    """Money with its currency; `scale="mln"` or `"bn"` shortens big totals."""
    if value is None:
        return "—"
    divisor = {"mln": Decimal(10**6), "bn": Decimal(10**9)}.get(scale, Decimal(1))
    digits = 1 if scale else 2
    suffix = {"mln": gettext("mln"), "bn": gettext("bn")}.get(scale, "")
    amount = number(value.amount / divisor, digits)
    return f"{amount}\u00a0{suffix + chr(0xA0) if suffix else ''}{value.currency.value}"


def unit_name(code: str) -> str:
    unit = unit_by_code(code)
    return unit.short_ru if current_language.get() == "ru" else unit.short_en


def query(params: Mapping[str, Any], **changes: Any) -> str:
    """The current filters with some changed, as a query string (for pagination and sorting)."""
    merged = {k: v for k, v in {**params, **changes}.items() if v not in (None, "")}
    return "?" + urlencode(merged) if merged else ""


def reason(error: RowError | FieldError) -> str:
    """A row or field error's reason in the current language."""
    return error.localized(gettext)


def passport_place(key: str) -> Place:
    """Where a passport's field error points, in the reader's language (see `places`)."""
    return place(key, current_language.get())


def passport_reason(error: FieldError) -> str:
    """A passport content error in the reader's language, its place too: the content's
    messages carry the section and field in Russian («Продукция, строка 2»), so they are
    rendered again with the place named in the reader's language."""
    text = error.text
    if text is None or "place" not in text.params:
        return error.localized(gettext)
    where = place(error.field, current_language.get())
    params = dict(text.params)
    params["place"] = where.where or params["place"]
    if "label" in params and where.field:
        params["label"] = where.field
    return Message(text.template, **params).render(gettext)


def make_environment() -> Environment:
    """The environment: autoescaping, newstyle gettext, our filters."""
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in TEMPLATE_DIRS]),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        number=number,
        percent=percent,
        day=lambda value: format_day(value, current_language.get()),
        quantity=quantity,
        money=money,
        label=label,
        unit=unit_name,
        reason=reason,
        act_label=act_label,
        event_label=event_label,
        status_label=status_label,
        field_label=field_label,
        entity_label=entity_label,
        audit_value=audit_value,
        passport_reason=passport_reason,
    )
    env.globals.update(query=query, passport_place=passport_place)
    return env
