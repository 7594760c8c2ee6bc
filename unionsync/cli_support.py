"""What every command-line room shares: the operator's session and how file errors end a command."""

from __future__ import annotations

import importlib
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
import typer.main
from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker
from typer.core import TyperGroup

from unionsync.access.audit import ACTOR_KEY, ADDRESS_KEY
from unionsync.access.policy import SYSTEM
from unionsync.core.tabular import ImportFailedError, RowError, UnreadableFileError, write_csv

err = Console(stderr=True, soft_wrap=True)
Ready = Callable[[], sessionmaker[Session]]
_READY: list[Ready] = []


def bind(ready: Ready) -> None:
    """The root CLI hands over how to open the database (kept out of import time)."""
    _READY.append(ready)


def ready_factory() -> sessionmaker[Session]:
    """The session factory of the initialised database, for sub-command groups."""
    return _READY[-1]()


def operator_session(factory: sessionmaker[Session]) -> Session:
    """A session acting as the local operator; its changes are audited as `system` from `cli`."""
    session = factory()
    session.info[ACTOR_KEY] = SYSTEM
    session.info[ADDRESS_KEY] = "cli"
    return session


@contextmanager
def file_errors(path: Path) -> Iterator[None]:
    """Exit 2 for a missing or unreadable file, 1 listing every row error of a refused import."""
    try:
        yield
    except FileNotFoundError:
        err.print(f"[red]{path}: no such file[/red]")
        raise typer.Exit(2) from None
    except UnreadableFileError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    except ImportFailedError as exc:
        err.print(f"[red]{len(exc.errors):,} error(s) in {path.name}; nothing was imported.[/red]")
        for error in exc.errors[:SHOWN_ERRORS]:
            err.print(f"  {error}")
        if len(exc.errors) > SHOWN_ERRORS:
            listing = write_error_list(path, exc.errors)
            err.print(
                f"… the first {SHOWN_ERRORS} of {len(exc.errors):,} errors are shown; "
                f"all of them are in {listing}"
            )
        raise typer.Exit(1) from None


SHOWN_ERRORS = 100


def write_error_list(path: Path, errors: Sequence[RowError]) -> Path:
    """Every row error in a CSV beside the file (or in the temporary directory if that is
    read-only), for a file with more errors than a terminal should show."""
    headers = ["file", "row", "column", "reason", "value"]
    rows = ([e.file, e.row, e.column, e.reason, e.value] for e in errors)
    target = path.with_name(path.name + ".errors.csv")
    try:
        write_csv(target, headers, rows)
    except OSError:
        target = Path(tempfile.gettempdir()) / target.name
        write_csv(target, headers, rows)
    return target


# the domains' command groups: name → (module with its `app`, one line for the root's help);
# the root lists them from here and imports a module only when its group is run
GROUPS: dict[str, tuple[str, str]] = {
    "programs": ("unionsync.catalog.cli", "Programs: list them with their ids."),
    "nomenclature": ("unionsync.nomenclature.cli", "Classifiers: TN VED EAEU, HS, OKPD2."),
    "match": ("unionsync.matching.cli", "Matching of program demand to the partner's products."),
    "sync": ("unionsync.coverage.cli", "Synchronisation of the two countries' programs."),
    "passport": ("unionsync.passports.cli", "Joint-project passports."),
    "selection": (
        "unionsync.selection.cli",
        "Selection: calls for executors and equipment tenders.",
    ),
    "roadmap": ("unionsync.roadmap.cli", "The multi-year roadmap: tasks, critical path, risk."),
    "finance": ("unionsync.finance.cli", "The state loan facility, credit agreements, drawdowns."),
    "trade": ("unionsync.trade.cli", "Mutual trade: records, rates and mirror statistics."),
    "analytics": ("unionsync.analytics.cli", "Opportunity analytics."),
}


class LazyGroup(TyperGroup):
    """A command group that stands in for a domain's Typer app until it is run: its name and
    help line are known without importing it; parsing its arguments imports the module and
    hands over to the real group (whose own `--help` then lists its commands)."""

    def __init__(self, name: str, module: str, text: str) -> None:
        super().__init__(name=name, help=text, short_help=text)
        self.module = module

    def real(self) -> TyperGroup:
        """The domain's group, imported and built on first use."""
        group = typer.main.get_group(importlib.import_module(self.module).app)
        group.name = self.name
        return group

    # the context types are Typer's vendored Click's, not public: `Any` keeps the overrides exact
    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        return self.real().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx: Any) -> list[str]:
        return self.real().list_commands(ctx)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        return self.real().get_command(ctx, cmd_name)


WRAPPED = ("title", "name", "initiator", "item", "industry")


def show_rows(
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    total: int,
    as_json: bool,
    empty: str,
) -> None:
    """A list as a table (or JSON lines' array with `--json`), saying how many of how many were
    shown and, when nothing matched, what was looked for: a silent empty table reads as a fault."""
    import json
    import sys

    from rich.table import Table

    if as_json:
        records = [dict(zip(headers, row, strict=True)) for row in rows]
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    out = Console()
    if not rows:
        out.print(empty)
        return
    table = Table(title=title)
    for header in headers:  # long texts wrap; ids, codes and numbers stay whole
        wraps = header in WRAPPED
        table.add_column(
            header, no_wrap=not wraps, overflow="fold", min_width=18 if wraps else None
        )
    for row in rows:
        table.add_row(*("—" if v is None else str(v) for v in row))
    out.print(table)
    if total > len(rows):
        out.print(f"{len(rows)} of {total} shown; narrow the filters or raise --limit.")
