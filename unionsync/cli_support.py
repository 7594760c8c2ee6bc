"""What every command-line room shares: the operator's session and how file errors end a command."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker

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
