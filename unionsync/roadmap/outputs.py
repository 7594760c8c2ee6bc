"""Actual output in a workbook: a form to fill (a row per product of the passports the reader
sees, for the year asked) and its import back, all or nothing, every error naming the file, the
row and the column. Each row goes through `service.report_output`, the rule the form and the
API follow, so a row is accepted here exactly when the API would accept it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.access.policy import PermissionDeniedError, Principal
from unionsync.core.errors import DomainValidationError, UnionSyncError
from unionsync.core.messages import N_, ExplainedError
from unionsync.core.money import Currency
from unionsync.core.tabular import (
    NO_LIMITS,
    ImportFailedError,
    Limits,
    RowError,
    read_table,
    write_xlsx,
)
from unionsync.core.validation import (
    check_int,
    parse_amount,
    parse_count,
    parse_quantity,
    parse_year,
)
from unionsync.passports.models import Passport
from unionsync.reference.units import unit_by_code
from unionsync.roadmap import service

PASSPORT = "Паспорт"
POSITION = "Продукция, №"
PRODUCT = "Продукция"
UNIT = "Единица"
YEAR = "Год"
QUARTER = "Квартал"
QUANTITY = "Выпуск"
VALUE = "Стоимость"
CURRENCY = "Валюта"
TO_PARTNER = "Продано в страну-партнёр"
COLUMNS = [
    PASSPORT,
    POSITION,
    PRODUCT,
    UNIT,
    YEAR,
    QUARTER,
    QUANTITY,
    VALUE,
    CURRENCY,
    TO_PARTNER,
]
FIELD_COLUMNS = {  # the service's field names → the workbook's columns
    "passport_id": PASSPORT,
    "product_position": POSITION,
    "year": YEAR,
    "quarter": QUARTER,
    "quantity": QUANTITY,
    "value": VALUE,
    "currency": CURRENCY,
    "to_partner": TO_PARTNER,
}


def write_output_form(path: Path, passports: Iterable[Passport], year: int) -> None:
    """A row per product of `passports` for `year`, the figures left to fill."""
    rows = [
        [
            p.number,
            product.position,
            product.name_ru,
            unit_by_code(product.unit_okei).short_ru,
            year,
            None,
            None,
            None,
            None,
            None,
        ]
        for p in passports
        for product in sorted(p.products, key=lambda x: x.position)
    ]
    write_xlsx(path, "Выпуск продукции", COLUMNS, rows, text_columns=(0, 2, 3, 8))


def _quarter(value: Any) -> int | None:
    number = parse_count(value)
    return None if number is None else check_int(number, 1, 4)


def _currency(value: Any) -> Currency | None:
    text = str(value or "").strip().upper()
    if not text:
        return None
    try:
        return Currency(text)
    except ValueError:
        raise ExplainedError(
            N_("«%(value)s» is not a currency: write %(allowed)s"),
            value=text,
            allowed=", ".join(c.value for c in Currency),
        ) from None


READERS: dict[str, Callable[[Any], Any]] = {
    POSITION: parse_count,
    YEAR: parse_year,
    QUARTER: _quarter,
    QUANTITY: parse_quantity,
    VALUE: parse_amount,
    CURRENCY: _currency,
    TO_PARTNER: parse_quantity,
}


@dataclass(frozen=True, slots=True)
class OutputImport:
    rows: int
    reported: int


def import_output(
    session: Session,
    actor: Principal,
    content: bytes,
    filename: str,
    limits: Limits = NO_LIMITS,
) -> OutputImport:
    """The filled form back: each row with a quantity reports that product's output for the
    period (a row without one is skipped: a product not reported yet). All or nothing; the
    caller undoes what was written when this raises `ImportFailedError`."""
    sheet = read_table(content, filename, limits)
    errors: list[RowError] = []
    numbers = {p.number: p.id for p in session.scalars(select(Passport))}
    reported = 0
    seen: dict[tuple[object, ...], int] = {}
    for number, row in sheet.rows:

        def cell(header: str, row: dict[str, Any] = row) -> Any:
            found = sheet.find_column(header)
            return row.get(found) if found else None

        if cell(QUANTITY) in (None, ""):
            continue
        values: dict[str, Any] = {}
        failed = False
        for header, read in READERS.items():
            try:
                values[header] = read(cell(header))
            except ExplainedError as error:
                failed = True
                errors.append(
                    RowError.explained(
                        sheet.name, number, header, error.template, cell(header), **error.params
                    )
                )
        passport = str(cell(PASSPORT) or "").strip()
        if passport not in numbers:
            failed = True
            errors.append(
                RowError.explained(
                    sheet.name,
                    number,
                    PASSPORT,
                    N_("no passport has the number «%(value)s»")
                    if passport
                    else N_("the passport's number is missing"),
                    passport or None,
                    value=passport,
                )
            )
        for header in (POSITION, YEAR):
            if not failed and values.get(header) is None:
                failed = True
                errors.append(
                    RowError.explained(sheet.name, number, header, N_("the value is missing"))
                )
        if failed:
            continue
        period = (passport, values[POSITION], values[YEAR], values[QUARTER])
        if period in seen:
            errors.append(
                RowError.explained(
                    sheet.name,
                    number,
                    QUARTER if values[QUARTER] else YEAR,
                    N_("the same product and period as row %(first)s"),
                    first=seen[period],
                )
            )
            continue
        seen[period] = number
        try:
            with session.begin_nested():
                service.report_output(
                    session,
                    actor,
                    service.OutputValues(
                        numbers[passport],
                        values[POSITION],
                        values[YEAR],
                        values[QUARTER],
                        values[QUANTITY],
                        values[VALUE],
                        values[TO_PARTNER],
                        values[CURRENCY],
                    ),
                )
            reported += 1
        except DomainValidationError as error:
            for problem in error.errors:
                text = problem.text
                errors.append(
                    RowError(
                        sheet.name,
                        number,
                        FIELD_COLUMNS.get(problem.field, problem.field),
                        problem.message,
                        None,
                        text.template if text else "",
                        dict(text.params) if text else {},
                    )
                )
        except PermissionDeniedError:
            errors.append(
                RowError.explained(
                    sheet.name,
                    number,
                    PASSPORT,
                    N_("you may not report output for this passport's product"),
                )
            )
        except UnionSyncError as error:  # a passport gone meanwhile, a conflict
            errors.append(RowError(sheet.name, number, PASSPORT, str(error)))
    if errors:
        raise ImportFailedError(errors)
    return OutputImport(len(sheet.rows), reported)
