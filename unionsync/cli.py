"""The `unionsync` command line: thin commands over the same services the API and pages use."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from unionsync.catalog import transfer
from unionsync.config import Settings, get_settings
from unionsync.core.tabular import ImportFailedError, UnreadableFileError, read_table
from unionsync.dashboard.service import stats as collect_stats
from unionsync.db.bootstrap import init_database
from unionsync.db.session import make_engine, make_session_factory, transaction
from unionsync.demo.generator import DEMO_STEPS
from unionsync.demo.loader import load_demo

app = typer.Typer(
    help="UnionSync: Belarus–Russia import-substitution coordination.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
import_app = typer.Typer(
    help="Import a file in the UnionSync template (all-or-nothing).", no_args_is_help=True
)
export_app = typer.Typer(
    help="Export to the UnionSync template (xlsx or csv).", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")

console = Console()
err = Console(stderr=True, soft_wrap=True)

Host = Annotated[str, typer.Option(help="Address to listen on.")]
Port = Annotated[int, typer.Option(help="Port to listen on.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _ready(settings: Settings) -> sessionmaker[Session]:
    """The session factory of an initialised database (migrated, countries present)."""
    factory = make_session_factory(make_engine(settings.resolved_database_url()))
    init_database(settings.resolved_database_url(), factory)
    return factory


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database or bring its schema to the latest version."""
    settings = get_settings()
    _ready(settings)
    console.print(f"Database is up to date: {_safe_url(settings.resolved_database_url())}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
def demo(
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the web UI afterwards.")
    ] = True,
    host: Host = "127.0.0.1",
    port: Port = 8000,
) -> None:
    """Create the database if needed, load the demo data (once) and serve the web UI."""
    settings = get_settings()
    factory = _ready(settings)
    with _steps("Loading demo data", len(DEMO_STEPS)) as advance, transaction(factory) as session:
        counts = load_demo(session, progress=advance)
    if counts is None:
        console.print("Demo data already loaded; nothing changed.")
    else:
        summary = ", ".join(f"{k}: {v}" for k, v in counts.counts.items())
        console.print(f"Demo data loaded ({summary}).")
    console.print(f"Database: {_safe_url(settings.resolved_database_url())}")
    if serve_after:
        _serve(settings, host, port)


@app.command()
def serve(host: Host = "127.0.0.1", port: Port = 8000) -> None:
    """Serve the web UI and the API (the schema is brought up to date first)."""
    settings = get_settings()
    _ready(settings)
    _serve(settings, host, port)


def _serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from unionsync.app import create_app

    console.print(f"UnionSync on http://{host}:{port}  (API docs: http://{host}:{port}/api/docs)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


def _import(kind: str, path: Path) -> None:
    """Read, check and write one file; exit 1 listing every row error, 2 if it is unreadable."""
    factory = _ready(get_settings())
    importer = transfer.import_programs if kind == "programs" else transfer.import_capabilities
    try:
        with _steps(f"Importing {path.name}", 3) as advance:
            advance("reading")
            sheet = read_table(path.read_bytes(), path.name)
            with transaction(factory) as session:
                report = importer(session, sheet, progress=advance)
    except FileNotFoundError:
        err.print(f"[red]{path}: no such file[/red]")
        raise typer.Exit(2) from None
    except UnreadableFileError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    except ImportFailedError as exc:
        err.print(f"[red]{len(exc.errors)} error(s) in {path.name}; nothing was imported.[/red]")
        for error in exc.errors:
            err.print(f"  {error}")
        raise typer.Exit(1) from None
    created = ", ".join(f"{k} {v}" for k, v in report.created.items()) or "nothing"
    updated = ", ".join(f"{k} {v}" for k, v in report.updated.items()) or "nothing"
    console.print(
        f"Imported {report.rows} rows from {path.name}: created {created}; updated {updated}."
    )


@contextmanager
def _steps(title: str, total: int) -> Iterator[Callable[[str], None]]:
    """A progress bar over named steps; the yielded function starts the next step."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(title, total=total)
        started = False

        def advance(step: str) -> None:
            nonlocal started
            progress.update(task, description=f"{title}: {step}", advance=1 if started else 0)
            started = True

        yield advance
        progress.update(task, completed=total)


@import_app.command("programs")
def import_programs(file: Path) -> None:
    """Import program items (xlsx or csv)."""
    _import("programs", file)


@import_app.command("capabilities")
def import_capabilities(file: Path) -> None:
    """Import enterprises and their capabilities (xlsx or csv)."""
    _import("capabilities", file)


Out = Annotated[Path, typer.Option("--out", help="Target file: .xlsx or .csv")]
Country = Annotated[str | None, typer.Option(help="Only this country (BY, RU, …).")]


def _export(kind: str, out: Path, country: str | None) -> None:
    factory = _ready(get_settings())
    exporter = transfer.export_programs if kind == "programs" else transfer.export_capabilities
    if out.suffix.lower() not in (".xlsx", ".csv"):
        err.print(f"[red]{out}: choose a .xlsx or .csv file name[/red]")
        raise typer.Exit(2)
    with transaction(factory) as session:
        rows = exporter(session, out, country)
    console.print(f"Wrote {rows} rows to {out}")


@export_app.command("programs")
def export_programs(out: Out, country: Country = None) -> None:
    """Export programs with their items and demand."""
    _export("programs", out, country)


@export_app.command("capabilities")
def export_capabilities(out: Out, country: Country = None) -> None:
    """Export enterprises' capabilities."""
    _export("capabilities", out, country)


@app.command()
def stats(as_json: AsJson = False) -> None:
    """Counts per entity, programs per country, passports per status."""
    factory = _ready(get_settings())
    with transaction(factory) as session:
        figures = collect_stats(session)
    if as_json:
        sys.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
        return
    for title, key in (
        ("Records", "counts"),
        ("Programs per country", "programs_per_country"),
        ("Passports per status", "passports_per_status"),
    ):
        table = Table(title=title)
        table.add_column("")
        table.add_column("count", justify="right")
        for name, count in figures[key].items():
            table.add_row(str(name), str(count))
        console.print(table)


def main() -> None:
    """Console-script entry point."""
    app()
