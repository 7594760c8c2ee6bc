"""`unionsync trade …`: importing flows and mirror statistics from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from unionsync.access.policy import SYSTEM
from unionsync.cli_support import GROUPS, err, file_errors, operator_session, ready_factory
from unionsync.config import get_settings
from unionsync.core.cluster import connect, parse_scheduler
from unionsync.core.errors import UnionSyncError
from unionsync.core.money import Currency
from unionsync.trade import reconcile
from unionsync.trade.imports import LAYOUTS, import_file
from unionsync.trade.mirror import DEFAULT_CIF_FOB
from unionsync.trade.rates import import_rates
from unionsync.trade.schemas import mirror_view

app = typer.Typer(rich_markup_mode=None, help=GROUPS["trade"][1], no_args_is_help=True)
console = Console()


@app.command("mirror")
def mirror(
    exporter: Annotated[str, typer.Option("--from", help="the exporting country (BY, RU)")],
    importer: Annotated[str, typer.Option("--to", help="the importing country")],
    year: Annotated[int | None, typer.Option("--year", help="one year (default: all)")] = None,
    critical: Annotated[
        str | None, typer.Option("--critical", help="a code list's code (`*`: any list)")
    ] = None,
    currency: Annotated[str, typer.Option("--currency", help="BYN, RUB or USD")] = "BYN",
    cif_fob: Annotated[
        float, typer.Option("--cif-fob", help="importer CIF over exporter FOB")
    ] = DEFAULT_CIF_FOB,
    estimate_cif: Annotated[
        bool, typer.Option("--estimate-cif", help="estimate the factor per code from the data")
    ] = False,
    mutual: Annotated[
        bool, typer.Option("--mutual", help="both directions: each country's records")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    dataset: Annotated[
        bool,
        typer.Option(
            "--dataset",
            help="from every imported file's full table (all partners, at 6 digits) instead "
            "of the BY–RU summary in the database",
        ),
    ] = False,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="with --dataset: local:N or tcp://host:8786 (default: UNIONSYNC_DASK_SCHEDULER,"
            " else in this process)",
        ),
    ] = None,
) -> None:
    """Both sides' records of a flow, the reconciled estimate with its interval, the flags."""
    if currency not in {c.value for c in Currency}:
        err.print(f"[red]unknown currency {currency!r}: BYN, RUB or USD[/red]")
        raise typer.Exit(2)
    if dataset and (mutual or critical):
        err.print(
            "[red]--dataset reconciles one direction of every code: drop --mutual and "
            "--critical[/red]"
        )
        raise typer.Exit(2)
    settings = get_settings()
    if dataset:
        try:
            parse_scheduler(scheduler or settings.dask_scheduler)
        except UnionSyncError as error:
            err.print(f"[red]{error}[/red]")
            raise typer.Exit(2) from None
    with operator_session(ready_factory()) as session:
        try:
            if dataset:
                root = _dataset_root()
                with connect(scheduler or settings.dask_scheduler) as client:
                    report = reconcile.dataset_mirror_report(
                        session,
                        SYSTEM,
                        root,
                        exporter.upper(),
                        importer.upper(),
                        client=client,
                        currency=Currency(currency),
                        cif_fob=cif_fob,
                        estimate_cif=estimate_cif,
                    )
            else:
                build = reconcile.mutual_report if mutual else reconcile.mirror_report
                report = build(
                    session,
                    SYSTEM,
                    exporter.upper(),
                    importer.upper(),
                    critical=critical,
                    currency=Currency(currency),
                    cif_fob=cif_fob,
                    estimate_cif=estimate_cif,
                )
        except UnionSyncError as error:
            err.print(f"[red]{error}[/red]")
            raise typer.Exit(1) from None
    view = mirror_view(report, year, mutual)
    if as_json:
        console.print_json(view.model_dump_json())
        return
    if not view.years:
        asked = f" in {year}" if year else ""
        console.print(
            f"No trade records of {view.exporter} → {view.importer}{asked}"
            f"{' (code list ' + critical + ')' if critical else ''}: nothing to reconcile."
        )
        return
    way = "both directions" if mutual else f"{view.exporter} → {view.importer}"
    table = Table(title=f"{way}, {view.currency.value}")
    for column in ("year", "exporter's record", "importer's record", "estimate", "interval"):
        table.add_column(column, justify="right")
    for y in view.years:
        table.add_row(
            str(y.year),
            f"{y.exporter_record:,.0f}",
            f"{y.importer_record:,.0f}",
            f"{y.estimate:,.0f}",
            f"{y.low:,.0f} – {y.high:,.0f}",
        )
    console.print(table)
    flagged = sorted(view.rows, key=lambda r: r.low - r.high)[:10]
    if flagged:
        console.print("The widest intervals (exporter's record vs importer's, at FOB):")
    for row in flagged:  # each flow with its own direction: in both directions a code recurs
        console.print(
            f"  {row.year} {row.exporter} → {row.importer} {row.code}: "
            f"{row.exporter_record or 0:,.0f} vs {row.importer_record_fob or 0:,.0f} "
            f"({', '.join(f.replace('_', ' ') for f in row.flags) or 'no flag'})"
        )


def _dataset_root() -> Path:
    """The imported files' Parquet dataset; exits with a hint when nothing was imported."""
    root = get_settings().data_dir / "trade" / "flows"
    if not any(root.rglob("*.parquet")):
        err.print(
            f"[red]No trade file imported yet ({root} is empty): `unionsync trade import`.[/red]"
        )
        raise typer.Exit(1)
    return root


@app.command("import")
def import_flows(
    path: Annotated[Path, typer.Argument(help="a CSV or Excel file")],
    layout: Annotated[str, typer.Option("--layout", help="comtrade, baci or customs")],
    reporter: Annotated[
        str | None, typer.Option("--reporter", help="the reporting country of a customs file")
    ] = None,
    currency: Annotated[
        str, typer.Option("--currency", help="the currency of a customs file's values")
    ] = "USD",
) -> None:
    """Import trade flows (all-or-nothing): the table to Parquet, the BY–RU summary to the
    database."""
    if layout not in LAYOUTS:
        err.print(f"[red]unknown layout {layout!r}: {', '.join(LAYOUTS)}[/red]")
        raise typer.Exit(2)
    settings = get_settings()
    with (
        file_errors(path),
        console.status(f"Reading, checking and storing {path.name} …") as status,
        operator_session(ready_factory()) as session,
        session.begin(),
    ):
        result = import_file(
            session,
            SYSTEM,
            path,
            layout,
            settings.data_dir,
            currency=currency.upper(),
            reporter=reporter.upper() if reporter else None,
            progress=lambda rows: status.update(
                f"Reading, checking and storing {path.name}: {rows:,} rows …"
            ),
        )
    console.print(
        f"{result.rows:,} rows read; table kept in {result.parquet}; "
        f"{result.summarised:,} summary rows of BY–RU trade stored."
    )


@app.command("rates")
def rates(
    path: Annotated[Path, typer.Argument(help="a CSV or Excel rate table")],
    source: Annotated[
        str | None, typer.Option("--source", help="whose rates (default: the file's name)")
    ] = None,
) -> None:
    """Import official exchange rates (date or period, pair such as USD/BYN, rate, scale)."""
    with file_errors(path), operator_session(ready_factory()) as session, session.begin():
        result = import_rates(session, SYSTEM, path, source)
        stored = [(r.year, r.currency.value, r.rate, r.kind) for r in result.stored]
    console.print(f"{result.rows:,} rows read; {len(stored)} yearly rates stored:")
    for year, currency, rate, kind in stored:
        console.print(f"  {year}: 1 {currency} = {rate} BYN ({kind})")


@app.command("totals")
def totals_command(
    out: Annotated[Path, typer.Option("--out", help="the CSV to write")],
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="local:N or tcp://host:8786: on a Dask cluster whose workers read the same "
            "data directory (default: UNIONSYNC_DASK_SCHEDULER, else in this process)",
        ),
    ] = None,
) -> None:
    """Totals of every imported trade file by HS subheading, year and direction, with the rows
    behind each (values summed in whole cents)."""
    import csv
    from decimal import Decimal

    from unionsync.trade.aggregate import totals

    settings = get_settings()
    root = _dataset_root()
    import duckdb

    try:
        with connect(scheduler or settings.dask_scheduler) as client:
            found = totals(root, client)
    except UnionSyncError as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    except duckdb.Error as error:  # in this process (on a cluster: a ClusterJobError above)
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        err.print(f"[red]the stored trade table under {root} cannot be read: {first}[/red]")
        raise typer.Exit(2) from None
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["hs6", "year", "flow", "value", "rows"])
        for (hs6, year, flow), (cents, rows) in found.items():
            writer.writerow([f"{hs6:06d}", year, flow, Decimal(cents).scaleb(-2), rows])
    console.print(f"{len(found):,} totals over {sum(r for _c, r in found.values()):,} rows: {out}")
