"""Import and export of programs and capabilities in the documented template.

An import reads every row first and collects every error (file, row, column, reason); if there is
any, nothing is written. Otherwise rows are applied in the caller's transaction, so a database
failure half-way rolls everything back too. Export writes the same template: export → import is
lossless.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from unionsync.access.policy import Action, Kind, Principal, can, require
from unionsync.catalog.models import (
    Capability,
    Organization,
    OrganizationKind,
    Program,
    ProgramItem,
    ProgramItemDemand,
    ProgramStatus,
)
from unionsync.catalog.service import replace_demands
from unionsync.catalog.taxid import validate_tax_id
from unionsync.catalog.template import (
    CAPABILITY_COLUMNS,
    PROGRAM_COLUMNS,
    Column,
    demand_header,
    demand_headers,
    header_index,
)
from unionsync.core.messages import N_, ExplainedError
from unionsync.core.money import Currency
from unionsync.core.tabular import (
    ImportFailedError,
    NumberError,
    RowError,
    Sheet,
    normalise_header,
    parse_decimal,
    parse_int,
    write_csv,
    write_xlsx,
)
from unionsync.nomenclature.codes import TnvedCode, parse_okpd2, parse_tnved
from unionsync.nomenclature.service import knows_tnved
from unionsync.reference.models import Country, Industry
from unionsync.reference.units import resolve_unit

STATUS_WORDS = {
    "черновик": ProgramStatus.DRAFT,
    "проект": ProgramStatus.DRAFT,
    "утверждена": ProgramStatus.APPROVED,
    "действует": ProgramStatus.IN_FORCE,
    "архив": ProgramStatus.ARCHIVED,
}


@dataclass
class ImportReport:
    """What an import did, for the CLI and the upload page."""

    rows: int = 0
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        bucket = self.created if created else self.updated
        bucket[kind] = bucket.get(kind, 0) + 1


def _quiet(_step: str) -> None:
    """No progress reporting (the default for the API and pages)."""


class _RowReader:
    """Reads typed cells from one row, recording errors instead of stopping at the first."""

    def __init__(
        self,
        sheet: Sheet,
        row: int,
        cells: dict[str, Any],
        columns: dict[str, Column],
        headers: dict[str, str],
        errors: list[RowError],
    ) -> None:
        self.sheet, self.row, self.cells, self.columns = sheet, row, cells, columns
        self.headers, self.errors = headers, errors

    def raw(self, key: str) -> Any:
        return self.cells.get(key)

    def error(self, key: str, template: str, cell: object = None, **params: Any) -> None:
        """Record a translatable error against the column as the file titles it."""
        self.errors.append(
            RowError.explained(self.sheet.name, self.row, self.title(key), template, cell, **params)
        )

    def title(self, key: str) -> str:
        if key in self.headers:
            return self.headers[key]
        return self.columns[key].ru if key in self.columns else key

    def text(self, key: str) -> str | None:
        value = self.raw(key)
        if value is None:
            if self.columns[key].required:
                self.error(key, N_("required value is missing"))
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def convert(self, key: str, parse: Callable[[Any], Any]) -> Any:
        value = self.raw(key)
        if value is None:
            if key in self.columns and self.columns[key].required:
                self.error(key, N_("required value is missing"))
            return None
        try:
            return parse(value)
        except ExplainedError as exc:
            self.error(key, exc.template, value, **exc.params)
            return None


CURRENCY_WORDS = {
    "byn": Currency.BYN,
    "br": Currency.BYN,
    "бел. руб.": Currency.BYN,
    "бел.руб.": Currency.BYN,
    "rub": Currency.RUB,
    "руб": Currency.RUB,
    "руб.": Currency.RUB,
    "рос. руб.": Currency.RUB,
    "usd": Currency.USD,
    "долл.": Currency.USD,
    "долл. сша": Currency.USD,
    "$": Currency.USD,
}


def parse_currency(value: Any) -> Currency:
    """A currency as written: ISO code or a Russian abbreviation."""
    currency = CURRENCY_WORDS.get(str(value).strip().casefold())
    if currency is None:
        raise ExplainedError(
            N_("unknown currency; use %(known)s"), known=", ".join(c.value for c in Currency)
        )
    return currency


def parse_status(value: Any) -> ProgramStatus:
    """A program status by its code or Russian word."""
    text = str(value).strip().casefold()
    status = STATUS_WORDS.get(text)
    if status is None:
        try:
            status = ProgramStatus(text)
        except ValueError as exc:
            known = ", ".join([s.value for s in ProgramStatus] + list(STATUS_WORDS))
            raise ExplainedError(N_("unknown status; use one of: %(known)s"), known=known) from exc
    return status


def parse_percent(value: Any) -> Decimal | None:
    number = parse_decimal(value)
    if number is not None and number > 100:
        raise NumberError(N_("a percentage cannot exceed 100"))
    return number


def _check_side(r: _RowReader, actor: Principal, kind: Kind, country: str | None) -> None:
    """A row of another side's records is an error on that row (nothing is written)."""
    if country and not can(actor, Action.CREATE, kind, owner=country):
        r.error(
            "country", N_("you may not change records of %(country)s"), country, country=country
        )


def _keyed_rows(
    sheet: Sheet, columns: tuple[Column, ...], errors: list[RowError]
) -> tuple[list[tuple[int, dict[str, Any]]], dict[str, str]]:
    """Rows keyed by column key (demand as `demand:YEAR:KIND`) and each key's header as written.

    A required column that is missing is an error on row 1.
    """
    index = header_index(columns)
    mapping: dict[str, str] = {}
    for header in sheet.headers:
        column = index.get(normalise_header(header))
        if column is not None:
            mapping[header] = column.key
        elif (found := demand_header(header)) is not None:
            mapping[header] = f"demand:{found[0]}:{found[1]}"
    present = set(mapping.values())
    for column in columns:
        if column.required and column.key not in present:
            errors.append(
                RowError.explained(
                    sheet.name,
                    1,
                    column.ru,
                    N_("required column is missing (in English: %(en)s)"),
                    en=f"«{column.en}»",
                )
            )
    rows = [
        (number, {mapping[h]: v for h, v in cells.items() if h in mapping})
        for number, cells in sheet.rows
    ]
    titles = {c.key: c.ru for c in columns} | {key: header for header, key in mapping.items()}
    return rows, titles


# --- programs ------------------------------------------------------------------------------

_PROGRAM_FIELDS = ("title", "title_en", "industry_id", "period_start", "period_end", "status")


@dataclass
class ProgramRow:
    """One valid row of a program file: the program's fields and one item with its demand."""

    row: int
    country: str
    code: str
    version: int
    title: str
    title_en: str | None
    industry_id: int
    period_start: int
    period_end: int
    status: ProgramStatus
    position: int
    name_ru: str
    name_en: str | None
    tnved_raw: str | None
    tnved_code: str | None
    tnved_ex: bool
    unit: str
    target_year: int | None
    import_share: Decimal | None
    currency: Currency | None
    note: str | None
    demand: dict[int, tuple[Decimal, Decimal | None]]

    @property
    def program_key(self) -> tuple[str, str, int]:
        return self.country, self.code, self.version


def read_program_rows(session: Session, actor: Principal, sheet: Sheet) -> list[ProgramRow]:
    """Every row parsed and checked; raises `ImportFailedError` with all errors if any."""
    errors: list[RowError] = []
    keyed, titles = _keyed_rows(sheet, PROGRAM_COLUMNS, errors)
    if errors:
        raise ImportFailedError(errors)
    lookup = _Lookups.load(session)
    columns = {c.key: c for c in PROGRAM_COLUMNS}
    parsed = []
    for number, cells in keyed:
        reader = _RowReader(sheet, number, cells, columns, titles, errors)
        row = _parse_program_row(reader, lookup, actor)
        if row is not None:
            parsed.append(row)
    _check_program_rows(sheet.name, parsed, titles, errors)
    if errors:
        raise ImportFailedError(errors)
    return parsed


@dataclass
class _Lookups:
    countries: set[str]
    industries: dict[str, int]
    known_codes: Callable[[str], bool] | None = None

    @classmethod
    def load(cls, session: Session) -> _Lookups:
        industries: dict[str, int] = {}
        for industry in session.scalars(select(Industry)):
            for name in (industry.code, industry.name_ru, industry.name_en):
                industries[normalise_header(name)] = industry.id
        countries = set(session.scalars(select(Country.code)))
        return cls(countries, industries, knows_tnved(session))

    def code(self, value: Any) -> TnvedCode:
        """A written code; a lost leading zero is restored when the loaded TN VED knows it."""
        return parse_tnved(value, self.known_codes)

    def country(self, value: Any) -> str:
        code = str(value).strip().upper()
        if code not in self.countries:
            raise ExplainedError(
                N_("unknown country; use one of %(known)s"), known=", ".join(sorted(self.countries))
            )
        return code

    def industry(self, value: Any) -> int:
        found = self.industries.get(normalise_header(str(value)))
        if found is None:
            raise ExplainedError(N_("unknown industry; use an industry code or its name"))
        return found


def _parse_program_row(r: _RowReader, lookup: _Lookups, actor: Principal) -> ProgramRow | None:
    before = len(r.errors)
    country = r.convert("country", lookup.country)
    _check_side(r, actor, Kind.PROGRAM, country)
    industry_id = r.convert("industry", lookup.industry)
    code_raw = r.text("tnved")
    code = r.convert("tnved", lookup.code) if code_raw else None
    unit = r.convert("unit", resolve_unit)
    currency = r.convert("currency", parse_currency)
    values = {
        "code": r.text("program_code"),
        "title": r.text("program_title"),
        "title_en": r.text("program_title_en"),
        "period_start": r.convert("period_start", parse_int),
        "period_end": r.convert("period_end", parse_int),
        "version": r.convert("version", parse_int) or 1,
        "status": r.convert("status", parse_status) or ProgramStatus.DRAFT,
        "position": r.convert("position", parse_int),
        "name_ru": r.text("name_ru"),
        "name_en": r.text("name_en"),
        "target_year": r.convert("target_year", parse_int),
        "import_share": r.convert("import_share", parse_percent),
        "note": r.text("note"),
    }
    demand = _parse_demand(r, currency)
    _check_years(r, values)
    if len(r.errors) > before:
        return None
    return ProgramRow(
        row=r.row,
        country=country,
        industry_id=industry_id,
        unit=unit.code,
        currency=currency,
        tnved_raw=code_raw,
        tnved_code=code.digits if code else None,
        tnved_ex=bool(code and code.ex),
        demand=demand,
        **values,
    )


def _parse_demand(
    r: _RowReader, currency: Currency | None
) -> dict[int, tuple[Decimal, Decimal | None]]:
    years = sorted({int(key.split(":")[1]) for key in r.cells if key.startswith("demand:")})
    demand: dict[int, tuple[Decimal, Decimal | None]] = {}
    for year in years:
        qty_key, value_key = f"demand:{year}:quantity", f"demand:{year}:value"
        quantity = r.convert(qty_key, parse_decimal)
        value = r.convert(value_key, parse_decimal)
        if value is not None and r.raw(qty_key) is None:
            r.error(qty_key, N_("a value is given for %(year)s but no quantity"), year=year)
        if value is not None and currency is None and r.raw("currency") is None:
            r.error("currency", N_("required when a demand value is given (%(year)s)"), year=year)
        if quantity is not None:
            demand[year] = (quantity, value)
    return demand


def _check_years(r: _RowReader, values: dict[str, Any]) -> None:
    start, end = values["period_start"], values["period_end"]
    if start is not None and end is not None and end < start:
        r.error("period_end", N_("the period ends before it starts"), end)
    for key in ("period_start", "period_end", "target_year"):
        year = values[key]
        if year is not None and not 2000 <= year <= 2100:
            r.error(key, N_("a year between 2000 and 2100 is expected"), year)


def _check_program_rows(
    filename: str, rows: Sequence[ProgramRow], titles: dict[str, str], errors: list[RowError]
) -> None:
    """Duplicate positions and a program described differently on two rows are errors."""
    first_of_program: dict[tuple[str, str, int], ProgramRow] = {}
    seen_positions: dict[tuple[str, str, int, int], int] = {}
    field_column = {
        "title": "program_title",
        "title_en": "program_title_en",
        "industry_id": "industry",
        "period_start": "period_start",
        "period_end": "period_end",
        "status": "status",
    }
    for row in rows:
        key = (*row.program_key, row.position)
        if key in seen_positions:
            errors.append(
                RowError.explained(
                    filename,
                    row.row,
                    titles["position"],
                    N_(
                        "duplicate row: position %(position)s of program %(program)s is also on "
                        "row %(other)s"
                    ),
                    row.position,
                    position=row.position,
                    program=row.code,
                    other=seen_positions[key],
                )
            )
        seen_positions.setdefault(key, row.row)
        first = first_of_program.setdefault(row.program_key, row)
        for name in _PROGRAM_FIELDS:
            if getattr(row, name) != getattr(first, name):
                errors.append(
                    RowError.explained(
                        filename,
                        row.row,
                        titles[field_column[name]],
                        N_("differs from row %(other)s of the same program"),
                        getattr(row, name),
                        other=first.row,
                    )
                )


def import_programs(
    session: Session,
    actor: Principal,
    sheet: Sheet,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Validate every row, then create or update programs and their items (by position)."""
    require(actor, Action.CREATE, Kind.PROGRAM, owner=actor.country)
    step = progress or _quiet
    step("checking")
    rows = read_program_rows(session, actor, sheet)
    step("writing")
    report = ImportReport(rows=len(rows))
    programs: dict[tuple[str, str, int], tuple[Program, dict[int, ProgramItem]]] = {}
    for row in rows:
        target = programs.get(row.program_key)
        if target is None:
            program = _upsert_program(session, row, report)
            target = programs[row.program_key] = (program, {i.position: i for i in program.items})
        _upsert_item(session, *target, row, report)
    session.flush()
    return report


def _upsert_program(session: Session, row: ProgramRow, report: ImportReport) -> Program:
    program = session.scalar(
        select(Program)
        .options(selectinload(Program.items).selectinload(ProgramItem.demands))
        .where(
            Program.country_code == row.country,
            Program.code == row.code,
            Program.version == row.version,
        )
    )
    report.count("programs", program is None)
    if program is None:
        program = Program(country_code=row.country, code=row.code, version=row.version)
        session.add(program)
    for name in _PROGRAM_FIELDS:
        setattr(program, name, getattr(row, name))
    return program


def _upsert_item(
    session: Session,
    program: Program,
    by_position: dict[int, ProgramItem],
    row: ProgramRow,
    report: ImportReport,
) -> None:
    item = by_position.get(row.position)
    report.count("items", item is None)
    if item is None:
        item = by_position[row.position] = ProgramItem(position=row.position)
        program.items.append(item)
    item.name_ru, item.name_en = row.name_ru, row.name_en
    item.tnved_raw, item.tnved_code, item.tnved_ex = row.tnved_raw, row.tnved_code, row.tnved_ex
    item.unit_okei, item.target_year = row.unit, row.target_year
    item.import_share_pct, item.note = row.import_share, row.note
    replace_demands(
        session,
        item,
        [
            ProgramItemDemand(
                year=year,
                quantity=qty,
                value_amount=value,
                value_currency=row.currency if value is not None else None,
            )
            for year, (qty, value) in sorted(row.demand.items())
        ],
    )


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


# --- capabilities --------------------------------------------------------------------------


@dataclass
class CapabilityRow:
    """One valid row of a capability file: the enterprise and one product it makes."""

    row: int
    country: str
    enterprise: str
    tax_id: str
    region: str | None
    product_name: str
    product_name_en: str | None
    tnved_raw: str | None
    tnved_code: str | None
    okpd2: str | None
    unit: str
    capacity: Decimal
    available: Decimal | None
    price: Decimal | None
    currency: Currency | None
    localisation: Decimal | None
    note: str | None

    @property
    def key(self) -> tuple[str, str, str, str | None]:
        return self.country, self.tax_id, self.product_name, self.tnved_raw


def read_capability_rows(session: Session, actor: Principal, sheet: Sheet) -> list[CapabilityRow]:
    """Every row parsed and checked; raises `ImportFailedError` with all errors if any."""
    errors: list[RowError] = []
    keyed, titles = _keyed_rows(sheet, CAPABILITY_COLUMNS, errors)
    if errors:
        raise ImportFailedError(errors)
    lookup = _Lookups.load(session)
    columns = {c.key: c for c in CAPABILITY_COLUMNS}
    parsed = []
    for number, cells in keyed:
        reader = _RowReader(sheet, number, cells, columns, titles, errors)
        row = _parse_capability_row(reader, lookup, actor)
        if row is not None:
            parsed.append(row)
    _check_capability_rows(sheet.name, parsed, titles, errors)
    if errors:
        raise ImportFailedError(errors)
    return parsed


def _parse_capability_row(
    r: _RowReader, lookup: _Lookups, actor: Principal
) -> CapabilityRow | None:
    before = len(r.errors)
    country = r.convert("country", lookup.country)
    _check_side(r, actor, Kind.CAPABILITY, country)
    tax_raw = r.text("tax_id")
    tax_id = None
    if country and tax_raw:
        tax_id = r.convert("tax_id", lambda v: validate_tax_id(country, tax_raw))
    code_raw = r.text("tnved")
    code = r.convert("tnved", lookup.code) if code_raw else None
    values = {
        "enterprise": r.text("enterprise"),
        "region": r.text("region"),
        "product_name": r.text("product_name"),
        "product_name_en": r.text("product_name_en"),
        "okpd2": r.convert("okpd2", parse_okpd2),
        "capacity": r.convert("capacity", parse_decimal),
        "available": r.convert("available", parse_decimal),
        "price": r.convert("price", parse_decimal),
        "currency": r.convert("currency", parse_currency),
        "localisation": r.convert("localisation", parse_percent),
        "note": r.text("note"),
    }
    unit = r.convert("unit", resolve_unit)
    if values["price"] is not None and values["currency"] is None and r.raw("currency") is None:
        r.error("currency", N_("required when a price is given"))
    capacity, available = values["capacity"], values["available"]
    if capacity is not None and available is not None and available > capacity:
        r.error(
            "available", N_("exceeds the capacity (%(capacity)s)"), available, capacity=capacity
        )
    if tax_id is None or len(r.errors) > before:
        return None
    return CapabilityRow(
        row=r.row,
        country=country,
        tax_id=tax_id,
        unit=unit.code,
        tnved_raw=code_raw,
        tnved_code=code.digits if code else None,
        **values,
    )


def _check_capability_rows(
    filename: str, rows: Sequence[CapabilityRow], titles: dict[str, str], errors: list[RowError]
) -> None:
    """The same product of one enterprise twice, or one tax id under two names, are errors."""
    seen: dict[tuple[str, str, str, str | None], int] = {}
    names: dict[tuple[str, str], CapabilityRow] = {}
    for row in rows:
        if row.key in seen:
            errors.append(
                RowError.explained(
                    filename,
                    row.row,
                    titles["product_name"],
                    N_(
                        "duplicate row: the same product of the same enterprise is on row %(other)s"
                    ),
                    row.product_name,
                    other=seen[row.key],
                )
            )
        seen.setdefault(row.key, row.row)
        first = names.setdefault((row.country, row.tax_id), row)
        if first.enterprise != row.enterprise:
            errors.append(
                RowError.explained(
                    filename,
                    row.row,
                    titles["enterprise"],
                    N_("the same tax id is named %(name)s on row %(other)s"),
                    row.enterprise,
                    name=f"«{first.enterprise}»",
                    other=first.row,
                )
            )


_CapabilityKey = tuple[str, str | None]


def import_capabilities(
    session: Session,
    actor: Principal,
    sheet: Sheet,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Validate every row, then create or update enterprises and their capabilities."""
    require(actor, Action.CREATE, Kind.CAPABILITY, owner=actor.country)
    step = progress or _quiet
    step("checking")
    rows = read_capability_rows(session, actor, sheet)
    step("writing")
    report = ImportReport(rows=len(rows))
    enterprises: dict[tuple[str, str], tuple[Organization, dict[_CapabilityKey, Capability]]] = {}
    for row in rows:
        target = enterprises.get((row.country, row.tax_id))
        if target is None:
            org = _upsert_enterprise(session, row, report)
            known = {(c.product_name, c.tnved_raw): c for c in org.capabilities}
            target = enterprises[(row.country, row.tax_id)] = (org, known)
        _upsert_capability(*target, row, report)
    session.flush()
    return report


def _upsert_enterprise(session: Session, row: CapabilityRow, report: ImportReport) -> Organization:
    org = session.scalar(
        select(Organization)
        .options(selectinload(Organization.capabilities))
        .where(Organization.country_code == row.country, Organization.tax_id == row.tax_id)
    )
    report.count("enterprises", org is None)
    if org is None:
        org = Organization(
            kind=OrganizationKind.ENTERPRISE,
            country_code=row.country,
            tax_id=row.tax_id,
            name=row.enterprise,
        )
        session.add(org)
    org.name = row.enterprise
    if row.region:
        org.region = row.region
    return org


def _upsert_capability(
    org: Organization,
    known: dict[_CapabilityKey, Capability],
    row: CapabilityRow,
    report: ImportReport,
) -> None:
    capability = known.get((row.product_name, row.tnved_raw))
    report.count("capabilities", capability is None)
    if capability is None:
        capability = known[(row.product_name, row.tnved_raw)] = Capability(
            product_name=row.product_name
        )
        org.capabilities.append(capability)
    capability.product_name_en = row.product_name_en
    capability.tnved_raw, capability.tnved_code = row.tnved_raw, row.tnved_code
    capability.okpd2_code, capability.unit_okei = row.okpd2, row.unit
    capability.capacity_per_year, capability.available_capacity = row.capacity, row.available
    capability.price_amount = row.price
    capability.price_currency = row.currency if row.price is not None else None
    capability.localisation_pct, capability.note = row.localisation, row.note


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
