"""`unionsync passport export`: a passport as the Word or PDF document the sides sign."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from unionsync.access.policy import SYSTEM
from unionsync.cli_support import GROUPS, err, operator_session, ready_factory, show_rows
from unionsync.core.errors import UnionSyncError
from unionsync.core.listing import MAX_PER_PAGE, ListParams
from unionsync.passports.models import PassportStatus

app = typer.Typer(rich_markup_mode=None, help=GROUPS["passport"][1], no_args_is_help=True)
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
    from unionsync.passports.editing import document  # the documents' engines: when run

    with operator_session(ready_factory()) as session:
        try:
            data, name, _media = document(session, SYSTEM, passport_id, fmt, lang, version)
        except UnionSyncError as error:
            err.print(f"[red]{error}[/red]")
            raise typer.Exit(1) from None
    out.write_bytes(data)
    console.print(f"{name} written to {out} ({len(data):,} bytes).")


@app.command("list")
def list_(
    status: Annotated[
        str | None, typer.Option("--status", help="draft, submitted, reconciled, …")
    ] = None,
    industry: Annotated[
        str | None, typer.Option("--industry", help="an industry code (e.g. machine-tools)")
    ] = None,
    q: Annotated[str | None, typer.Option("--q", help="text in the number or title")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=MAX_PER_PAGE)] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """The passports with their ids (which `passport export` takes), numbers and states."""
    from unionsync.catalog.cli import industry_id
    from unionsync.passports.service import PassportFilter, list_passports
    from unionsync.web.labels import label_in

    statuses = {s.value: s for s in PassportStatus}
    if status is not None and status not in statuses:
        err.print(f"[red]--status: unknown status {status!r}; known: {', '.join(statuses)}[/red]")
        raise typer.Exit(2)
    with operator_session(ready_factory()) as session:
        flt = PassportFilter(statuses.get(status or ""), None, industry_id(session, industry), q)
        page = list_passports(session, SYSTEM, flt, ListParams(1, limit))
        rows = [
            (
                p.id,
                p.number,
                p.title,
                p.industry.code,
                p.initiator.name,
                f"{p.period_start}–{p.period_end}",
                label_in(p.status, "en"),
            )
            for p in page.items
        ]
    show_rows(
        "Passports",
        ("id", "number", "title", "industry", "initiator", "period", "status"),
        rows,
        page.total,
        as_json,
        "No passport matches these filters.",
    )
