"""`unionsync programs list`: the programs with the ids other commands take (`match run`,
`coverage --program`)."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.access.policy import SYSTEM
from unionsync.catalog.models import ProgramStatus
from unionsync.catalog.service import ProgramFilter, item_counts, list_programs
from unionsync.cli_support import GROUPS, err, operator_session, ready_factory, show_rows
from unionsync.core.errors import UnionSyncError
from unionsync.core.listing import MAX_PER_PAGE, ListParams
from unionsync.reference.models import Industry
from unionsync.web.labels import label_in

app = typer.Typer(rich_markup_mode=None, help=GROUPS["programs"][1], no_args_is_help=True)

Limit = Annotated[int, typer.Option("--limit", min=1, max=MAX_PER_PAGE, help="rows at most")]


@app.command("list")
def list_(
    country: Annotated[str | None, typer.Option("--country", help="BY or RU")] = None,
    industry: Annotated[
        str | None, typer.Option("--industry", help="an industry code (e.g. machine-tools)")
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="draft, approved, in_force or archived")
    ] = None,
    q: Annotated[str | None, typer.Option("--q", help="text in the code or title")] = None,
    limit: Limit = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """The programs with their ids, items and status."""
    statuses = {s.value: s for s in ProgramStatus}
    if status is not None and status not in statuses:
        err.print(f"[red]--status: unknown status {status!r}; known: {', '.join(statuses)}[/red]")
        raise typer.Exit(2)
    with operator_session(ready_factory()) as session:
        industry_key = industry_id(session, industry)
        try:
            page = list_programs(
                session,
                SYSTEM,
                ProgramFilter(country, industry_key, statuses.get(status or ""), q),
                ListParams(1, limit, "country,code"),
            )
        except UnionSyncError as error:
            err.print(f"[red]{error}[/red]")
            raise typer.Exit(2) from None
        counts = item_counts(session, SYSTEM, [p.id for p in page.items])
        rows = [
            (
                p.id,
                p.country_code,
                p.code,
                p.industry.code,
                p.title,
                f"{p.period_start}–{p.period_end}",
                counts.get(p.id, 0),
                label_in(p.status, "en"),
            )
            for p in page.items
        ]
    show_rows(
        "Programs",
        ("id", "country", "code", "industry", "title", "period", "items", "status"),
        rows,
        page.total,
        as_json,
        "No program matches these filters.",
    )


def industry_id(session: Session, code: str | None) -> int | None:
    """The id of an industry given by its code; an unknown code lists the known ones."""
    if code is None:
        return None
    industries = {i.code: i.id for i in session.scalars(select(Industry))}
    if code.lower() not in industries:
        known = ", ".join(sorted(industries))
        err.print(f"[red]--industry: unknown code {code!r}; known: {known}[/red]")
        raise typer.Exit(2)
    return industries[code.lower()]
