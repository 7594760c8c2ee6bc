"""`unionsync sync report`: the synchronisation report as Excel or PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select

from unionsync.access.policy import SYSTEM
from unionsync.cli_support import GROUPS, err, operator_session, ready_factory
from unionsync.coverage.report import write_pdf, write_xlsx
from unionsync.coverage.sync import synchronise
from unionsync.reference.models import Industry

app = typer.Typer(rich_markup_mode=None, help=GROUPS["sync"][1], no_args_is_help=True)
console = Console()


@app.command("report")
def report(
    out: Annotated[Path, typer.Option("--out", help="FILE.xlsx (a sheet per section) or FILE.pdf")],
    industry: Annotated[
        str | None, typer.Option("--industry", help="an industry code (default: all)")
    ] = None,
) -> None:
    """Coverage, complements, gaps, overlaps and timing conflicts of both countries' programs."""
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".pdf"):
        err.print(f"[red]{out}: the report is written as .xlsx or .pdf[/red]")
        raise typer.Exit(2)
    with operator_session(ready_factory()) as session:
        industries = {i.id: i for i in session.scalars(select(Industry))}
        chosen = None
        if industry is not None:
            found = [i for i in industries.values() if i.code == industry]
            if not found:
                known = ", ".join(sorted(i.code for i in industries.values()))
                err.print(f"[red]unknown industry {industry!r}; known: {known}[/red]")
                raise typer.Exit(1)
            chosen = found[0]
        result = synchronise(session, SYSTEM, chosen.id if chosen else None)
        names = {i.id: i.name_ru for i in industries.values()}
    title = "Синхронизация программ импортозамещения Беларуси и России" + (
        f": {chosen.name_ru}" if chosen else ""
    )
    if suffix == ".xlsx":
        write_xlsx(result, out, names)
    else:
        write_pdf(result, out, names, title)
    console.print(
        f"Report written to {out}: {len(result.complements)} complements, {len(result.gaps)} gaps, "
        f"{len(result.overlaps)} overlaps ({len(result.timing_conflicts)} with timing conflicts)."
    )
