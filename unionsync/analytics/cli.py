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


OPPORTUNITY_HEADERS = (
    "rank",
    "hs6",
    "name",
    "kind",
    "score",
    "demand_a_year",
    "currency",
    "third_country_usd",
    "third_country_year",
    "rca",
    "density",
    "covered_share",
    "producers",
    "related",
    "program_items",
)


@app.command("opportunities")
def opportunities_command(
    out: Annotated[Path, typer.Option("--out", help="the .xlsx or .csv to write")],
    demand: Annotated[
        str, typer.Option("--demand", help="the demand country, RU or BY (the partner supplies)")
    ] = "RU",
    industry: Annotated[
        int | None, typer.Option("--industry", help="only this industry's programs")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="local:N or tcp://host:8786: co-production and trade sums on a Dask cluster "
            "(default: UNIONSYNC_DASK_SCHEDULER, else in this process)",
        ),
    ] = None,
) -> None:
    """The ranked opportunities of the opportunities page, every one with the figures behind
    its score and the program items it sums, as a workbook or CSV."""
    from types import SimpleNamespace

    from unionsync.access.policy import SYSTEM
    from unionsync.analytics.opportunities import cached_opportunity_view
    from unionsync.cli_support import operator_session, ready_factory
    from unionsync.config import get_settings
    from unionsync.core.errors import UnionSyncError
    from unionsync.core.tabular import write_csv, write_xlsx
    from unionsync.reference.countries import PARTNER
    from unionsync.reference.models import Industry

    country = demand.strip().upper()
    if country not in PARTNER:
        err.print(
            f"[red]--demand must be one of {', '.join(sorted(PARTNER))}, not {demand!r}[/red]"
        )
        raise typer.Exit(2)
    if out.suffix.lower() not in (".xlsx", ".csv"):
        err.print(f"[red]--out must end in .xlsx or .csv: {out}[/red]")
        raise typer.Exit(2)
    settings = get_settings()
    try:
        with operator_session(ready_factory()) as session:
            if industry is not None and session.get(Industry, industry) is None:
                err.print(f"[red]--industry: no industry {industry}[/red]")
                raise typer.Exit(2)
            view = cached_opportunity_view(
                SimpleNamespace(),
                session,
                SYSTEM,
                country,
                industry,
                settings.data_dir,
                scheduler or settings.dask_scheduler,
            )
    except UnionSyncError as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    rows = [
        (
            rank,
            o.code,
            o.name,
            o.kind,
            round(o.score, 6),
            round(o.demand_value, 2),
            o.currency,
            round(o.third_usd, 2) if o.third_year else None,
            o.third_year,
            round(o.rca, 6),
            round(o.density, 6),
            round(o.covered, 6),
            o.producers,
            " ".join(o.related),
            " ".join(str(i) for i in o.items),
        )
        for rank, o in enumerate(view.ranked, start=1)
    ]
    if out.suffix.lower() == ".xlsx":
        write_xlsx(out, f"opportunities {country}", OPPORTUNITY_HEADERS, rows, text_columns=(1,))
    else:
        write_csv(out, OPPORTUNITY_HEADERS, rows)
    console.print(
        f"{len(rows):,} opportunities for {PARTNER[country]} in {country}'s programs: {out}"
    )
