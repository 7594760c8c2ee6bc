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
from collections.abc import Callable
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
from unionsync.core.tabular import ImportFailedError, RowError, Sheet, parse_decimal, read_table
from unionsync.nomenclature.codes import parse_tnved
from unionsync.reference.units import resolve_unit
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
    """A cell that cannot be read (the column and why)."""

    def __init__(self, column: str, template: str, cell: object = None, **params: Any) -> None:
        super().__init__(template)
        self.column, self.template, self.cell, self.params = column, template, cell, params


@dataclass(frozen=True, slots=True)
class _Row:
    """One data row with its sheet, whose headers are resolved once, not per row."""

    sheet: Sheet
    values: dict[str, Any]


def _get(row: _Row, *names: str) -> tuple[str, Any]:
    """The first of `names` the file has (layouts spell headers differently)."""
    header = row.sheet.find_column(*names)
    return (names[0], None) if header is None else (header, row.values.get(header))


def _required(row: _Row, *names: str) -> tuple[str, str]:
    column, value = _get(row, *names)
    text = "" if value is None else str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if not text:
        raise _CellError(column, N_("required value is empty"))
    return column, text


def _country(row: _Row, *names: str) -> str:
    column, text = _required(row, *names)
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
    raise _CellError(column, N_("«%(value)s» is not a country code (ISO or M49)"), text, value=text)


def _number(row: _Row, *names: str, required: bool = False) -> Decimal | None:
    column, value = _get(row, *names)
    try:
        number = parse_decimal(value)
    except ExplainedError as error:
        raise _CellError(column, error.template, value, **error.params) from None
    if number is None and required:
        raise _CellError(column, N_("required value is empty"))
    return number


def _year(row: _Row, *names: str) -> int:
    column, text = _required(row, *names)
    digits = text[:4]
    if not (digits.isdigit() and 1990 <= int(digits) <= 2100):
        raise _CellError(column, N_("«%(value)s» is not a year or a period"), text, value=text)
    return int(digits)


def _code(row: _Row, *names: str) -> str:
    column, text = _required(row, *names)
    try:
        return parse_tnved(text).digits
    except ExplainedError as error:
        raise _CellError(column, error.template, text, **error.params) from None


def _comtrade(row: _Row, currency: str, reporter: str | None) -> Flow:
    """Both Comtrade layouts: the API/bulk one (refYear, reporterISO, flowCode, cmdCode,
    primaryValue, qty, qtyUnitAbbr, netWgt) and the older bulk one (Year, Trade Flow Code,
    Reporter ISO, Commodity Code, Trade Value (US$), Qty, Netweight (kg))."""
    column, flow_text = _required(row, "flowCode", "Trade Flow Code", "Trade Flow")
    flows = {
        "x": "export",
        "m": "import",
        "2": "export",
        "1": "import",
        "export": "export",
        "import": "import",
    }
    flow = flows.get(flow_text.casefold())
    if flow is None:
        raise _CellError(
            column, N_("«%(value)s»: X or M (export or import)"), flow_text, value=flow_text
        )
    _unit_column, unit_text = _get(row, "qtyUnitAbbr", "Qty Unit")
    unit = COMTRADE_UNITS.get(str(unit_text or "").strip().casefold()) if unit_text else None
    return Flow(
        _country(row, "reporterISO", "Reporter ISO", "reporterCode", "Reporter Code"),
        _country(row, "partnerISO", "Partner ISO", "partnerCode", "Partner Code"),
        _year(row, "refYear", "Year", "period", "Period"),
        flow,
        _code(row, "cmdCode", "Commodity Code"),
        _number(row, "primaryValue", "Trade Value (US$)", "TradeValue", required=True)
        or Decimal(0),
        "USD",
        _number(row, "qty", "Qty"),
        unit,
        _number(row, "netWgt", "Netweight (kg)", "NetWeight"),
    )


def _baci(row: _Row, currency: str, reporter: str | None) -> Flow:
    """CEPII BACI: t (year), i (exporter, M49), j (importer), k (HS6), v (thousand USD),
    q (metric tonnes). A BACI row is one reconciled flow; it is kept as the exporter's."""
    value = _number(row, "v", required=True) or Decimal(0)
    quantity = _number(row, "q")
    return Flow(
        _country(row, "i"),
        _country(row, "j"),
        _year(row, "t"),
        "export",
        _code(row, "k"),
        value * 1000,
        "USD",
        quantity,
        "168" if quantity is not None else None,
        quantity * 1000 if quantity is not None else None,
    )


def _customs(row: _Row, currency: str, reporter: str | None) -> Flow:
    """A national customs table: direction (ЭК/ИМ, export/import), period, partner country,
    10-digit code, unit, value, net weight, quantity; the reporter is the file's country."""
    if reporter is None:
        raise _CellError(
            "reporter", N_("name the reporting country of a customs file (--reporter)")
        )
    column, direction = _required(row, "direction", "направление", "напр")
    flows = {
        "эк": "export",
        "им": "import",
        "export": "export",
        "import": "import",
        "экспорт": "export",
        "импорт": "import",
    }
    flow = flows.get(direction.casefold())
    if flow is None:
        raise _CellError(
            column, N_("«%(value)s»: ЭК or ИМ (export or import)"), direction, value=direction
        )
    unit_column, unit_text = _get(row, "unit", "единица", "ед")
    unit = None
    if unit_text not in (None, ""):
        try:
            unit = resolve_unit(unit_text).code
        except ExplainedError as error:
            raise _CellError(unit_column, error.template, unit_text, **error.params) from None
    return Flow(
        reporter,
        _country(row, "country", "страна"),
        _year(row, "period", "период"),
        flow,
        _code(row, "code", "код", "tnved", "код тн вэд"),
        _number(row, "value", "стоимость", required=True) or Decimal(0),
        currency,
        _number(row, "quantity", "количество"),
        unit,
        _number(row, "net weight", "net_weight", "нетто", "вес нетто"),
    )


LAYOUTS: dict[str, Callable[[_Row, str, str | None], Flow]] = {
    "comtrade": _comtrade,
    "baci": _baci,
    "customs": _customs,
}
# the columns each layout cannot do without, each with the spellings it accepts: a file of
# another layout is refused once per missing column, not once per row
REQUIRED_COLUMNS: dict[str, tuple[tuple[str, ...], ...]] = {
    "comtrade": (
        ("flowCode", "Trade Flow Code", "Trade Flow"),
        ("reporterISO", "Reporter ISO", "reporterCode", "Reporter Code"),
        ("partnerISO", "Partner ISO", "partnerCode", "Partner Code"),
        ("refYear", "Year", "period", "Period"),
        ("cmdCode", "Commodity Code"),
        ("primaryValue", "Trade Value (US$)", "TradeValue"),
    ),
    "baci": (("t",), ("i",), ("j",), ("k",), ("v",)),
    "customs": (
        ("direction", "направление", "напр"),
        ("country", "страна"),
        ("period", "период"),
        ("code", "код", "tnved", "код тн вэд"),
        ("value", "стоимость"),
    ),
}


def missing_columns(sheet: Sheet, layout: str) -> list[RowError]:
    """One error per required column the sheet lacks, naming the spellings accepted."""
    return [
        RowError.explained(
            sheet.name,
            1,
            names[0],
            N_("required column is missing (accepted headers: %(names)s)"),
            names=", ".join(f"«{name}»" for name in names),
        )
        for names in REQUIRED_COLUMNS[layout]
        if sheet.find_column(*names) is None
    ]


@dataclass(frozen=True, slots=True)
class ImportResult:
    rows: int
    parquet: Path  # the file's folder of the partitioned dataset
    summarised: int  # rows of mutual BY–RU trade now in trade_flow


def read_flows(
    sheet: Sheet, layout: str, *, currency: str = "USD", reporter: str | None = None
) -> list[Flow]:
    """Every row of `sheet` in the one shape, or `ImportFailedError` listing every bad cell."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}: {', '.join(LAYOUTS)}")
    read = LAYOUTS[layout]
    missing = missing_columns(sheet, layout)
    if missing:
        raise ImportFailedError(missing)
    flows, errors = [], []
    for number, row in sheet.rows:
        try:
            flows.append(read(_Row(sheet, row), currency, reporter))
        except _CellError as cell:
            errors.append(
                RowError.explained(
                    sheet.name, number, cell.column, cell.template, cell.cell, **cell.params
                )
            )
    if errors:
        raise ImportFailedError(errors)
    return flows


def import_file(
    session: Session,
    actor: Principal,
    path: Path,
    layout: str,
    data_dir: Path,
    *,
    currency: str = "USD",
    reporter: str | None = None,
) -> ImportResult:
    """Read, check, store the table as Parquet and its Union State summary in the database."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    require(actor, Action.CREATE, Kind.TRADE)
    if currency not in {c.value for c in Currency}:
        raise ValueError(f"unknown currency {currency!r}: BYN, RUB or USD")
    content = path.read_bytes()
    flows = read_flows(read_table(content, path.name), layout, currency=currency, reporter=reporter)
    digest = hashlib.sha1(content).hexdigest()[:12]  # names the file; not a security use
    target = data_dir / "trade" / "flows" / f"file={layout}-{path.stem}-{digest}"
    table = pa.table(
        {
            "reporter": [f.reporter for f in flows],
            "partner": [f.partner for f in flows],
            "year": pa.array([f.year for f in flows], pa.int16()),
            "flow": [f.flow for f in flows],
            "code": [f.code for f in flows],
            # the HS subheading as an integer: the aggregation key (codes coarser than six
            # digits have none)
            "hs6": pa.array(
                [int(f.code[:6]) if len(f.code) >= 6 else None for f in flows], pa.int32()
            ),
            "value": pa.array([float(f.value) for f in flows], pa.float64()),
            "currency": [f.currency for f in flows],
            "quantity": pa.array(
                [None if f.quantity is None else float(f.quantity) for f in flows], pa.float64()
            ),
            "unit": [f.unit for f in flows],
            "net_kg": pa.array(
                [None if f.net_kg is None else float(f.net_kg) for f in flows], pa.float64()
            ),
        }
    )
    summary = summarise(table)
    source = f"{layout}:{path.name}"
    mark_changed(session, "trade")  # the bulk delete below bypasses the unit of work
    session.execute(delete(TradeFlow).where(TradeFlow.source == source))
    for row in summary:
        session.add(TradeFlow(source=source, **row))
    session.flush()
    # after the database accepted the summary: one folder per file, partitioned by year and
    # direction (a query that groups by them reads only the code and value columns)
    if target.exists():
        shutil.rmtree(target)
    pq.write_to_dataset(table, root_path=str(target), partition_cols=["year", "flow"])
    return ImportResult(len(flows), target, len(summary))


def summarise(table: Any) -> list[dict[str, Any]]:
    """Mutual BY–RU trade per reporter, partner, year, direction, code, currency and unit,
    aggregated by DuckDB straight from the Arrow table."""
    import duckdb

    connection = duckdb.connect()
    connection.register("flows", table)
    rows = connection.execute(
        """
        SELECT reporter, partner, year, flow, code, currency,
               -- quantities in different units are never added: no quantity then
               CASE WHEN count(DISTINCT unit) = 1 THEN min(unit) END AS unit,
               sum(value) AS value,
               CASE WHEN count(DISTINCT unit) <= 1 THEN sum(quantity) END AS quantity
        FROM flows
        WHERE reporter IN ('BY', 'RU') AND partner IN ('BY', 'RU') AND reporter <> partner
        GROUP BY reporter, partner, year, flow, code, currency
        ORDER BY reporter, partner, year, flow, code
        """
    ).fetchall()
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
