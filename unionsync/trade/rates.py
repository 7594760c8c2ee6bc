"""Official exchange-rate tables (the National Bank of Belarus's, the Bank of Russia's) from CSV
or Excel: a date or a period, a currency pair, a rate and optionally a scale («100 RUB»).

The rate table's base is BYN: a pair quoted against BYN is kept as it is, a pair with BYN as the
base (BYN/RUB) is inverted, other pairs are refused as row errors. Daily rates are averaged per
year; the stored rate says over how many dates («среднее за 248 дат»), so every conversion can
name the rate it used. All-or-nothing: a table with a bad row stores nothing.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from unionsync.access.policy import Action, Kind, Principal, require
from unionsync.core.messages import N_, ExplainedError
from unionsync.core.money import Currency
from unionsync.core.shared import mark_changed
from unionsync.core.tabular import ImportFailedError, RowError, Sheet, parse_decimal, read_table
from unionsync.trade.models import ExchangeRate

CURRENCIES = {c.value for c in Currency}


@dataclass(frozen=True, slots=True)
class RatesResult:
    rows: int
    stored: list[ExchangeRate]


def _cell(sheet: Sheet, row: dict[str, Any], *names: str) -> tuple[str, Any]:
    """The first of `names` the file has, and its value in `row`."""
    header = sheet.find_column(*names)
    return (names[0], None) if header is None else (header, row.get(header))


def import_rates(
    session: Session, actor: Principal, path: Path, source: str | None = None
) -> RatesResult:
    """Read, check and store a rate table (see the module)."""
    require(actor, Action.CREATE, Kind.TRADE)
    sheet = read_table(path.read_bytes(), path.name)
    source = source or path.name
    errors: list[RowError] = []
    found: dict[tuple[int, str], list[Decimal]] = defaultdict(list)
    daily: dict[tuple[int, str], bool] = {}
    for number, row in sheet.rows:
        column, when = _cell(sheet, row, "date", "period", "дата", "период", "год")
        text = str(when or "").strip()
        if text.endswith(".0"):
            text = text[:-2]
        matched = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?|(\d{2})\.(\d{2})\.(\d{4})", text)
        if matched and (matched.group(3) or matched.group(4)):
            day, month, year_text = (
                (matched.group(3), matched.group(2), matched.group(1))
                if matched.group(3)
                else (matched.group(4), matched.group(5), matched.group(6))
            )
            try:
                date(int(year_text), int(month), int(day))
            except ValueError:
                matched = None
        if not matched:
            errors.append(
                RowError.explained(
                    sheet.name,
                    number,
                    column,
                    N_("«%(value)s» is not a date or a year"),
                    text,
                    value=text,
                )
            )
            continue
        year = int(matched.group(1) or matched.group(6))
        pair_column, pair = _cell(sheet, row, "pair", "пара", "currency pair", "валютная пара")
        parts = [
            p.strip().upper() for p in re.split(r"[/\s]+", str(pair or "").strip()) if p.strip()
        ]
        if (
            len(parts) != 2
            or not set(parts) <= CURRENCIES
            or "BYN" not in parts
            or parts[0] == parts[1]
        ):
            errors.append(
                RowError.explained(
                    sheet.name,
                    number,
                    pair_column,
                    N_("«%(value)s»: a pair with BYN, such as USD/BYN or RUB/BYN"),
                    pair,
                    value=pair,
                )
            )
            continue
        rate_column, rate_value = _cell(sheet, row, "rate", "курс")
        _scale_column, scale_value = _cell(
            sheet, row, "scale", "nominal", "номинал", "количество единиц"
        )
        try:
            rate = parse_decimal(rate_value)
            scale = parse_decimal(scale_value) or Decimal(1)
        except ExplainedError as error:
            errors.append(
                RowError.explained(
                    sheet.name, number, rate_column, error.template, rate_value, **error.params
                )
            )
            continue
        if rate is None or rate <= 0 or scale <= 0:
            errors.append(
                RowError.explained(
                    sheet.name,
                    number,
                    rate_column,
                    N_("a rate must be a positive number"),
                    rate_value,
                )
            )
            continue
        base, quote = parts
        per_unit = rate / scale
        currency, byn_per_unit = (base, per_unit) if quote == "BYN" else (quote, 1 / per_unit)
        found[(year, currency)].append(byn_per_unit)
        daily[(year, currency)] = matched.group(3) is not None or matched.group(4) is not None
    if errors:
        raise ImportFailedError(errors)
    stored = []
    mark_changed(session, "trade")  # the bulk deletes below bypass the unit of work
    for (year, currency), values in sorted(found.items()):
        session.execute(
            delete(ExchangeRate).where(
                ExchangeRate.year == year,
                ExchangeRate.currency == Currency(currency),
                ExchangeRate.quote == Currency.BYN,
                ExchangeRate.source == source,
            )
        )
        kind = (
            f"среднее за {len(values)} дат"
            if daily[(year, currency)] and len(values) > 1
            else "за период"
        )
        entry = ExchangeRate(
            year=year,
            currency=Currency(currency),
            quote=Currency.BYN,
            rate=Decimal(str(round(statistics.fmean(float(v) for v in values), 6))),
            kind=kind,
            source=source,
        )
        session.add(entry)
        stored.append(entry)
    session.flush()
    return RatesResult(len(sheet.rows), stored)
