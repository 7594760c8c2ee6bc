"""`unionsync selection`: the OCDS release package of every call and tender, and a tender's
protocol as the document its commission signs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from unionsync.access.policy import SYSTEM
from unionsync.cli_support import GROUPS, err, operator_session, ready_factory
from unionsync.config import get_settings
from unionsync.core.errors import UnionSyncError
from unionsync.selection.ocds import release_package
from unionsync.selection.protocol import tender_protocol

app = typer.Typer(rich_markup_mode=None, help=GROUPS["selection"][1], no_args_is_help=True)
console = Console()


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        err.print(f"[red]--since {value!r} is not a date (write 2026-01-31 or an ISO time)[/red]")
        raise typer.Exit(2) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@app.command("export-ocds")
def export_ocds(
    out: Annotated[Path, typer.Option("--out", help="the JSON file to write")],
    since: Annotated[
        str | None, typer.Option("--since", help="only processes changed since (YYYY-MM-DD)")
    ] = None,
) -> None:
    """Write every call and tender as an OCDS 1.1 release package."""
    moment = _since(since)
    settings = get_settings()
    with operator_session(ready_factory()) as session:
        package = release_package(session, SYSTEM, settings.ocds_prefix, moment)
    out.write_text(json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8")
    console.print(f"{len(package['releases'])} release(s) written to {out}.")


@app.command("protocol")
def protocol(
    tender_id: Annotated[int, typer.Argument(help="the tender's id")],
    out: Annotated[Path, typer.Option("--out", help="the file to write")],
    fmt: Annotated[str, typer.Option("--format", help="docx or pdf")] = "pdf",
    lang: Annotated[str, typer.Option("--lang", help="ru or en")] = "ru",
) -> None:
    """Write a tender's evaluation and award protocol (with its content hash)."""
    if fmt not in ("docx", "pdf") or lang not in ("ru", "en"):
        err.print("[red]--format is docx or pdf; --lang is ru or en[/red]")
        raise typer.Exit(2)
    with operator_session(ready_factory()) as session:
        try:
            data, name, _media = tender_protocol(session, SYSTEM, tender_id, fmt, lang)
        except UnionSyncError as error:
            err.print(f"[red]{error}[/red]")
            raise typer.Exit(1) from None
    out.write_bytes(data)
    console.print(f"{name} written to {out} ({len(data):,} bytes).")
