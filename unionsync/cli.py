"""The `unionsync` command line: thin commands over the same services the API and pages use."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker
from typer.core import TyperGroup

from unionsync.access.audit import (
    KEYS,
    audit_key_dir,
    checkpoint,
    use_audit_keys,
    verify_chain,
    verify_checkpoint,
)
from unionsync.access.models import Role, Side
from unionsync.access.policy import SYSTEM
from unionsync.access.service import (
    create_user,
    issue_token,
    list_tokens,
    revoke_token,
    set_password,
)
from unionsync.cli_support import GROUPS, LazyGroup, bind, err, file_errors, operator_session
from unionsync.config import Settings, get_settings
from unionsync.core.errors import UnionSyncError
from unionsync.core.tabular import stream_table
from unionsync.db.session import make_engine, make_session_factory


class _Root(TyperGroup):
    """The root command with the domains' command groups imported only when one is run: each
    imports its services (scikit-learn, DuckDB, the ORM's whole model), which took seconds
    before even `--help` could answer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (module, text) in GROUPS.items():
            self.add_command(LazyGroup(name, module, text))


app = typer.Typer(
    rich_markup_mode=None,
    cls=_Root,
    help="UnionSync: Belarus–Russia import-substitution coordination.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(rich_markup_mode=None, help="Database schema.", no_args_is_help=True)
import_app = typer.Typer(
    rich_markup_mode=None,
    help="Import a file in the UnionSync template (all-or-nothing).",
    no_args_is_help=True,
)
export_app = typer.Typer(
    rich_markup_mode=None,
    help="Export to the UnionSync template (xlsx or csv).",
    no_args_is_help=True,
)
user_app = typer.Typer(
    rich_markup_mode=None,
    help="Users and API tokens (as the local operator).",
    no_args_is_help=True,
)
audit_app = typer.Typer(rich_markup_mode=None, help="The audit trail.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")

console = Console()
T = TypeVar("T")

Host = Annotated[str, typer.Option(help="Address to listen on.")]
Port = Annotated[int, typer.Option(help="Port to listen on.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _ready(settings: Settings) -> sessionmaker[Session]:
    """The session factory of an initialised database (migrated, countries present), with
    the installation's audit keys loaded."""
    from unionsync.db.bootstrap import init_database

    use_audit_keys(settings.data_dir)
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
    from unionsync.demo.generator import DEMO_STEPS
    from unionsync.demo.loader import load_demo

    with (
        _steps("Loading demo data", len(DEMO_STEPS)) as advance,
        operator_session(factory) as session,
        session.begin(),
    ):
        counts = load_demo(session, progress=advance)
    if counts is None:
        console.print("Demo data already loaded; nothing changed.")
    else:
        summary = ", ".join(f"{k}: {v}" for k, v in counts.counts.items())
        console.print(f"Demo data loaded ({summary}).")
    console.print(f"Database: {_safe_url(settings.resolved_database_url())}")
    _match_demo(settings, factory)
    _build_meaning_index(settings, factory)
    _precompute(settings, factory)
    if serve_after:
        _serve(settings, host, port)


Workers = Annotated[
    int,
    typer.Option(
        min=1,
        max=64,
        help="Server processes (production: PostgreSQL, and `unionsync worker` for the jobs).",
    ),
]


@app.command()
def serve(host: Host = "127.0.0.1", port: Port = 8000, workers: Workers = 1) -> None:
    """Serve the web UI and the API (the schema is brought up to date first)."""
    settings = get_settings()
    _ready(settings)
    if workers == 1:
        _serve(settings, host, port)
        return
    import uvicorn

    if settings.resolved_database_url().startswith("sqlite"):
        err.print(
            "[yellow]Several workers on SQLite serialise their writes; use PostgreSQL "
            "(UNIONSYNC_DATABASE_URL) in production.[/yellow]"
        )
    if settings.jobs_in_process:
        err.print(
            "[yellow]Each worker also runs background jobs; for production set "
            "UNIONSYNC_JOBS_IN_PROCESS=false and run `unionsync worker` once.[/yellow]"
        )
    console.print(f"UnionSync on http://{host}:{port} with {workers} workers")
    # each worker builds the app from the same environment; forwarded addresses are trusted
    # only by the app's own middleware (`trusted_proxies`)
    uvicorn.run(
        "unionsync.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        proxy_headers=False,
        # a worker reading a large shared result (tens of MB at 10^5 items) holds the
        # interpreter for seconds; the default 5 s health check would kill it mid-request
        timeout_worker_healthcheck=60,
    )


SERVER_PID = "UNIONSYNC_SERVER_PID"


@app.command()
def worker() -> None:
    """Carry out background jobs (matching runs) in this process, until Ctrl-C; for servers
    started with UNIONSYNC_JOBS_IN_PROCESS=false (`serve` starts one itself otherwise)."""
    import os
    import time

    from unionsync.jobs import Jobs

    settings = get_settings()
    jobs = Jobs(settings, _ready(settings))
    resumed = jobs.recover()
    console.print(f"Worker started ({jobs.pending()} queued, {resumed} resumed); Ctrl-C stops it.")
    server = os.environ.get(SERVER_PID)  # started by `serve`: lives as long as the server
    jobs.start()
    try:
        while server is None or str(os.getppid()) == server:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    jobs.stop()


def _precompute(settings: Settings, factory: sessionmaker[Session]) -> None:
    """Compute what the overview and synchronisation show before serving, so that the first
    page opens at once instead of saying "being computed" (a few seconds on the demo)."""
    from unionsync.jobs import Jobs

    started = time.monotonic()
    Jobs(settings, factory).refresh_shared()
    console.print(f"Overview and synchronisation computed ({time.monotonic() - started:.0f} s).")


def _match_demo(settings: Settings, factory: sessionmaker[Session]) -> None:
    """Match every demo program once (about 6 s), so coverage and synchronisation show real
    figures from the first page; later runs are the users' own."""
    from sqlalchemy import select

    from unionsync.catalog.models import Program
    from unionsync.matching.models import MatchRun
    from unionsync.matching.service import Engine, execute_run, request_run

    engine = Engine.from_settings(settings)
    with operator_session(factory) as session:
        if session.scalar(select(MatchRun.id).limit(1)) is not None:
            return
        programs = session.scalars(select(Program).order_by(Program.id)).all()
        with _steps("Matching demo programs", len(programs)) as advance:
            for program in programs:
                advance(program.code)
                run = request_run(session, SYSTEM, program.id, engine)  # TOP_MATCHES kept
                session.commit()
                execute_run(session, run.id, engine)
    console.print(f"Matched {len(programs)} demo programs against the partner's capabilities.")


def _build_meaning_index(settings: Settings, factory: sessionmaker[Session]) -> None:
    """Vectors of the demo's codes for suggestions (cached; seconds for the built-in set), on
    the configured Dask cluster when there is one."""
    from unionsync.nomenclature.service import build_meaning_index

    with (
        console.status("Preparing code suggestions…"),
        operator_session(factory) as session,
    ):
        count = build_meaning_index(
            session, settings.data_dir / "embeddings", settings.dask_scheduler
        )
    console.print(f"Code suggestions ready: {count:,} texts in the meaning index.")


def _serve(settings: Settings, host: str, port: int) -> None:
    """Serve, with the background jobs (matching runs, recomputing the shared results) in a
    process of their own when this command is to run them: in a thread of the server they held
    its interpreter lock, and a page asked for during a recomputation waited (p95 436 ms after a
    write against 191 ms apart, `bench/pages.py`). The job worker stops with the server."""
    import os
    import subprocess

    import uvicorn

    from unionsync.app import create_app

    worker = None
    if settings.jobs_in_process:
        worker = subprocess.Popen(
            [sys.executable, "-c", "from unionsync.cli import main; main()", "worker"],
            env={
                **os.environ,
                "UNIONSYNC_JOBS_IN_PROCESS": "false",
                SERVER_PID: str(os.getpid()),  # the worker stops when the server is gone
            },
        )
        settings = settings.model_copy(update={"jobs_in_process": False})
    console.print(f"UnionSync on http://{host}:{port}  (API docs: http://{host}:{port}/api/docs)")
    try:
        # X-Forwarded-For is believed only from `trusted_proxies`, by the app's own middleware;
        # uvicorn's (which trusts any loopback client by default) is off
        uvicorn.run(
            create_app(settings), host=host, port=port, log_level="info", proxy_headers=False
        )
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)


def _import(kind: str, path: Path) -> None:
    """Read, check and write one file in batches; exit 1 listing the first row errors (all of
    them in a file beside it), 2 if it is unreadable."""
    from unionsync.catalog import transfer
    from unionsync.catalog.imports import file_digest

    factory = _ready(get_settings())
    importer = transfer.import_programs if kind == "programs" else transfer.import_capabilities
    with file_errors(path), console.status(f"Importing {path.name}: reading…") as status:
        content = path.read_bytes()
        table = stream_table(content, path.name)

        def progress(step: str) -> None:
            status.update(f"Importing {path.name}: {step}")

        with operator_session(factory) as session, session.begin():
            report = importer(
                session, SYSTEM, table, progress=progress, sha256=file_digest(content)
            )
    console.print(f"Imported {report.rows:,} rows from {path.name}: {report.summary()}.")


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
    from unionsync.catalog import transfer

    exporter = transfer.export_programs if kind == "programs" else transfer.export_capabilities
    if out.suffix.lower() not in (".xlsx", ".csv"):
        err.print(f"[red]{out}: choose a .xlsx or .csv file name[/red]")
        raise typer.Exit(2)
    with operator_session(factory) as session, session.begin():
        rows = exporter(session, SYSTEM, out, country)
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
def coverage(
    program: Annotated[int, typer.Option("--program", help="the program's id")],
    as_json: AsJson = False,
    scenario: Annotated[
        str,
        typer.Option(
            "--scenario",
            help="existing (today's producers), reconciled (+ reconciled passports' products "
            "from their start year) or all (+ every passport not cancelled)",
        ),
    ] = "existing",
) -> None:
    """Which of a program's demand the partner's producers can fully, partly or not satisfy."""
    from unionsync.core.errors import UnionSyncError
    from unionsync.coverage.schemas import program_view
    from unionsync.coverage.service import Scenario, program_coverage

    if scenario not in {s.value for s in Scenario}:
        err.print(f"[red]unknown scenario {scenario!r}: existing, reconciled or all[/red]")
        raise typer.Exit(2)
    factory = _ready(get_settings())
    with operator_session(factory) as session:
        try:
            found = program_coverage(session, SYSTEM, program, Scenario(scenario))
            view = program_view(found, program)
        except UnionSyncError as error:
            err.print(f"[red]{error}[/red]")
            raise typer.Exit(1) from None
    if as_json:
        console.print_json(view.model_dump_json())
        return
    share = "—" if view.covered_share is None else f"{view.covered_share:.1%}"
    value = "—" if view.covered_value_share is None else f"{view.covered_value_share:.1%}"
    console.print(
        f"Program {program} ({view.country}) against {view.against}, scenario {scenario}: "
        f"{share} of the demanded quantity covered ({value} of its value); items fully "
        f"{view.fully}, partly {view.partly}, not {view.not_satisfiable}."
    )
    from unionsync.core.numbers import format_number
    from unionsync.reference.units import unit_by_code
    from unionsync.web.labels import label_in

    table = Table(title=f"Items of program {program}")
    for column in ("№", "satisfiable", "item", "gap, all years", "producers"):
        table.add_column(column, justify="right" if column in ("№", "gap, all years") else "left")
    for item in view.items:
        gap = sum(y.gap for y in item.years)
        producers = sorted({s.enterprise for y in item.years for s in y.supplies})
        unit = unit_by_code(item.unit).short_en if item.unit else ""
        notes = "".join(f"\nneeds a unit conversion: {n}" for n in item.needs_conversion)
        table.add_row(
            str(item.position),
            label_in(item.verdict, "en"),
            item.name + notes,
            f"{format_number(gap, 'en')} {unit}",
            ", ".join(producers) or "—",
        )
    console.print(table if view.items else "The program has no items.")


@app.command("backup")
def backup_command(
    out: Annotated[Path, typer.Option("--out", help="The backup file to write (.tar.gz).")],
    include_secrets: Annotated[
        bool,
        typer.Option(
            "--include-secrets", help="Also the audit keys and the cookie secret (keep apart)."
        ),
    ] = False,
) -> None:
    """A consistent copy of the database, the data files and the audit head, while running."""
    from unionsync.db.backup import BackupError, backup, describe

    settings = get_settings()
    factory = _ready(settings)
    engine = factory.kw["bind"]
    try:
        with console.status("Backing up…") as status:
            manifest = backup(
                engine,
                settings,
                out,
                include_secrets=include_secrets,
                progress=lambda step: status.update(f"Backing up: {step}"),
            )
    except (BackupError, OSError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    console.print(f"Backup written to {out}: {describe(manifest)}.")


@app.command("restore")
def restore_command(
    file: Annotated[Path, typer.Argument(help="A file written by `unionsync backup`.")],
    audit_keys: Annotated[
        Path | None,
        typer.Option(help="A folder with the audit keys that sealed the backup's entries."),
    ] = None,
) -> None:
    """Restore a backup into an empty installation; rows and the audit chain are checked
    before anything is committed."""
    from unionsync.db.backup import BackupError, describe, restore

    settings = get_settings()
    use_audit_keys(settings.data_dir)
    engine = make_engine(settings.resolved_database_url())
    try:
        with file_errors(file), console.status("Restoring…") as status:
            manifest = restore(
                engine,
                settings,
                file,
                audit_keys=audit_keys,
                progress=lambda step: status.update(f"Restoring: {step}"),
            )
    except BackupError as exc:
        err.print(f"[red]Nothing was restored: {exc}[/red]")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    console.print(f"Restored {file}: {describe(manifest)}; the audit chain verifies.")


@app.command()
def stats(as_json: AsJson = False) -> None:
    """What the installation holds: records, programs per country, passports per state, and
    mutual trade in critical products by each side's records."""
    factory = _ready(get_settings())
    from unionsync.dashboard.service import stats as collect_stats

    with operator_session(factory) as session, session.begin():
        figures = collect_stats(session, SYSTEM)
    if as_json:
        sys.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
        return
    from unionsync.core.numbers import format_number
    from unionsync.passports.models import PassportStatus
    from unionsync.web.labels import AUDIT_ENTITIES, label_in

    records = {  # the records people work with, by name; internal tables left out (see --json)
        AUDIT_ENTITIES[table]: count
        for table, count in figures["counts"].items()
        if table in AUDIT_ENTITIES and table not in ("user", "call", "tender")
    }
    states = {
        label_in(PassportStatus(state), "en"): count
        for state, count in figures["passports_per_status"].items()
    }
    for title, rows in (
        ("Records", records),
        ("Programs per country", figures["programs_per_country"]),
        ("Passports per state", states),
    ):
        table = Table(title=title)
        table.add_column("")
        table.add_column("count", justify="right")
        for name, count in rows.items():
            table.add_row(str(name), format_number(count, "en"))
        console.print(table)
    trade = Table(title="Mutual trade in critical products (each side's records)")
    for column in ("side", "year", "total", "records"):
        trade.add_column(column, justify="left" if column == "side" else "right")
    for row in figures["critical_trade"]:
        amount = format_number(row["amount"], "en", 0)
        trade.add_row(
            row["reporter"], str(row["year"]), f"{amount} {row['currency']}", str(row["records"])
        )
    console.print(trade if figures["critical_trade"] else "No trade records are loaded yet.")


bind(lambda: _ready(get_settings()))


def _new_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = typer.prompt("Password", hide_input=True)
    if first != typer.prompt("Repeat the password", hide_input=True):
        err.print("[red]The passwords differ; nothing was changed.[/red]")
        raise typer.Exit(1)
    return str(first)


def _run(action: Callable[[Session], T], factory: sessionmaker[Session]) -> T:
    """Run `action` in one transaction; domain errors become a message and exit code 1."""
    with operator_session(factory) as session:
        try:
            with session.begin():
                return action(session)
        except UnionSyncError as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None


PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]


@user_app.command("add")
def user_add(
    name: str,
    side: Annotated[Side, typer.Option(help="BY, RU, UNION or BANK")],
    role: Annotated[Role, typer.Option(help="viewer, editor, approver or admin")],
    org: Annotated[int | None, typer.Option(help="Organization id (a bank user's bank).")] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create a user (the first admin of each side is created this way)."""
    factory = _ready(get_settings())
    password = _new_password(password_stdin)
    user = _run(lambda s: create_user(s, SYSTEM, name, password, side, role, org), factory)
    console.print(f"Created user {user.username} ({user.side}, {user.role}).")


@user_app.command("passwd")
def user_passwd(name: str, password_stdin: PasswordStdin = False) -> None:
    """Set a user's password."""
    factory = _ready(get_settings())
    password = _new_password(password_stdin)
    _run(lambda s: set_password(s, SYSTEM, name, password), factory)
    console.print(f"Password of {name} changed.")


@user_app.command("token")
def user_token(
    name: str, days: Annotated[int, typer.Option(help="Valid for this many days.")] = 90
) -> None:
    """Print a new API token for NAME (shown once; only its hash is kept)."""
    factory = _ready(get_settings())
    token, secret = _run(lambda s: issue_token(s, SYSTEM, name, days), factory)
    err.print(f"Token {token.id} for {name}, valid until {token.expires_at:%Y-%m-%d}:")
    sys.stdout.write(secret + "\n")


@user_app.command("revoke")
def user_revoke(token_id: int) -> None:
    """Revoke an API token by its id."""
    factory = _ready(get_settings())
    _run(lambda s: revoke_token(s, SYSTEM, token_id), factory)
    console.print(f"Token {token_id} revoked.")


@user_app.command("tokens")
def user_tokens(name: str, as_json: AsJson = False) -> None:
    """List a user's API tokens (ids, prefixes, expiry, revocation)."""
    factory = _ready(get_settings())
    rows = _run(
        lambda s: [
            (t.id, t.prefix, t.created_at, t.expires_at, t.revoked_at)
            for t in list_tokens(s, SYSTEM, name)
        ],
        factory,
    )
    if as_json:
        keys = ("id", "prefix", "created_at", "expires_at", "revoked_at")
        data = [
            dict(zip(keys, (str(v) if v is not None else None for v in r), strict=True))
            for r in rows
        ]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    table = Table(title=f"API tokens of {name}")
    for column in ("id", "prefix", "created", "expires", "revoked"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(v)[:19] if v is not None else "—" for v in row))
    console.print(table)


@audit_app.command("verify")
def audit_verify(
    checkpoint_file: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint", help="A file written by `audit checkpoint`: also detect a cut tail."
        ),
    ] = None,
) -> None:
    """Check the whole chain (and a checkpoint); exit 1 naming the first bad entry."""
    factory = _ready(get_settings())
    point = None
    if checkpoint_file is not None:
        with file_errors(checkpoint_file):
            try:
                point = json.loads(checkpoint_file.read_text(encoding="utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError):
                point = {}
    with Progress(
        SpinnerColumn(), TextColumn("Verifying the audit chain…"), console=err, transient=True
    ) as progress:
        progress.add_task("verify", total=None)
        with factory() as session:
            report = (
                verify_chain(session)
                if point is None
                else verify_checkpoint(session, point if isinstance(point, dict) else {})
            )
    if report.ok:
        at = f" and holds checkpoint entry {point['seq']}" if point else ""
        console.print(f"Audit chain intact: {report.entries} entries{at}.")
        return
    where = f" at entry {report.bad_seq}" if report.bad_seq is not None else ""
    err.print(f"[red]Audit chain broken{where}: {report.reason}[/red]")
    raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(
    out: Annotated[
        Path | None, typer.Option("--out", help="Write here instead of standard output.")
    ] = None,
) -> None:
    """Sign the head of the chain (sequence, hash); keep the file where the database's
    administrators cannot change it, and pass it to `audit verify --checkpoint`."""
    factory = _ready(get_settings())
    with factory() as session:
        point = checkpoint(session)
    text = json.dumps(point, indent=2)
    if out is None:
        console.print_json(text)
        return
    out.write_text(text + "\n", encoding="utf-8")
    console.print(f"Checkpoint of entry {point['seq']} written to {out}.")


@audit_app.command("rotate-key")
def audit_rotate_key() -> None:
    """Start sealing new entries with a new audit key; the old keys stay to verify old ones."""
    settings = get_settings()
    _ready(settings)
    key_id = KEYS.rotate(audit_key_dir(settings.data_dir))
    console.print(
        f"New audit key {key_id} in {audit_key_dir(settings.data_dir)}; keep the older keys "
        "there (and in backups) for as long as their entries are verified."
    )


def main() -> None:
    """Console-script entry point."""
    app()
