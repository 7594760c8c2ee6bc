"""`unionsync analytics complexity`: the complexity measures of a trade table, as Stata's
`ecomplexity` names them."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from unionsync.analytics.complexity import OUTPUT_COLUMNS, Options, complexity
from unionsync.cli_support import GROUPS, err, file_errors
from unionsync.core.messages import N_, ExplainedError
from unionsync.core.tabular import ImportFailedError, RowError, parse_decimal, read_table

app = typer.Typer(rich_markup_mode=None, help=GROUPS["analytics"][1], no_args_is_help=True)
console = Console()
COLUMNS = ("year", "location", "product", "value")


def read_trade(path: Path) -> list[tuple[int, str, str, float]]:
    """`year,location,product,value` rows, or every bad cell named by file, row and column."""
    sheet = read_table(path.read_bytes(), path.name)
    missing = [c for c in COLUMNS if c not in {h.strip().casefold() for h in sheet.headers}]
    if missing:
        raise ImportFailedError(
            [
                RowError.explained(sheet.name, 1, c, N_("required column is missing"))
                for c in missing
            ]
        )
    rows, errors = [], []
    for number, raw in sheet.rows:
        row = {k.strip().casefold(): v for k, v in raw.items()}
        year_text = str(row.get("year") or "").strip().removesuffix(".0")
        if not year_text.isdigit():
            errors.append(
                RowError.explained(
                    sheet.name,
                    number,
                    "year",
                    N_("«%(value)s» is not a year"),
                    year_text,
                    value=year_text,
                )
            )
            continue
        try:
            value = parse_decimal(row.get("value"))
        except ExplainedError as error:
            errors.append(
                RowError.explained(
                    sheet.name, number, "value", error.template, row.get("value"), **error.params
                )
            )
            continue
        location = str(row.get("location") or "").strip()
        product = str(row.get("product") or "").strip().removesuffix(".0")
        if not location or not product:
            column = "location" if not location else "product"
            errors.append(
                RowError.explained(sheet.name, number, column, N_("required value is empty"))
            )
            continue
        rows.append((int(year_text), location, product, float(value or 0)))
    if errors:
        raise ImportFailedError(errors)
    return rows


@app.command("complexity")
def complexity_command(
    trade: Annotated[
        Path, typer.Option("--trade", help="CSV or Excel: year,location,product,value")
    ],
    out: Annotated[Path, typer.Option("--out", help="the CSV to write")],
    rca_threshold: Annotated[float, typer.Option("--rca-threshold", help="RCA for presence")] = 1.0,
    asymmetric: Annotated[bool, typer.Option("--asymmetric", help="asymmetric proximity")] = False,
    continuous: Annotated[
        bool, typer.Option("--continuous", help="proximity from the correlation of RCA values")
    ] = False,
    knn: Annotated[
        int | None, typer.Option("--knn", help="density over the k nearest products")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="local:N or tcp://host:8786: the years on a Dask cluster "
            "(default: UNIONSYNC_DASK_SCHEDULER, else in this process)",
        ),
    ] = None,
) -> None:
    """RCA, presence, diversity, ubiquity, ECI, PCI, density, COI and COG per year."""
    from unionsync.config import get_settings
    from unionsync.core.cluster import connect
    from unionsync.core.errors import UnionSyncError

    with file_errors(trade):
        rows = read_trade(trade)
    options = Options(rca_threshold, asymmetric, continuous, knn)
    try:
        with connect(scheduler or get_settings().dask_scheduler) as client:
            results = complexity(rows, options, client)
    except UnionSyncError as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["year", "location", "product", *OUTPUT_COLUMNS])
        count = 0
        for result in results:
            for year, location, product, measures in result.rows():
                writer.writerow(
                    [year, location, product, *(repr(measures[c]) for c in OUTPUT_COLUMNS)]
                )
                count += 1
    console.print(f"{count:,} rows for {len(results)} year(s) written to {out}.")


def _shown(column: str, value: float) -> str:
    """Counts and the presence flag as whole numbers, measures at full precision."""
    return str(int(value)) if column in ("M", "diversity", "ubiquity") else repr(value)
