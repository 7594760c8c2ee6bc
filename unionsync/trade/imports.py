"""Trade flows from files: UN Comtrade (its current API and bulk layout, and the older bulk
layout), CEPII BACI, and a national customs layout. Every row is read into one shape, checked
(an error names file, row and column), and the import is all-or-nothing:

- the full table goes to Parquet under `<data dir>/trade/flows/file=…/year=…/flow=…/`
  (partitioned by year and direction, the HS subheading also kept as an integer key; queried
  with DuckDB, never loaded into the transactional database: these tables run to millions of
  rows);
- its summary for the two Union State members (per reporter, partner, year, direction and code)
  replaces the file's earlier summary in `trade_flow`, where totals, pages and mirror
  statistics read it.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from unionsync.access.policy import Action, Kind, Principal, require
from unionsync.core.messages import N_, ExplainedError
from unionsync.core.money import Currency
from unionsync.core.shared import mark_changed
from unionsync.core.tabular import (
    CsvFormat,
    ImportFailedError,
    RowError,
    Sheet,
    csv_uncell,
    open_csv,
    parse_decimal,
    read_table,
)
from unionsync.nomenclature.codes import parse_tnved
from unionsync.reference.units import resolve_unit
from unionsync.trade.aggregate import dataset_files
from unionsync.trade.models import FlowDirection, TradeFlow

UNION = ("BY", "RU")
# ISO 3166 alpha-3 and UN M49 numeric codes of the countries UnionSync names; other partners
# keep the code the file gives (the Parquet table holds them for the analytics)
ISO3 = {"BLR": "BY", "RUS": "RU", "KAZ": "KZ", "ARM": "AM", "KGZ": "KG"}
WORLD = {"W00", "WLD", "0", "000"}
M49 = {"112": "BY", "643": "RU", "398": "KZ", "51": "AM", "051": "AM", "417": "KG"}
# Comtrade's quantity units → OKEI
COMTRADE_UNITS = {
    "kg": "166",
    "u": "796",
    "n": "796",
    "l": "112",
    "m": "006",
    "m²": "055",
    "m2": "055",
    "m³": "113",
    "m3": "113",
    "t": "168",
    "pa": "715",
    "2u": "715",
    "12u": "778",
    "1000u": "798",
}
COLUMNS = (
    "reporter",
    "partner",
    "year",
    "flow",
    "code",
    "value",
    "currency",
    "quantity",
    "unit",
    "net_kg",
)


@dataclass(frozen=True, slots=True)
class Flow:
    reporter: str
    partner: str
    year: int
    flow: str
    code: str
    value: Decimal
    currency: str
    quantity: Decimal | None
    unit: str | None
    net_kg: Decimal | None


class _CellError(Exception):
    """A cell that cannot be read: why, and the value as the file has it."""

    def __init__(self, template: str, cell: object = None, **params: Any) -> None:
        super().__init__(template)
        self.template, self.cell, self.params = template, cell, params


def _text(value: object) -> str:
    """A cell as text: stripped, and `2022.0` (a number cell read as text) as `2022`."""
    text = "" if value is None else str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text


def _country(text: str) -> str:
    upper = text.upper()
    if upper in WORLD:
        return "W00"  # Comtrade's «World»: a total over partners, kept as such
    if len(upper) == 2 and upper.isalpha():
        return upper
    if upper in ISO3:
        return ISO3[upper]
    if upper.isdigit():
        return M49.get(upper, M49.get(upper.lstrip("0"), upper))
    if len(upper) == 3 and upper.isalpha():
        return upper
    raise _CellError(N_("«%(value)s» is not a country code (ISO or M49)"), text, value=text)


def _year(text: str) -> int:
    digits = text[:4]
    if not (digits.isdigit() and 1990 <= int(digits) <= 2100):
        raise _CellError(N_("«%(value)s» is not a year or a period"), text, value=text)
    return int(digits)


def _code(text: str) -> str:
    try:
        return parse_tnved(text).digits
    except ExplainedError as error:
        raise _CellError(error.template, text, **error.params) from None


def _direction(text: str, spellings: dict[str, str], template: str) -> str:
    """«export» or «import» from a layout's own spellings (or the words themselves)."""
    flow = spellings.get(text.casefold(), text.casefold())
    if flow not in ("export", "import"):
        raise _CellError(template, text, value=text)
    return flow


def _comtrade_flow(text: str) -> str:
    spellings = {"x": "export", "m": "import", "2": "export", "1": "import"}
    return _direction(text, spellings, N_("«%(value)s»: X or M (export or import)"))


def _comtrade_unit(text: str) -> str | None:
    return COMTRADE_UNITS.get(text.casefold())


def _customs_flow(text: str) -> str:
    spellings = {"эк": "export", "им": "import", "экспорт": "export", "импорт": "import"}
    return _direction(text, spellings, N_("«%(value)s»: ЭК or ИМ (export or import)"))


def _unit(text: str) -> str:
    try:
        return resolve_unit(text).code
    except ExplainedError as error:
        raise _CellError(error.template, text, **error.params) from None


@dataclass(frozen=True, slots=True)
class Column:
    """Where a field of `Flow` comes from: the first of `names` the file has, read by `read`
    (a cell's text → the value) or, without it, as a number (× 10^`scale`). Every entrance
    (a row at a time, or a whole column of a large CSV at once) reads a cell the same way."""

    names: tuple[str, ...]
    read: Callable[[str], Any] | None = None
    required: bool = True
    scale: int = 0
    present: str | None = None  # the value whenever the cell is filled (BACI's unit of q)
    missing: tuple[str, ...] = ()  # texts that mean an empty cell (BACI writes NA)


Source = Column | str | None  # a column, or the same value on every row


def layout_fields(layout: str, currency: str, reporter: str | None) -> dict[str, Source]:
    """Each `Flow` field's source in `layout`, in the order errors are reported."""
    if layout == "comtrade":
        # both Comtrade layouts: the API/bulk one (refYear, reporterISO, flowCode, cmdCode,
        # primaryValue, qty, qtyUnitAbbr, netWgt) and the older bulk one (Year, Trade Flow
        # Code, Reporter ISO, Commodity Code, Trade Value (US$), Qty, Netweight (kg))
        return {
            "flow": Column(("flowCode", "Trade Flow Code", "Trade Flow"), _comtrade_flow),
            "reporter": Column(
                ("reporterISO", "Reporter ISO", "reporterCode", "Reporter Code"), _country
            ),
            "partner": Column(
                ("partnerISO", "Partner ISO", "partnerCode", "Partner Code"), _country
            ),
            "year": Column(("refYear", "Year", "period", "Period"), _year),
            "code": Column(("cmdCode", "Commodity Code"), _code),
            "value": Column(("primaryValue", "Trade Value (US$)", "TradeValue")),
            "currency": "USD",
            "quantity": Column(("qty", "Qty"), required=False),
            "unit": Column(("qtyUnitAbbr", "Qty Unit"), _comtrade_unit, required=False),
            "net_kg": Column(("netWgt", "Netweight (kg)", "NetWeight"), required=False),
        }
    if layout == "baci":
        # CEPII BACI: t (year), i (exporter, M49), j (importer), k (HS6), v (thousand USD),
        # q (metric tonnes). A BACI row is one reconciled flow; it is kept as the exporter's.
        tonnes = ("q",)
        return {
            "reporter": Column(("i",), _country),
            "partner": Column(("j",), _country),
            "year": Column(("t",), _year),
            "flow": "export",
            "code": Column(("k",), _code),
            "value": Column(("v",), scale=3),
            "currency": "USD",
            "quantity": Column(tonnes, required=False, missing=("NA",)),
            "unit": Column(tonnes, required=False, present="168", missing=("NA",)),
            "net_kg": Column(tonnes, required=False, scale=3, missing=("NA",)),
        }
    if layout == "customs":
        # a national customs table: direction (ЭК/ИМ, export/import), period, partner country,
        # 10-digit code, unit, value, net weight, quantity; the reporter is the file's country
        return {
            "reporter": reporter,
            "flow": Column(("direction", "направление", "напр"), _customs_flow),
            "partner": Column(("country", "страна"), _country),
            "year": Column(("period", "период"), _year),
            "code": Column(("code", "код", "tnved", "код тн вэд"), _code),
            "value": Column(("value", "стоимость")),
            "currency": currency,
            "quantity": Column(("quantity", "количество"), required=False),
            "unit": Column(("unit", "единица", "ед"), _unit, required=False),
            "net_kg": Column(("net weight", "net_weight", "нетто", "вес нетто"), required=False),
        }
    raise ValueError(f"unknown layout {layout!r}: {', '.join(LAYOUTS)}")


LAYOUTS = ("comtrade", "baci", "customs")


def missing_columns(sheet: Sheet, layout: str) -> list[RowError]:
    """One error per required column the sheet lacks, naming the spellings accepted (a file of
    another layout is refused once per missing column, not once per row)."""
    fields = layout_fields(layout, "USD", "")
    return [
        RowError.explained(
            sheet.name,
            1,
            source.names[0],
            N_("required column is missing (accepted headers: %(names)s)"),
            names=", ".join(f"«{name}»" for name in source.names),
        )
        for source in fields.values()
        if isinstance(source, Column)
        and source.required
        and sheet.find_column(*source.names) is None
    ]


def _cell(source: Column, raw: object) -> Any:
    """One cell's value as `source` reads it (None: empty and allowed to be)."""
    text = _text(raw)
    if text in source.missing:
        text = ""
    if not text:
        if source.required:
            raise _CellError(N_("required value is empty"))
        return None
    if source.present is not None:
        return source.present
    if source.read is not None:
        return source.read(text)
    try:
        number = parse_decimal(raw if not isinstance(raw, str) else text)
    except ExplainedError as error:
        raise _CellError(error.template, raw, **error.params) from None
    assert number is not None
    return number.scaleb(source.scale) if source.scale else number


@dataclass(frozen=True, slots=True)
class ImportResult:
    rows: int
    parquet: Path  # the file's folder of the partitioned dataset
    summarised: int  # rows of mutual BY–RU trade now in trade_flow


MAX_ERRORS = 1000  # a file this wrong is the wrong file: stop reading and say so
BATCH_ROWS = 50_000
MEMO_SIZE = 200_000  # distinct cells of a column remembered across a file's blocks


class _Errors:
    """The errors found so far, with the row and field order they are reported in."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.found: list[tuple[int, int, RowError]] = []

    def add(self, row: int, order: int, column: str, error: _CellError) -> None:
        self.found.append(
            (
                row,
                order,
                RowError.explained(
                    self.name, row, column, error.template, error.cell, **error.params
                ),
            )
        )

    @property
    def full(self) -> bool:
        return len(self.found) >= MAX_ERRORS

    def raise_any(self) -> None:
        if self.found:
            self.found.sort(key=lambda found: found[:2])
            raise ImportFailedError([error for _row, _order, error in self.found[:MAX_ERRORS]])


def _sources(sheet: Sheet, fields: dict[str, Source]) -> list[tuple[str, Source, str | None]]:
    """(field, source, the file's header for it) with the headers resolved once per file."""
    return [
        (name, source, sheet.find_column(*source.names) if isinstance(source, Column) else None)
        for name, source in fields.items()
    ]


def _row_flow(
    values: dict[str, Any],
    number: int,
    sources: list[tuple[str, Source, str | None]],
    errors: _Errors,
) -> Flow | None:
    """One row in the one shape, or None with every bad cell of it in `errors`."""
    found: dict[str, Any] = {}
    bad = False
    for order, (name, source, header) in enumerate(sources):
        if not isinstance(source, Column):
            found[name] = source
            continue
        try:
            found[name] = _cell(source, None if header is None else values.get(header))
        except _CellError as error:
            errors.add(number, order, header or source.names[0], error)
            bad = True
    return None if bad else Flow(**found)


def read_flows(
    sheet: Sheet, layout: str, *, currency: str = "USD", reporter: str | None = None
) -> list[Flow]:
    """Every row of `sheet` in the one shape, or `ImportFailedError` listing every bad cell."""
    fields = _checked_fields(sheet, layout, currency, reporter)
    sources = _sources(sheet, fields)
    errors = _Errors(sheet.name)
    flows = []
    for number, values in sheet.rows:
        flow = _row_flow(values, number, sources, errors)
        if flow is not None:
            flows.append(flow)
        if errors.full:
            break
    errors.raise_any()
    return flows


def _checked_fields(
    sheet: Sheet, layout: str, currency: str, reporter: str | None
) -> dict[str, Source]:
    """The layout's sources, after refusing a file without its required columns (or a customs
    file without its reporting country) once, not once per row."""
    fields = layout_fields(layout, currency, reporter)
    problems = missing_columns(sheet, layout)
    if layout == "customs" and reporter is None:
        problems.insert(
            0,
            RowError.explained(
                sheet.name,
                1,
                "reporter",
                N_("name the reporting country of a customs file (--reporter)"),
            ),
        )
    if problems:
        raise ImportFailedError(problems)
    return fields


SCHEMA_FIELDS = (
    ("reporter", "string"),
    ("partner", "string"),
    ("year", "int16"),
    ("flow", "string"),
    ("code", "string"),
    # the HS subheading as an integer: the aggregation key (codes coarser than six digits have
    # none)
    ("hs6", "int32"),
    ("value", "float64"),
    ("currency", "string"),
    ("quantity", "float64"),
    ("unit", "string"),
    ("net_kg", "float64"),
)


def _schema() -> Any:
    import pyarrow as pa

    return pa.schema([(name, pa.type_for_alias(kind)) for name, kind in SCHEMA_FIELDS])


def _batch(flows: Sequence[Flow]) -> Any:
    """Flows read a row at a time as one Arrow batch of the stored table."""
    import pyarrow as pa

    def number(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    columns = {
        "reporter": [f.reporter for f in flows],
        "partner": [f.partner for f in flows],
        "year": [f.year for f in flows],
        "flow": [f.flow for f in flows],
        "code": [f.code for f in flows],
        "hs6": [int(f.code[:6]) if len(f.code) >= 6 else None for f in flows],
        "value": [float(f.value) for f in flows],
        "currency": [f.currency for f in flows],
        "quantity": [number(f.quantity) for f in flows],
        "unit": [f.unit for f in flows],
        "net_kg": [number(f.net_kg) for f in flows],
    }
    return pa.RecordBatch.from_pydict(columns, schema=_schema())


def _row_batches(
    rows: Iterable[tuple[int, dict[str, Any]]],
    sources: list[tuple[str, Source, str | None]],
    errors: _Errors,
    counter: list[int],
) -> Iterator[Any]:
    """Rows read one at a time (Excel, and CSV files a columnar reader cannot take), as
    batches of the stored table; a row with a bad cell is left out, its errors kept."""
    flows: list[Flow] = []
    for number, values in rows:
        flow = _row_flow(values, number, sources, errors)
        if flow is not None and not errors.found:
            flows.append(flow)
        if len(flows) >= BATCH_ROWS:
            counter[0] += len(flows)
            yield _batch(flows)
            flows = []
        if errors.full:
            return
    if flows:
        counter[0] += len(flows)
        yield _batch(flows)


class _NotColumnarError(Exception):
    """The CSV has a row the columnar reader cannot place (a row with too few or too many
    cells, or a line break inside a quoted cell): it is read a row at a time instead."""


_PLAIN = r"^[0-9]{1,30}(\.[0-9]{1,29})?$"  # what Decimal and Arrow read to the same float
# with a scale, at most 24 digits, so that Decimal's 28-digit product is exact too
_PLAIN_SCALED = r"^[0-9]{1,12}(\.[0-9]{1,12})?$"


def _columnar_batches(
    path: Path,
    form: CsvFormat,
    sources: list[tuple[str, Source, str | None]],
    errors: _Errors,
    counter: list[int],
) -> Iterator[Any]:
    """A large CSV read by Arrow block by block (bounded memory, parsed in C++): each column
    read at once, categorical columns through the same cell readers once per distinct value,
    numbers that Arrow parses exactly as Decimal does in bulk and the rest cell by cell. Row
    numbers are the file's lines (a row with the wrong number of cells raises _NotColumnarError)."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    names = [f"c{n}" for n in range(len(form.headers))]
    # the header of each column the layout uses; with repeated headers the last one wins, as
    # in a row read one at a time
    index = {header: n for n, header in enumerate(form.headers)}
    invalid: list[int] = []

    def refuse(_row: Any) -> str:
        invalid.append(1)
        return "skip"

    reader = pa_csv.open_csv(
        path,
        read_options=pa_csv.ReadOptions(
            column_names=names,
            skip_rows=form.header_row,
            block_size=1 << 23,
            encoding="utf8" if form.encoding == "utf-8-sig" else form.encoding,
        ),
        parse_options=pa_csv.ParseOptions(
            delimiter=form.delimiter,
            ignore_empty_lines=False,
            newlines_in_values=False,
            invalid_row_handler=refuse,
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    first = form.header_row + 1  # the line of the first data row
    memos: dict[str, dict[str, Any]] = {}  # each categorical column's cells read so far
    try:
        for batch in reader:
            if invalid:
                raise _NotColumnarError
            yield from _columnar_batch(batch, first, index, names, sources, memos, errors, counter)
            first += batch.num_rows
            if errors.full:
                return
    except pa.ArrowInvalid as error:
        raise _NotColumnarError from error
    if invalid:
        raise _NotColumnarError


def _columnar_batch(
    batch: Any,
    first: int,
    index: dict[str, int],
    names: list[str],
    sources: list[tuple[str, Source, str | None]],
    memos: dict[str, dict[str, Any]],
    errors: _Errors,
    counter: list[int],
) -> Iterator[Any]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    size = batch.num_rows
    if not size:
        return
    schema = _schema()
    failures: list[tuple[Any, int, str, _CellError]] = []
    columns: dict[str, Any] = {}
    for order, (name, source, header) in enumerate(sources):
        kind = schema.field(name).type
        if not isinstance(source, Column):
            columns[name] = pa.repeat(pa.scalar(source, kind), size)
            continue
        if header is None:  # an optional column the file does not have
            columns[name] = pa.nulls(size, kind)
            continue
        raw = batch.column(f"c{index[header]}")

        def failed(rows: Any, error: _CellError, order: int = order, column: str = header) -> None:
            failures.append((rows, order, column, error))

        if source.present is not None:
            columns[name] = _present(raw, source)
        elif source.read is not None:
            memo = memos.setdefault(name, {})
            columns[name] = _by_distinct(raw, source, kind, failed, memo)
        else:
            columns[name] = _numbers(raw, source, failed)
    columns["hs6"] = _hs6(columns["code"])
    table = pa.table([columns[name] for name in schema.names], schema=schema)
    if failures:
        # every layout has required columns, so a row with nothing in it fails one of them:
        # such rows are skipped without a word, as a row read one at a time is
        flagged = np.unique(
            np.concatenate([np.asarray(rows, dtype=np.int64) for rows, *_ in failures])
        )
        positions = pa.array(flagged)
        empty = np.logical_and.reduce(
            [
                pc.equal(pc.utf8_trim_whitespace(pc.take(batch.column(n), positions)), "").to_numpy(
                    zero_copy_only=False
                )
                for n in names
            ]
        )
        skipped = set(flagged[empty].tolist())
        for rows, order, column, error in failures:
            for row in rows:
                if int(row) not in skipped and not errors.full:
                    errors.add(first + int(row), order, column, error)
        keep = np.ones(size, dtype=bool)
        keep[flagged] = False
        table = table.filter(pa.array(keep))
    if errors.found or not table.num_rows:
        return
    counter[0] += table.num_rows
    yield from table.to_batches()


OnError = Callable[[Any, _CellError], None]  # (row positions in the batch, the error)


def _hs6(code: Any) -> Any:
    """The subheading of each code as an integer (null for a code of fewer than six digits)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    long = pc.greater_equal(pc.utf8_length(code), 6)
    head = pc.if_else(long, pc.utf8_slice_codeunits(code, 0, 6), "0")
    return pc.if_else(long, pc.cast(head, pa.int32()), pa.scalar(None, pa.int32()))


def _present(raw: Any, source: Column) -> Any:
    """`source.present` wherever the cell is filled (not blank, not a missing marker)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    trimmed = pc.utf8_trim_whitespace(raw)
    markers = pa.array(list(source.missing), pa.string())
    filled = pc.and_(pc.not_equal(trimmed, ""), pc.invert(pc.is_in(trimmed, value_set=markers)))
    return pc.if_else(filled, pa.scalar(source.present), pa.scalar(None, pa.string()))


def _by_distinct(
    raw: Any, source: Column, kind: Any, on_error: OnError, memo: dict[str, Any]
) -> Any:
    """A categorical column (countries, years, codes, directions, units): each distinct cell
    read once per file (`memo`) by the same reader a row at a time uses, then spread over the
    rows."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    distinct = pc.unique(raw)
    if len(memo) > MEMO_SIZE:
        memo.clear()
    mapped: list[Any] = []
    failures: list[tuple[int, _CellError]] = []
    for position, value in enumerate(distinct.to_pylist()):
        if value not in memo:
            try:
                memo[value] = _cell(source, csv_uncell(value))
            except _CellError as bad:
                memo[value] = bad
        found = memo[value]
        if isinstance(found, _CellError):
            mapped.append(None)
            failures.append((position, found))
        else:
            mapped.append(found)
    positions = pc.index_in(raw, value_set=distinct)
    for position, failure in failures:
        on_error(
            np.flatnonzero(pc.equal(positions, position).to_numpy(zero_copy_only=False)), failure
        )
    return pc.take(pa.array(mapped, kind), positions)


def _numbers(raw: Any, source: Column, on_error: OnError) -> Any:
    """A number column: the cells Arrow parses exactly as Decimal does (plain digits with a
    point: both give the correctly rounded double) in bulk, blanks as nulls, the rest (`1 234,5`,
    `NA`, errors) cell by cell through the reader a row at a time uses."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    size = len(raw)
    plain = pc.match_substring_regex(raw, _PLAIN_SCALED if source.scale else _PLAIN)
    plain_mask = plain.to_numpy(zero_copy_only=False)
    out = np.zeros(size, dtype=np.float64)
    valid = np.zeros(size, dtype=bool)
    if plain_mask.any():
        picked = pc.filter(raw, plain)
        if source.scale:  # «125.5» thousands: «125.5e3», read in one rounding as Decimal is
            picked = pc.binary_join_element_wise(picked, f"e{source.scale}", "")
        out[plain_mask] = pc.cast(picked, pa.float64()).to_numpy(zero_copy_only=False)
        valid[plain_mask] = True
    rest = ~plain_mask
    if not source.required:  # blanks (and NA where it means blank) are nulls without asking
        trimmed = pc.utf8_trim_whitespace(raw)
        blank = pc.is_in(trimmed, value_set=pa.array(["", *source.missing], pa.string()))
        rest &= ~blank.to_numpy(zero_copy_only=False)
    where = np.flatnonzero(rest)
    if len(where):
        for row, value in zip(where, pc.take(raw, pa.array(where)).to_pylist(), strict=True):
            try:
                number = _cell(source, csv_uncell(value))
            except _CellError as error:
                on_error([row], error)
                continue
            if number is not None:
                out[row] = float(number)
                valid[row] = True
    return pa.array(out, pa.float64(), mask=~valid)


def _write(
    path: Path,
    layout: str,
    currency: str,
    reporter: str | None,
    staging: Path,
    columnar: bool,
    progress: Callable[[int], None] | None = None,
) -> int:
    """The file's rows as a Parquet dataset under `staging` (partitioned by year and
    direction); the number of rows, or `ImportFailedError` with every bad cell (at most
    MAX_ERRORS), in which case `staging` holds nothing that counts."""
    counter = [0]
    if path.suffix.lower() == ".csv":
        with open_csv(path) as (form, stream):
            sheet = Sheet(stream.name, stream.headers)
            fields = _checked_fields(sheet, layout, currency, reporter)
            sources = _sources(sheet, fields)
            errors = _Errors(sheet.name)
            if columnar:
                try:
                    _store(
                        _columnar_batches(path, form, sources, errors, counter),
                        staging,
                        counter,
                        progress,
                    )
                    errors.raise_any()
                    return counter[0]
                except _NotColumnarError:
                    shutil.rmtree(staging)
                    staging.mkdir()
                    counter, errors = [0], _Errors(sheet.name)
            _store(_row_batches(stream.rows, sources, errors, counter), staging, counter, progress)
    else:
        table = read_table(path.read_bytes(), path.name)
        fields = _checked_fields(table, layout, currency, reporter)
        errors = _Errors(table.name)
        _store(
            _row_batches(table.rows, _sources(table, fields), errors, counter),
            staging,
            counter,
            progress,
        )
    errors.raise_any()
    return counter[0]


def _store(
    batches: Iterator[Any],
    staging: Path,
    counter: list[int],
    progress: Callable[[int], None] | None,
) -> None:
    """Batches written as they come (a few row groups per partition in memory at a time);
    `progress` hears the rows read so far after each batch."""
    import pyarrow.dataset as ds

    def told() -> Iterator[Any]:
        for batch in batches:
            yield batch
            if progress is not None:
                progress(counter[0])

    ds.write_dataset(
        told(),
        staging,
        schema=_schema(),
        format="parquet",
        partitioning=["year", "flow"],
        partitioning_flavor="hive",
        basename_template="part-{i}.parquet",
        existing_data_behavior="overwrite_or_ignore",
        max_rows_per_group=1 << 17,
        min_rows_per_group=1 << 14,
        max_rows_per_file=1 << 24,
    )


def file_digest(path: Path) -> str:
    """A short digest of the file's bytes, read in chunks; names the file (not a security
    use)."""
    digest = hashlib.sha1()
    with path.open("rb") as handle:
        while block := handle.read(1 << 24):
            digest.update(block)
    return digest.hexdigest()[:12]


def import_file(
    session: Session,
    actor: Principal,
    path: Path,
    layout: str,
    data_dir: Path,
    *,
    currency: str = "USD",
    reporter: str | None = None,
    columnar: bool = True,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Read, check, store the table as Parquet and its Union State summary in the database.

    A CSV is streamed from disk (no whole file in memory): by Arrow, column by column, when
    every row has the header's number of cells, else a row at a time (`columnar=False` forces
    that; both give the same table and the same errors). The table is written to a staging
    folder and moved into place only after the database took the summary."""
    require(actor, Action.CREATE, Kind.TRADE)
    if currency not in {c.value for c in Currency}:
        raise ValueError(f"unknown currency {currency!r}: BYN, RUB or USD")
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}: {', '.join(LAYOUTS)}")
    target = data_dir / "trade" / "flows" / f"file={layout}-{path.stem}-{file_digest(path)}"
    data_dir.mkdir(parents=True, exist_ok=True)
    # a folder of a unique name made as any other (mode from the umask): `mkdtemp` makes it
    # private, and the moved folder would then be readable by this user alone, not by Dask
    # workers or the job worker running as another user on the same data directory
    staging = data_dir / f".trade-import-{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        rows = _write(path, layout, currency, reporter, staging, columnar, progress)
        summary = summarise(dataset_files(staging))
        source = f"{layout}:{path.name}"
        mark_changed(session, "trade")  # the bulk delete below bypasses the unit of work
        session.execute(delete(TradeFlow).where(TradeFlow.source == source))
        for row in summary:
            session.add(TradeFlow(source=source, **row))
        session.flush()
        # after the database accepted the summary: one folder per file, partitioned by year
        # and direction (a query that groups by them reads only the code and value columns)
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return ImportResult(rows, target, len(summary))


def summarise(files: Sequence[str]) -> list[dict[str, Any]]:
    """Mutual BY–RU trade per reporter, partner, year, direction, code, currency and unit,
    aggregated by DuckDB straight from the stored Parquet files."""
    import duckdb

    if not files:
        return []
    connection = duckdb.connect()
    connection.execute("SET enable_progress_bar = false")  # no bar in logs and pipes
    try:
        rows = connection.execute(
            """
            SELECT reporter, partner, CAST(year AS INTEGER), CAST(flow AS VARCHAR), code,
                   currency,
                   -- quantities in different units are never added: no quantity then
                   CASE WHEN count(DISTINCT unit) = 1 THEN min(unit) END AS unit,
                   sum(value) AS value,
                   CASE WHEN count(DISTINCT unit) <= 1 THEN sum(quantity) END AS quantity
            FROM read_parquet($files, hive_partitioning = true)
            WHERE reporter IN ('BY', 'RU') AND partner IN ('BY', 'RU') AND reporter <> partner
            GROUP BY ALL
            ORDER BY 1, 2, 3, 4, 5
            """,
            {"files": list(files)},
        ).fetchall()
    finally:
        connection.close()
    result = []
    for reporter, partner, year, flow, code, currency, unit, value, quantity in rows:
        result.append(
            {
                "reporter_code": reporter,
                "partner_code": partner,
                "year": int(year),
                "flow": FlowDirection(flow),
                "tnved_code": code,
                "value_amount": Decimal(str(round(value, 2))),
                "value_currency": Currency(currency),
                "quantity": None if quantity is None else Decimal(str(round(quantity, 3))),
                "unit_okei": unit,
            }
        )
    return result
