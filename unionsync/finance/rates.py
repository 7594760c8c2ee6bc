"""The reference rates a floating facility reads (a central bank's refinancing or key rate),
imported from CSV or Excel: the rate's name, the day from which a value is in force, the value in
per cent a year. All-or-nothing with row errors naming the file, row and column; a value already
stored for the same rate and day is replaced (and the replacement audited).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.access.audit import record
from unionsync.access.policy import PermissionDeniedError, Principal
from unionsync.core.messages import N_, ExplainedError
from unionsync.core.tabular import ImportFailedError, RowError, Sheet, parse_decimal, read_table
from unionsync.core.validation import SHORT_LENGTH, parse_day
from unionsync.finance.models import ReferenceRate


@dataclass(frozen=True, slots=True)
class RatesResult:
    rows: int
    added: int
    replaced: int


def _cell(sheet: Sheet, row: dict[str, Any], *names: str) -> tuple[str, Any]:
    header = sheet.find_column(*names)
    return (names[0], None) if header is None else (header, row.get(header))


def import_reference_rates(session: Session, actor: Principal, path: Path) -> RatesResult:
    """Read, check and store a reference-rate table (the operator at the command line)."""
    if not actor.system:
        raise PermissionDeniedError("reference rates are loaded by the operator")
    sheet = read_table(path.read_bytes(), path.name)
    errors: list[RowError] = []
    found: dict[tuple[str, date], tuple[Decimal, int]] = {}
    for number, row in sheet.rows:
        name_column, name = _cell(sheet, row, "name", "ставка", "название", "rate name")
        text = str(name or "").strip()
        if not text or len(text) > min(80, SHORT_LENGTH):
            errors.append(
                RowError.explained(
                    sheet.name,
                    number,
                    name_column,
                    N_("name the rate (at most 80 characters)"),
                    name,
                )
            )
            continue
        day_column, when = _cell(sheet, row, "valid_from", "действует с", "дата", "date")
        try:
            day = parse_day(when)
        except ExplainedError:
            day = None
        if day is None:
            errors.append(
                RowError.explained(
                    sheet.name,
                    number,
                    day_column,
                    N_("«%(value)s» is not a date (2024-06-01 or 01.06.2024)"),
                    when,
                    value=when,
                )
            )
            continue
        value_column, value = _cell(sheet, row, "rate, %", "ставка, %", "value", "значение")
        try:
            percent = parse_decimal(value)
        except ExplainedError as error:
            errors.append(
                RowError.explained(
                    sheet.name, number, value_column, error.template, value, **error.params
                )
            )
            continue
        if percent is None or not Decimal(0) <= percent <= Decimal(100):
            errors.append(
                RowError.explained(
                    sheet.name,
                    number,
                    value_column,
                    N_("a rate is a percentage from 0 to 100"),
                    value,
                )
            )
            continue
        if (text, day) in found:
            errors.append(
                RowError.explained(
                    sheet.name,
                    number,
                    day_column,
                    N_("the same rate and day as row %(first)s"),
                    when,
                    first=found[(text, day)][1],
                )
            )
            continue
        found[(text, day)] = ((percent / 100).quantize(Decimal("0.000001")), number)
    if errors:
        raise ImportFailedError(errors)
    added = replaced = 0
    for (text, day), (rate, _number) in sorted(found.items()):
        existing = session.scalar(
            select(ReferenceRate).where(ReferenceRate.name == text, ReferenceRate.valid_from == day)
        )
        if existing is None:
            session.add(ReferenceRate(name=text, valid_from=day, rate=rate))
            added += 1
        elif existing.rate != rate:
            before = str(existing.rate)
            existing.rate = rate
            session.flush()
            record(
                session,
                "reference_rate.replace",
                "finance_reference_rate",
                existing.id,
                before={"rate": before},
                after={"rate": str(rate)},
                actor=actor,
            )
            replaced += 1
    session.flush()
    record(
        session,
        "reference_rate.import",
        "finance_reference_rate",
        None,
        after={"file": path.name, "added": added, "replaced": replaced},
        actor=actor,
    )
    return RatesResult(len(sheet.rows), added, replaced)
