"""Export of programs and capabilities in the documented template (the import is in
`imports`, re-exported here): export → import is lossless.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from unionsync.access.policy import Action, Kind, Principal, require
from unionsync.catalog.imports import ImportReport as ImportReport
from unionsync.catalog.imports import import_capabilities as import_capabilities
from unionsync.catalog.imports import import_programs as import_programs
from unionsync.catalog.imports import read_capability_rows as read_capability_rows
from unionsync.catalog.imports import read_program_rows as read_program_rows
from unionsync.catalog.models import Capability, Organization, Program, ProgramItem
from unionsync.catalog.template import CAPABILITY_COLUMNS, PROGRAM_COLUMNS, demand_headers
from unionsync.core.tabular import write_csv, write_xlsx


def export_programs(
    session: Session, actor: Principal, path: Path, country: str | None = None
) -> int:
    """Write programs (optionally one country's) in the import template; returns the row count."""
    require(actor, Action.VIEW, Kind.PROGRAM)
    stmt = (
        select(Program)
        .options(
            selectinload(Program.industry),
            selectinload(Program.items).selectinload(ProgramItem.demands),
        )
        .order_by(Program.country_code, Program.code, Program.version)
    )
    if country:
        stmt = stmt.where(Program.country_code == country.upper())
    programs = session.scalars(stmt).all()
    years = sorted({d.year for p in programs for i in p.items for d in i.demands})
    headers = [c.ru for c in PROGRAM_COLUMNS]
    for year in years:
        headers.extend(demand_headers(year))
    rows = [_program_row(p, i, years) for p in programs for i in p.items]
    _write(path, "Программы", headers, rows, text_columns=(12, 13))
    return len(rows)


def _program_row(program: Program, item: ProgramItem, years: Sequence[int]) -> list[Any]:
    demand = {d.year: d for d in item.demands}
    currency = next((d.value_currency for d in item.demands if d.value_currency), None)
    row: list[Any] = [
        program.country_code,
        program.code,
        program.title,
        program.title_en,
        program.industry.code,
        program.period_start,
        program.period_end,
        program.version,
        program.status.value,
        item.position,
        item.name_ru,
        item.name_en,
        item.tnved_raw,
        item.unit_okei,
        item.target_year,
        item.import_share_pct,
        currency.value if currency else None,
        item.note,
    ]
    for year in years:
        d = demand.get(year)
        row.extend([d.quantity if d else None, d.value_amount if d else None])
    return row


def _write(
    path: Path, title: str, headers: list[str], rows: list[list[Any]], text_columns: Sequence[int]
) -> None:
    if path.suffix.lower() == ".csv":
        write_csv(path, headers, rows)
    elif path.suffix.lower() == ".xlsx":
        write_xlsx(path, title, headers, rows, text_columns)
    else:
        raise ValueError(f"{path}: export writes .xlsx or .csv")


def export_capabilities(
    session: Session, actor: Principal, path: Path, country: str | None = None
) -> int:
    """Write enterprises' capabilities in the import template; returns the row count."""
    require(actor, Action.VIEW, Kind.CAPABILITY)
    stmt = (
        select(Capability)
        .join(Organization)
        .options(selectinload(Capability.enterprise))
        .order_by(Organization.country_code, Organization.name, Capability.id)
    )
    if country:
        stmt = stmt.where(Organization.country_code == country.upper())
    rows = [_capability_row(c) for c in session.scalars(stmt)]
    _write(path, "Мощности", [c.ru for c in CAPABILITY_COLUMNS], rows, text_columns=(2, 6, 7, 8))
    return len(rows)


def _capability_row(c: Capability) -> list[Any]:
    e = c.enterprise
    return [
        e.country_code,
        e.name,
        e.tax_id,
        e.region,
        c.product_name,
        c.product_name_en,
        c.tnved_raw,
        c.okpd2_code,
        c.unit_okei,
        c.capacity_per_year,
        c.available_capacity,
        c.price_amount,
        c.price_currency.value if c.price_currency else None,
        c.localisation_pct,
        c.note,
    ]


def export_template_programs(path: Path, first_year: int = 2025, years: int = 4) -> None:
    """An empty program template with demand columns for `years` years."""
    headers = [c.ru for c in PROGRAM_COLUMNS]
    for year in range(first_year, first_year + years):
        headers.extend(demand_headers(year))
    _write(path, "Программы", headers, [], text_columns=(12, 13))


def export_template_capabilities(path: Path) -> None:
    """An empty capability template."""
    _write(path, "Мощности", [c.ru for c in CAPABILITY_COLUMNS], [], text_columns=(2, 6, 7, 8))
