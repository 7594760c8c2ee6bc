"""Import of programs and capabilities from the documented template, without losing anything.

Rules users rely on:
- every row is checked and every error collected (file, row, column, reason); if there is one,
  nothing is written (`ImportFailedError`; the caller rolls back its transaction);
- a column absent from the file keeps the stored values: only columns the file has are written;
- a header the template does not know is an error naming the nearest known header;
- a row equal to what is stored changes nothing; the report counts, per table, what was added,
  changed, left unchanged and removed (a demand year whose cells are emptied is removed);
- the file is read as a stream and written in batches with bulk statements, so a file of
  hundreds of thousands of rows takes bounded memory;
- the audit trail gets one entry for the import: the file's name, SHA-256 and the counts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol, cast

from rapidfuzz import fuzz, process
from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from unionsync.access.audit import QUIET_KEY, record
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
from unionsync.catalog.taxid import validate_tax_id
from unionsync.catalog.template import (
    CAPABILITY_COLUMNS,
    PROGRAM_COLUMNS,
    Column,
    demand_header,
    header_index,
)
from unionsync.core.batches import batches
from unionsync.core.messages import N_, ExplainedError
from unionsync.core.money import Currency
from unionsync.core.shared import mark_changed
from unionsync.core.tabular import ImportFailedError, RowError, normalise_header
from unionsync.core.validation import (
    CODE_LENGTH,
    NAME_LENGTH,
    NOTE_LENGTH,
    SHORT_LENGTH,
    clean_text,
    parse_amount,
    parse_count,
    parse_percent,
    parse_quantity,
    parse_year,
)
from unionsync.nomenclature.codes import TnvedCode, parse_okpd2, parse_tnved
from unionsync.nomenclature.service import knows_tnved
from unionsync.reference.models import Country, Industry
from unionsync.reference.units import resolve_unit

BATCH = 2_000  # rows checked and written per bulk statement
# Core tables for the bulk inserts (the ORM's bulk path costs twice as much per row)
ITEM_TABLE = cast(Table, ProgramItem.__table__)
DEMAND_TABLE = cast(Table, ProgramItemDemand.__table__)
CAPABILITY_TABLE = cast(Table, Capability.__table__)
STATUS_WORDS = {
    "черновик": ProgramStatus.DRAFT,
    "проект": ProgramStatus.DRAFT,
    "утверждена": ProgramStatus.APPROVED,
    "действует": ProgramStatus.IN_FORCE,
    "архив": ProgramStatus.ARCHIVED,
}
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
# The longest text each template column may hold (the column it is stored in, or less).
TEXT_LIMITS = {
    "program_code": 40,
    "program_title": NAME_LENGTH,
    "program_title_en": NAME_LENGTH,
    "name_ru": NAME_LENGTH,
    "name_en": NAME_LENGTH,
    "tnved": CODE_LENGTH,
    "enterprise": 300,
    "region": SHORT_LENGTH,
    "product_name": NAME_LENGTH,
    "product_name_en": NAME_LENGTH,
    "note": NOTE_LENGTH,
}
MULTILINE = frozenset({"note"})


class RowTable(Protocol):
    """A sheet read whole or a stream: a name, the header row, numbered data rows."""

    @property
    def name(self) -> str: ...

    @property
    def headers(self) -> list[str]: ...

    @property
    def rows(self) -> Iterable[tuple[int, dict[str, Any]]]: ...


@dataclass
class Counts:
    """What an import did to one table."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "added": self.added,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "removed": self.removed,
        }


@dataclass
class ImportReport:
    """What an import did, per table, for the CLI, the upload page and the audit entry."""

    file: str = ""
    rows: int = 0
    sha256: str | None = None
    tables: dict[str, Counts] = field(default_factory=dict)

    def table(self, name: str) -> Counts:
        return self.tables.setdefault(name, Counts())

    @property
    def created(self) -> dict[str, int]:
        return {k: c.added for k, c in self.tables.items() if c.added}

    @property
    def updated(self) -> dict[str, int]:
        return {k: c.changed for k, c in self.tables.items() if c.changed}

    def summary(self) -> str:
        """One line per table, in English (the CLI's words)."""
        parts = [
            f"{name}: added {c.added}, changed {c.changed}, unchanged {c.unchanged}, "
            f"removed {c.removed}"
            for name, c in self.tables.items()
        ]
        return "; ".join(parts) or "nothing"


Progress = Callable[[str], None]


def _quiet(_step: str) -> None:
    """No progress reporting (the default for the API and pages)."""


def file_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# --- cells ---------------------------------------------------------------------------------


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


class _Header:
    """The file's header row mapped to template keys; unknown and missing columns are errors
    reported once, on row 1."""

    def __init__(
        self, table: RowTable, columns: tuple[Column, ...], errors: list[RowError]
    ) -> None:
        index = header_index(columns)
        self.mapping: dict[str, str] = {}
        spellings = {normalise_header(s): s for c in columns for s in (c.ru, c.en)}
        seen: dict[str, str] = {}
        for header in table.headers:
            if not header:
                continue
            column = index.get(normalise_header(header))
            if column is not None:
                key = column.key
            elif (found := demand_header(header)) is not None:
                key = f"demand:{found[0]}:{found[1]}"
            else:
                errors.append(_unknown_header(table.name, header, spellings))
                continue
            if key in seen:
                errors.append(
                    RowError.explained(
                        table.name,
                        1,
                        header,
                        N_("the same column is also titled %(other)s"),
                        other=f"«{seen[key]}»",
                    )
                )
            seen[key] = header
            self.mapping[header] = key
        self.present = frozenset(self.mapping.values())
        for column in columns:
            if column.required and column.key not in self.present:
                errors.append(
                    RowError.explained(
                        table.name,
                        1,
                        column.ru,
                        N_("required column is missing (in English: %(en)s)"),
                        en=f"«{column.en}»",
                    )
                )
        self.titles = {c.key: c.ru for c in columns} | {k: h for h, k in self.mapping.items()}
        self.demand_years = sorted(
            {int(k.split(":")[1]) for k in self.present if k.startswith("demand:")}
        )

    def title(self, key: str) -> str:
        """A column as the file names it (a demand column by its year when it is absent)."""
        if key in self.titles:
            return self.titles[key]
        if key.startswith("demand:"):
            _, year, part = key.split(":")
            return f"{year} ({'количество' if part == 'quantity' else 'стоимость'})"
        return key

    def keyed(self, cells: dict[str, Any]) -> dict[str, Any]:
        return {self.mapping[h]: v for h, v in cells.items() if h in self.mapping}


def _unknown_header(filename: str, header: str, spellings: dict[str, str]) -> RowError:
    """An unknown column, with the template header it most resembles."""
    found = process.extractOne(
        normalise_header(header), list(spellings), scorer=fuzz.ratio, score_cutoff=60
    )
    if found is None:
        return RowError.explained(
            filename,
            1,
            header,
            N_("unknown column; rename it to a template column or remove it"),
            header,
        )
    return RowError.explained(
        filename,
        1,
        header,
        N_("unknown column; did you mean %(nearest)s?"),
        header,
        nearest=f"«{spellings[found[0]]}»",
    )


class _RowReader:
    """Reads typed cells from one row, recording errors instead of stopping at the first."""

    def __init__(
        self,
        filename: str,
        row: int,
        cells: dict[str, Any],
        columns: dict[str, Column],
        header: _Header,
        errors: list[RowError],
    ) -> None:
        self.filename, self.row, self.cells, self.columns = filename, row, cells, columns
        self.header, self.errors = header, errors

    def has(self, key: str) -> bool:
        """Whether the file has this column (absent columns keep what is stored)."""
        return key in self.header.present

    def raw(self, key: str) -> Any:
        return self.cells.get(key)

    def error(self, key: str, template: str, cell: object = None, **params: Any) -> None:
        self.errors.append(
            RowError.explained(
                self.filename, self.row, self.header.title(key), template, cell, **params
            )
        )

    def text(self, key: str) -> str | None:
        """A cell as cleaned one-line (or note) text, within the column's length."""
        value = self.raw(key)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if value is not None:
            try:
                value = clean_text(
                    str(value),
                    max_length=TEXT_LIMITS.get(key, NAME_LENGTH),
                    multiline=key in MULTILINE,
                )
            except ExplainedError as exc:
                self.error(key, exc.template, self.raw(key), **exc.params)
                return None
        if not value:
            if key in self.columns and self.columns[key].required:
                self.error(key, N_("required value is missing"))
            return None
        return str(value)

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


def _check_side(r: _RowReader, actor: Principal, kind: Kind, country: str | None) -> None:
    """A row of another side's records is an error on that row (nothing is written)."""
    if country and not can(actor, Action.CREATE, kind, owner=country):
        r.error(
            "country", N_("you may not change records of %(country)s"), country, country=country
        )


def _same(stored: Any, new: Any) -> bool:
    """Equal as stored: decimals by value (10 and 10.000 are one quantity)."""
    if isinstance(stored, Decimal) and isinstance(new, Decimal):
        return stored.compare(new) == 0
    return bool(stored == new)


def _batches(rows: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _run(
    session: Session,
    report: ImportReport,
    action: str,
    body: Callable[[], None],
) -> ImportReport:
    """Run an import without per-row audit entries, then record one entry for it.

    A refused import raises `ImportFailedError` after writing nothing if its errors are in the
    first batch, and possibly some batches otherwise: the caller rolls its transaction back (the
    CLI's `session.begin()` and the upload page do). No SAVEPOINT here: pysqlite would turn its
    RELEASE into a COMMIT of everything before it.
    """
    quiet = session.info.get(QUIET_KEY)
    session.info[QUIET_KEY] = True
    # bulk statements bypass the unit of work that would notice
    mark_changed(session, "coverage")
    try:
        body()
    finally:
        if quiet is None:
            session.info.pop(QUIET_KEY, None)
        else:
            session.info[QUIET_KEY] = quiet
    record(
        session,
        action,
        "file",
        None,
        after={
            "file": report.file,
            "sha256": report.sha256,
            "rows": report.rows,
            "tables": {name: counts.as_dict() for name, counts in report.tables.items()},
        },
    )
    return report


def _raise_if(errors: list[RowError]) -> None:
    if errors:
        raise ImportFailedError(errors)


# --- programs ------------------------------------------------------------------------------

_PROGRAM_FIELDS = {  # Program attribute → template column
    "title": "program_title",
    "title_en": "program_title_en",
    "industry_id": "industry",
    "period_start": "period_start",
    "period_end": "period_end",
    "status": "status",
}
_ITEM_FIELDS = {  # ProgramItem attribute → template column
    "name_ru": "name_ru",
    "name_en": "name_en",
    "tnved_raw": "tnved",
    "tnved_code": "tnved",
    "tnved_ex": "tnved",
    "unit_okei": "unit",
    "target_year": "target_year",
    "import_share_pct": "import_share",
    "note": "note",
}
KEEP: Any = object()  # a demand value whose column the file does not have


@dataclass(slots=True)
class ProgramRow:
    """One valid row of a program file: the program's fields and one item with its demand.

    `demand` maps each year the file has columns for to (quantity, value); a quantity of None
    means the year's cells are empty (its stored demand is removed), a value of KEEP that the
    file has no value column for that year.
    """

    row: int
    country: str
    code: str
    version: int
    program: dict[str, Any]
    position: int
    item: dict[str, Any]
    currency: Currency | None
    demand: dict[int, tuple[Decimal | None, Any]]

    @property
    def program_key(self) -> tuple[str, str, int]:
        return self.country, self.code, self.version


def read_program_rows(session: Session, actor: Principal, table: RowTable) -> list[ProgramRow]:
    """Every row parsed and checked (nothing written); `ImportFailedError` lists all errors."""
    errors: list[RowError] = []
    header = _Header(table, PROGRAM_COLUMNS, errors)
    _raise_if(errors)
    checker = _ProgramChecker(session, actor, table.name, header, errors)
    rows = [row for number, cells in table.rows if (row := checker.parse(number, cells))]
    _raise_if(errors)
    return rows


class _ProgramChecker:
    """Parses rows one by one and checks them against the rows seen before."""

    def __init__(
        self,
        session: Session,
        actor: Principal,
        filename: str,
        header: _Header,
        errors: list[RowError],
    ) -> None:
        self.lookup = _Lookups.load(session)
        self.actor, self.filename, self.header, self.errors = actor, filename, header, errors
        self.columns = {c.key: c for c in PROGRAM_COLUMNS}
        self.first_of_program: dict[tuple[str, str, int], tuple[int, dict[str, Any]]] = {}
        self.positions: dict[tuple[str, str, int, int], int] = {}

    def parse(self, number: int, cells: dict[str, Any]) -> ProgramRow | None:
        r = _RowReader(
            self.filename, number, self.header.keyed(cells), self.columns, self.header, self.errors
        )
        row = self._parse(r)
        if row is not None:
            self._check_against_earlier(r, row)
        return row

    def _parse(self, r: _RowReader) -> ProgramRow | None:
        before = len(r.errors)
        country = r.convert("country", self.lookup.country)
        _check_side(r, self.actor, Kind.PROGRAM, country)
        program: dict[str, Any] = {
            "title": r.text("program_title"),
            "industry_id": r.convert("industry", self.lookup.industry),
            "period_start": r.convert("period_start", parse_year),
            "period_end": r.convert("period_end", parse_year),
        }
        if r.has("program_title_en"):
            program["title_en"] = r.text("program_title_en")
        if r.has("status"):
            program["status"] = r.convert("status", parse_status) or ProgramStatus.DRAFT
        start, end = program["period_start"], program["period_end"]
        if start is not None and end is not None and end < start:
            r.error("period_end", N_("the period ends before it starts"), end)
        item: dict[str, Any] = {
            "name_ru": r.text("name_ru"),
            "unit_okei": getattr(r.convert("unit", resolve_unit), "code", None),
        }
        for key in ("name_en", "note"):
            if r.has(key):
                item[key] = r.text(key)
        if r.has("tnved"):
            raw = r.text("tnved")
            code = r.convert("tnved", self.lookup.code) if raw else None
            item["tnved_raw"] = raw
            item["tnved_code"] = code.digits if code else None
            item["tnved_ex"] = bool(code and code.ex)
        if r.has("target_year"):
            item["target_year"] = r.convert("target_year", parse_year)
        if r.has("import_share"):
            item["import_share_pct"] = r.convert("import_share", parse_percent)
        currency = r.convert("currency", parse_currency) if r.has("currency") else None
        code_text = r.text("program_code")
        version = r.convert("version", parse_count) if r.has("version") else None
        position = r.convert("position", parse_count)
        demand = self._demand(r, currency)
        if len(r.errors) > before:
            return None
        assert country is not None and code_text is not None and position is not None
        return ProgramRow(
            r.row, country, code_text, version or 1, program, position, item, currency, demand
        )

    def _demand(
        self, r: _RowReader, currency: Currency | None
    ) -> dict[int, tuple[Decimal | None, Any]]:
        demand: dict[int, tuple[Decimal | None, Any]] = {}
        for year in self.header.demand_years:
            qty_key, value_key = f"demand:{year}:quantity", f"demand:{year}:value"
            if not r.has(qty_key):
                r.error(
                    value_key,
                    N_("a value column for %(year)s needs its quantity column"),
                    year=year,
                )
                continue
            quantity = r.convert(qty_key, parse_quantity)
            value = r.convert(value_key, parse_amount) if r.has(value_key) else KEEP
            if value is not None and value is not KEEP:
                if r.raw(qty_key) is None:
                    r.error(qty_key, N_("a value is given for %(year)s but no quantity"), year=year)
                if currency is None and r.raw("currency") is None:
                    r.error(
                        "currency",
                        N_("required when a demand value is given (%(year)s)"),
                        year=year,
                    )
            demand[year] = (quantity, value)
        return demand

    def _check_against_earlier(self, r: _RowReader, row: ProgramRow) -> None:
        """Duplicate positions and a program described differently on two rows are errors."""
        key = (*row.program_key, row.position)
        if key in self.positions:
            r.error(
                "position",
                N_(
                    "duplicate row: position %(position)s of program %(program)s is also on "
                    "row %(other)s"
                ),
                row.position,
                position=row.position,
                program=row.code,
                other=self.positions[key],
            )
        self.positions.setdefault(key, row.row)
        first_row, first = self.first_of_program.setdefault(row.program_key, (row.row, row.program))
        for name, column in _PROGRAM_FIELDS.items():
            if name in row.program and row.program[name] != first.get(name):
                r.error(
                    column,
                    N_("differs from row %(other)s of the same program"),
                    row.program[name],
                    other=first_row,
                )


def import_programs(
    session: Session,
    actor: Principal,
    table: RowTable,
    progress: Progress | None = None,
    *,
    sha256: str | None = None,
) -> ImportReport:
    """Check every row and write the changes in batches; all or nothing (see module doc)."""
    require(actor, Action.CREATE, Kind.PROGRAM, owner=actor.country)
    step = progress or _quiet
    errors: list[RowError] = []
    header = _Header(table, PROGRAM_COLUMNS, errors)
    _raise_if(errors)
    report = ImportReport(file=table.name, sha256=sha256)
    for name in ("programs", "items", "demand"):
        report.table(name)

    def body() -> None:
        checker = _ProgramChecker(session, actor, table.name, header, errors)
        writer = _ProgramWriter(session, report, header)
        for batch in _batches(table.rows):
            rows = [row for number, cells in batch if (row := checker.parse(number, cells))]
            report.rows += len(batch)
            if not errors:
                writer.write(rows)
            step(f"{report.rows:,} rows")
        _raise_if(errors)

    return _run(session, report, "import programs", body)


@dataclass(slots=True)
class _StoredItem:
    id: int
    fields: dict[str, Any]
    demand: dict[int, tuple[int, Decimal, Decimal | None, Currency | None]]  # year → row


class _ProgramWriter:
    """Applies checked rows with bulk statements, comparing each with what is stored."""

    def __init__(self, session: Session, report: ImportReport, header: _Header) -> None:
        self.session, self.report, self.header = session, report, header
        self.programs: dict[tuple[str, str, int], tuple[int, dict[int, _StoredItem]]] = {}

    def write(self, rows: Sequence[ProgramRow]) -> None:
        new_items: list[tuple[ProgramRow, dict[str, Any]]] = []
        item_updates: list[dict[str, Any]] = []
        demand_rows: list[tuple[int, ProgramRow]] = []
        for row in rows:
            program_id, items = self._program(row)
            stored = items.get(row.position)
            if stored is None:
                values = {"program_id": program_id, "position": row.position, **row.item}
                values.setdefault("tnved_ex", False)
                new_items.append((row, values))
                continue
            changes = {k: v for k, v in row.item.items() if not _same(stored.fields.get(k), v)}
            if changes:
                stored.fields.update(changes)
                item_updates.append({"id": stored.id, **changes})
            demand_rows.append((stored.id, row))
        counts = self.report.table("items")
        if new_items:
            ids = (
                self.session.execute(
                    insert(ITEM_TABLE).returning(ITEM_TABLE.c.id, sort_by_parameter_order=True),
                    [values for _row, values in new_items],
                )
                .scalars()
                .all()
            )
            for item_id, (row, values) in zip(ids, new_items, strict=True):
                key = row.program_key
                self.programs[key][1][row.position] = _StoredItem(item_id, values, {})
                demand_rows.append((item_id, row))
            counts.added += len(new_items)
        _bulk_update(self.session, ProgramItem, item_updates)
        counts.changed += len(item_updates)
        counts.unchanged += len(rows) - len(new_items) - len(item_updates)
        self._demand(demand_rows)

    def _program(self, row: ProgramRow) -> tuple[int, dict[int, _StoredItem]]:
        key = row.program_key
        if key in self.programs:
            return self.programs[key]
        counts = self.report.table("programs")
        found = self.session.execute(
            select(Program).where(
                Program.country_code == row.country,
                Program.code == row.code,
                Program.version == row.version,
            )
        ).scalar_one_or_none()
        if found is None:
            values = {
                "country_code": row.country,
                "code": row.code,
                "version": row.version,
                **row.program,
            }
            values.setdefault("status", ProgramStatus.DRAFT)
            program_id = self.session.execute(
                insert(Program).returning(Program.id), [values]
            ).scalar_one()
            counts.added += 1
            self.programs[key] = (program_id, {})
            return self.programs[key]
        changes = {k: v for k, v in row.program.items() if not _same(getattr(found, k), v)}
        if changes:
            self.session.execute(update(Program), [{"id": found.id, **changes}])
            counts.changed += 1
        else:
            counts.unchanged += 1
        self.session.expunge(found)
        self.programs[key] = (found.id, self._stored_items(found.id))
        return self.programs[key]

    def _stored_items(self, program_id: int) -> dict[int, _StoredItem]:
        names = list(dict.fromkeys(_ITEM_FIELDS))
        columns = [getattr(ProgramItem, n) for n in names]
        items: dict[int, _StoredItem] = {}
        by_id: dict[int, _StoredItem] = {}
        query = select(ProgramItem.id, ProgramItem.position, *columns).where(
            ProgramItem.program_id == program_id
        )
        for item_id, position, *values in self.session.execute(query):
            stored = _StoredItem(item_id, dict(zip(names, values, strict=True)), {})
            items[position] = by_id[item_id] = stored
        demand = (
            select(
                ProgramItemDemand.id,
                ProgramItemDemand.item_id,
                ProgramItemDemand.year,
                ProgramItemDemand.quantity,
                ProgramItemDemand.value_amount,
                ProgramItemDemand.value_currency,
            )
            .join(ProgramItem)
            .where(ProgramItem.program_id == program_id)
        )
        for demand_id, item_id, year, quantity, amount, currency in self.session.execute(demand):
            by_id[item_id].demand[year] = (demand_id, quantity, amount, currency)
        return items

    def _demand(self, rows: Sequence[tuple[int, ProgramRow]]) -> None:
        counts = self.report.table("demand")
        stored_by_item = {
            item.id: item
            for key in {row.program_key for _id, row in rows}
            for item in self.programs[key][1].values()
        }
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        deletes: list[int] = []
        for item_id, row in rows:
            stored = stored_by_item[item_id].demand
            for year, (quantity, value) in row.demand.items():
                old = stored.get(year)
                if quantity is None:
                    if old is not None:
                        deletes.append(old[0])
                    continue
                if old is None:
                    amount = None if value is KEEP else value
                    inserts.append(
                        {
                            "item_id": item_id,
                            "year": year,
                            "quantity": quantity,
                            "value_amount": amount,
                            "value_currency": row.currency if amount is not None else None,
                        }
                    )
                    continue
                demand_id, old_quantity, old_amount, old_currency = old
                change: dict[str, Any] = {}
                if not _same(old_quantity, quantity):
                    change["quantity"] = quantity
                if value is not KEEP:
                    currency = row.currency if value is not None else None
                    if not _same(old_amount, value):
                        change["value_amount"] = value
                    if old_currency != currency and (value is not None or old_currency):
                        change["value_currency"] = currency
                if change:
                    updates.append({"id": demand_id, **change})
                else:
                    counts.unchanged += 1
        for batch in batches(deletes):  # within the statement parameter limit
            self.session.execute(delete(ProgramItemDemand).where(ProgramItemDemand.id.in_(batch)))
        if inserts:
            self.session.execute(insert(DEMAND_TABLE), inserts)
        _bulk_update(self.session, ProgramItemDemand, updates)
        counts.added += len(inserts)
        counts.changed += len(updates)
        counts.removed += len(deletes)


def _bulk_update(session: Session, model: type, rows: Sequence[dict[str, Any]]) -> None:
    """UPDATE by primary key, grouped by the set of columns that change (one executemany each)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for values in rows:
        groups.setdefault(tuple(sorted(values)), []).append(values)
    for group in groups.values():
        session.execute(update(model), group)


# --- capabilities --------------------------------------------------------------------------

_CAPABILITY_FIELDS = {  # Capability attribute → template column
    "product_name_en": "product_name_en",
    "tnved_code": "tnved",
    "okpd2_code": "okpd2",
    "unit_okei": "unit",
    "capacity_per_year": "capacity",
    "available_capacity": "available",
    "price_amount": "price",
    "price_currency": "currency",
    "localisation_pct": "localisation",
    "note": "note",
}


@dataclass(slots=True)
class CapabilityRow:
    """One valid row of a capability file: the enterprise and one product it makes."""

    row: int
    country: str
    tax_id: str
    enterprise: str
    region: str | None
    product_name: str
    tnved_raw: str | None
    fields: dict[str, Any]
    has_code: bool = True  # the file has the code column (else products match by name)

    @property
    def key(self) -> tuple[str, str, str, str | None]:
        return self.country, self.tax_id, self.product_name, self.tnved_raw


def read_capability_rows(
    session: Session, actor: Principal, table: RowTable
) -> list[CapabilityRow]:
    """Every row parsed and checked (nothing written); `ImportFailedError` lists all errors."""
    errors: list[RowError] = []
    header = _Header(table, CAPABILITY_COLUMNS, errors)
    _raise_if(errors)
    checker = _CapabilityChecker(session, actor, table.name, header, errors)
    rows = [row for number, cells in table.rows if (row := checker.parse(number, cells))]
    _raise_if(errors)
    return rows


class _CapabilityChecker:
    def __init__(
        self,
        session: Session,
        actor: Principal,
        filename: str,
        header: _Header,
        errors: list[RowError],
    ) -> None:
        self.lookup = _Lookups.load(session)
        self.actor, self.filename, self.header, self.errors = actor, filename, header, errors
        self.columns = {c.key: c for c in CAPABILITY_COLUMNS}
        self.seen: dict[tuple[str, str, str, str | None], int] = {}
        self.names: dict[tuple[str, str], tuple[int, str]] = {}

    def parse(self, number: int, cells: dict[str, Any]) -> CapabilityRow | None:
        r = _RowReader(
            self.filename, number, self.header.keyed(cells), self.columns, self.header, self.errors
        )
        row = self._parse(r)
        if row is not None:
            self._check_against_earlier(r, row)
        return row

    def _parse(self, r: _RowReader) -> CapabilityRow | None:
        before = len(r.errors)
        country = r.convert("country", self.lookup.country)
        _check_side(r, self.actor, Kind.CAPABILITY, country)
        tax_raw = r.text("tax_id")
        tax_id = None
        if country and tax_raw:
            tax_id = r.convert("tax_id", lambda v: validate_tax_id(country, tax_raw))
        enterprise = r.text("enterprise")
        region = r.text("region") if r.has("region") else None
        product = r.text("product_name")
        fields: dict[str, Any] = {
            "unit_okei": getattr(r.convert("unit", resolve_unit), "code", None),
            "capacity_per_year": r.convert("capacity", parse_quantity),
        }
        code_raw = r.text("tnved") if r.has("tnved") else None
        if r.has("tnved") and code_raw:
            code = r.convert("tnved", self.lookup.code)
            fields["tnved_code"] = code.digits if code else None
        elif r.has("tnved"):
            fields["tnved_code"] = None
        for key, attribute in (("product_name_en", "product_name_en"), ("note", "note")):
            if r.has(key):
                fields[attribute] = r.text(key)
        for key, attribute, parse in (
            ("okpd2", "okpd2_code", parse_okpd2),
            ("available", "available_capacity", parse_quantity),
            ("price", "price_amount", parse_amount),
            ("currency", "price_currency", parse_currency),
            ("localisation", "localisation_pct", parse_percent),
        ):
            if r.has(key):
                fields[attribute] = r.convert(key, parse)
        price, currency = fields.get("price_amount"), fields.get("price_currency")
        if price is not None and currency is None and r.raw("currency") is None:
            r.error("currency", N_("required when a price is given"))
        if "price_amount" in fields and fields["price_amount"] is None:
            fields["price_currency"] = None
        capacity, available = fields["capacity_per_year"], fields.get("available_capacity")
        if capacity is not None and available is not None and available > capacity:
            r.error(
                "available",
                N_("exceeds the capacity (%(capacity)s)"),
                available,
                capacity=capacity,
            )
        if tax_id is None or len(r.errors) > before:
            return None
        assert country is not None and enterprise is not None and product is not None
        return CapabilityRow(
            r.row, country, tax_id, enterprise, region, product, code_raw, fields, r.has("tnved")
        )

    def _check_against_earlier(self, r: _RowReader, row: CapabilityRow) -> None:
        """The same product of one enterprise twice, or one tax id under two names, are errors."""
        if row.key in self.seen:
            r.error(
                "product_name",
                N_("duplicate row: the same product of the same enterprise is on row %(other)s"),
                row.product_name,
                other=self.seen[row.key],
            )
        self.seen.setdefault(row.key, row.row)
        first_row, first_name = self.names.setdefault(
            (row.country, row.tax_id), (row.row, row.enterprise)
        )
        if first_name != row.enterprise:
            r.error(
                "enterprise",
                N_("the same tax id is named %(name)s on row %(other)s"),
                row.enterprise,
                name=f"«{first_name}»",
                other=first_row,
            )


def import_capabilities(
    session: Session,
    actor: Principal,
    table: RowTable,
    progress: Progress | None = None,
    *,
    sha256: str | None = None,
) -> ImportReport:
    """Check every row and write the changes in batches; all or nothing (see module doc)."""
    require(actor, Action.CREATE, Kind.CAPABILITY, owner=actor.country)
    step = progress or _quiet
    errors: list[RowError] = []
    header = _Header(table, CAPABILITY_COLUMNS, errors)
    _raise_if(errors)
    report = ImportReport(file=table.name, sha256=sha256)
    for name in ("enterprises", "capabilities"):
        report.table(name)

    def body() -> None:
        checker = _CapabilityChecker(session, actor, table.name, header, errors)
        writer = _CapabilityWriter(session, report)
        for batch in _batches(table.rows):
            rows = [row for number, cells in batch if (row := checker.parse(number, cells))]
            report.rows += len(batch)
            if not errors:
                writer.write(rows)
            step(f"{report.rows:,} rows")
        _raise_if(errors)

    return _run(session, report, "import capabilities", body)


class _CapabilityWriter:
    """Applies checked capability rows, comparing each with what is stored."""

    def __init__(self, session: Session, report: ImportReport) -> None:
        self.session, self.report = session, report
        self.enterprises: dict[
            tuple[str, str], tuple[int, dict[tuple[str, str | None], tuple[int, dict[str, Any]]]]
        ] = {}

    def write(self, rows: Sequence[CapabilityRow]) -> None:
        counts = self.report.table("capabilities")
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for row in rows:
            org_id, known = self._enterprise(row)
            stored = known.get((row.product_name, row.tnved_raw))
            if not row.has_code:  # the same product whatever its stored code, if only one
                same = [v for (name, _code), v in known.items() if name == row.product_name]
                stored = same[0] if len(same) == 1 else None
            if stored is None:
                values = {
                    "enterprise_id": org_id,
                    "product_name": row.product_name,
                    "tnved_raw": row.tnved_raw,
                    **row.fields,
                }
                inserts.append(values)
                known[(row.product_name, row.tnved_raw)] = (0, values)
                continue
            changes = {k: v for k, v in row.fields.items() if not _same(stored[1].get(k), v)}
            if changes:
                updates.append({"id": stored[0], **changes})
                stored[1].update(changes)
            else:
                counts.unchanged += 1
        if inserts:
            self.session.execute(insert(CAPABILITY_TABLE), inserts)
        _bulk_update(self.session, Capability, updates)
        counts.added += len(inserts)
        counts.changed += len(updates)

    def _enterprise(
        self, row: CapabilityRow
    ) -> tuple[int, dict[tuple[str, str | None], tuple[int, dict[str, Any]]]]:
        key = (row.country, row.tax_id)
        if key in self.enterprises:
            return self.enterprises[key]
        counts = self.report.table("enterprises")
        found = self.session.execute(
            select(Organization.id, Organization.name, Organization.region).where(
                Organization.country_code == row.country, Organization.tax_id == row.tax_id
            )
        ).first()
        if found is None:
            org_id = self.session.execute(
                insert(Organization).returning(Organization.id),
                [
                    {
                        "kind": OrganizationKind.ENTERPRISE,
                        "country_code": row.country,
                        "tax_id": row.tax_id,
                        "name": row.enterprise,
                        "region": row.region,
                    }
                ],
            ).scalar_one()
            counts.added += 1
            self.enterprises[key] = (org_id, {})
            return self.enterprises[key]
        org_id, name, region = found
        changes: dict[str, Any] = {}
        if name != row.enterprise:
            changes["name"] = row.enterprise
        if row.region and row.region != region:
            changes["region"] = row.region
        if changes:
            self.session.execute(update(Organization), [{"id": org_id, **changes}])
            counts.changed += 1
        else:
            counts.unchanged += 1
        names = list(_CAPABILITY_FIELDS)
        query = select(
            Capability.id,
            Capability.product_name,
            Capability.tnved_raw,
            *(getattr(Capability, n) for n in names),
        ).where(Capability.enterprise_id == org_id)
        known = {
            (product, raw): (cap_id, dict(zip(names, values, strict=True)))
            for cap_id, product, raw, *values in self.session.execute(query)
        }
        self.enterprises[key] = (org_id, known)
        return self.enterprises[key]
