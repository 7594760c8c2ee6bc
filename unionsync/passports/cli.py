"""`unionsync passport export`: a passport as the Word or PDF document the sides sign."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from unionsync.access.policy import SYSTEM
from unionsync.cli_support import err, operator_session, ready_factory
from unionsync.core.errors import UnionSyncError
from unionsync.passports.editing import document

app = typer.Typer(help="Joint-project passports.", no_args_is_help=True)
console = Console()


@app.command("export")
def export(
    passport_id: Annotated[int, typer.Argument(help="the passport's id")],
    out: Annotated[Path, typer.Option("--out", help="the file to write")],
    fmt: Annotated[str, typer.Option("--format", help="docx or pdf")] = "pdf",
    lang: Annotated[str, typer.Option("--lang", help="ru or en")] = "ru",
    version: Annotated[
        int | None, typer.Option("--version", help="a kept version (default: the latest)")
    ] = None,
) -> None:
    """Write the passport (with its version number and content hash printed on it)."""
    with operator_session(ready_factory()) as session:
        try:
            data, name, _media = document(session, SYSTEM, passport_id, fmt, lang, version)
        except UnionSyncError as error:
            err.print(f"[red]{error}[/red]")
            raise typer.Exit(1) from None
    out.write_bytes(data)
    console.print(f"{name} written to {out} ({len(data):,} bytes).")
