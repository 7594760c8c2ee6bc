"""`unionsync roadmap`: derive the tasks, the critical path, schedule risk, the workbook and the
output form out and back, what slipped."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from unionsync.cli_support import GROUPS, err, file_errors, operator_session, ready_factory
from unionsync.roadmap.plan import Plan

app = typer.Typer(rich_markup_mode=None, help=GROUPS["roadmap"][1], no_args_is_help=True)
console = Console()


@app.command("derive")
def derive_command() -> None:
    """Create or update the tasks derived from passports, tenders, contracts and drawdowns."""
    from unionsync.roadmap.derive import derive

    with operator_session(ready_factory()) as session, session.begin():
        found = derive(session)
    console.print(
        f"{found.created} tasks created, {found.updated} updated, "
        f"{found.dependencies} derived dependencies."
    )


@app.command("cpm")
def cpm_command(
    passport_id: Annotated[
        int | None, typer.Option("--passport", help="one passport's tasks", min=1)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Earliest and latest dates, floats, the critical path and slippage."""
    from unionsync.passports.models import Passport
    from unionsync.roadmap.plan import forecast

    with operator_session(ready_factory()) as session:
        if passport_id is not None and session.get(Passport, passport_id) is None:
            err.print(f"[red]passport {passport_id} does not exist[/red]")
            raise typer.Exit(1)
        plan = forecast(session, passport_id)
        rows = [
            {
                "key": t.task.key,
                "title": t.task.title,
                "start": t.start.isoformat(),
                "finish": t.finish.isoformat(),
                "late_finish": t.late_finish.isoformat(),
                "total_float": t.total_float,
                "free_float": t.free_float,
                "critical": t.critical,
                "slip": t.slip,
            }
            for t in plan.tasks
        ]
        end = max((t.finish for t in plan.tasks), default=plan.origin)
    if as_json:
        console.print_json(json.dumps({"end": end.isoformat(), "tasks": rows}, ensure_ascii=False))
        return
    table = Table("task", "start", "finish", "float", "slip", title=f"forecast end {end}")
    for row in rows:
        if row["critical"] or (row["slip"] or 0) > 0:  # type: ignore[operator]
            table.add_row(
                f"{'★ ' if row['critical'] else ''}{str(row['title'])[:60]}",
                str(row["start"]),
                str(row["finish"]),
                str(row["total_float"]),
                str(row["slip"] if row["slip"] is not None else "—"),
            )
    console.print(table)
    console.print("★ on the critical path; shown: critical or late tasks.")


@app.command("risk")
def risk_command(
    runs: Annotated[int, typer.Option("--runs", min=100, max=1_000_000)] = 10_000,
    seed: Annotated[int, typer.Option("--seed", min=0)] = 2026,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Monte Carlo over the network: P50 / P80 / P95 completion, the most critical tasks."""
    from unionsync.roadmap.plan import risk

    with operator_session(ready_factory()) as session:
        plan, result = risk(session, runs=runs, seed=seed)

        def dates(values: object) -> dict[str, str]:
            found = result.percentiles(values)  # type: ignore[arg-type]
            return {
                f"p{p}": (plan.origin + timedelta(days=round(v))).isoformat()
                for p, v in found.items()
            }

        keys = plan.schedule.network.keys
        ranked = sorted(zip(keys, result.criticality.tolist(), strict=True), key=lambda i: -i[1])
        whole = dates(result.ends)
        summary = {
            "runs": runs,
            "seed": seed,
            "roadmap": whole,
            "passports": {name: dates(v) for name, v in result.groups.items()},
            "criticality": dict(ranked[:20]),
        }
    if as_json:
        console.print_json(json.dumps(summary, ensure_ascii=False))
        return
    console.print(
        f"{runs:,} runs, seed {seed}: P50 {whole['p50']}, P80 {whole['p80']}, P95 {whole['p95']}"
    )
    for key, share in ranked[:10]:
        console.print(f"  {share:6.1%}  {key}")


@app.command("export")
def export_command(
    out: Annotated[Path, typer.Option("--out", help="an .xlsx workbook or an .ics calendar")],
    passport_id: Annotated[
        int | None, typer.Option("--passport", help="one passport's tasks", min=1)
    ] = None,
) -> None:
    """The tasks with their forecast as a workbook (it comes back with `roadmap import`), or
    the milestones as an iCalendar file."""
    from sqlalchemy import select

    from unionsync.passports.models import Passport
    from unionsync.roadmap.export import milestones_calendar, write_workbook
    from unionsync.roadmap.plan import forecast

    if out.suffix.lower() not in (".xlsx", ".ics"):
        err.print("[red]--out must name an .xlsx or an .ics file[/red]")
        raise typer.Exit(2)
    with operator_session(ready_factory()) as session:
        if passport_id is not None and session.get(Passport, passport_id) is None:
            err.print(f"[red]passport {passport_id} does not exist[/red]")
            raise typer.Exit(1)
        plan = forecast(session)
        if passport_id is not None:
            plan = Plan(
                plan.origin,
                [t for t in plan.tasks if t.task.passport_id == passport_id],
                plan.schedule,
                plan.baseline,
            )
        passports = {p.id: p for p in session.scalars(select(Passport))}
        if out.suffix.lower() == ".xlsx":
            write_workbook(out, plan, passports)
        else:
            out.write_bytes(milestones_calendar(plan, passports))
    console.print(f"{len(plan.tasks)} tasks written to {out}.")


@app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="a workbook written by `roadmap export`")],
) -> None:
    """Progress, actual dates, estimates and new tasks from the workbook, all or nothing."""
    from unionsync.access.policy import SYSTEM
    from unionsync.roadmap.export import import_workbook

    with file_errors(path), operator_session(ready_factory()) as session, session.begin():
        result = import_workbook(session, SYSTEM, path.read_bytes(), path.name)
    console.print(
        f"{result.rows} rows read: {result.changed} tasks changed, {result.created} added."
    )


@app.command("output-form")
def output_form_command(
    out: Annotated[Path, typer.Option("--out", help="the .xlsx workbook to write")],
    year: Annotated[int | None, typer.Option("--year", help="last year by default")] = None,
    passport_id: Annotated[
        int | None, typer.Option("--passport", help="one passport's products", min=1)
    ] = None,
) -> None:
    """The output form: a row per product of the reconciled passports for the year, the
    figures to fill (they come back with `roadmap outputs`)."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from unionsync.passports.models import RECONCILED_OR_LATER, Passport
    from unionsync.roadmap.outputs import write_output_form

    if out.suffix.lower() != ".xlsx":
        err.print("[red]--out must name an .xlsx file[/red]")
        raise typer.Exit(2)
    this_year = datetime.now(UTC).year
    if year is not None and not 2000 <= year <= this_year:
        err.print(f"[red]--year must be from 2000 to {this_year}[/red]")
        raise typer.Exit(2)
    with operator_session(ready_factory()) as session:
        query = select(Passport).where(Passport.status.in_(RECONCILED_OR_LATER))
        if passport_id is not None:
            query = query.where(Passport.id == passport_id)
        passports = list(session.scalars(query.order_by(Passport.number)))
        if passport_id is not None and not passports:
            err.print(f"[red]passport {passport_id} does not exist or is not reconciled[/red]")
            raise typer.Exit(1)
        write_output_form(out, passports, year or this_year - 1)
    console.print(f"{sum(len(p.products) for p in passports)} product rows written to {out}.")


@app.command("outputs")
def outputs_command(
    path: Annotated[Path, typer.Argument(help="a filled output form (.xlsx or .csv)")],
) -> None:
    """Actual output per passport product and period from the filled form, all or nothing."""
    from unionsync.access.policy import SYSTEM
    from unionsync.roadmap.outputs import import_output

    with file_errors(path), operator_session(ready_factory()) as session, session.begin():
        result = import_output(session, SYSTEM, path.read_bytes(), path.name)
    console.print(f"{result.rows} rows read: {result.reported} reports recorded.")


@app.command("report")
def report_command(
    out: Annotated[Path, typer.Option("--out", help="an .xlsx or a .pdf file")],
    since: Annotated[str, typer.Option("--from", help="YYYY-MM-DD")] = "2023-01-01",
    until: Annotated[str, typer.Option("--until", help="YYYY-MM-DD")] = "2030-12-31",
) -> None:
    """What slipped: the tasks due in the period by the baseline that the forecast finishes
    later, in Russian (XLSX or PDF)."""
    from sqlalchemy import select

    from unionsync.core.validation import DateError, parse_day
    from unionsync.passports.models import Passport
    from unionsync.roadmap.export import write_slipped
    from unionsync.roadmap.plan import forecast

    if out.suffix.lower() not in (".xlsx", ".pdf"):
        err.print("[red]--out must name an .xlsx or a .pdf file[/red]")
        raise typer.Exit(2)
    try:
        start, end = parse_day(since), parse_day(until)
    except DateError:
        err.print("[red]--from and --until are dates: 2026-01-31 or 31.01.2026[/red]")
        raise typer.Exit(2) from None
    if start is None or end is None:
        err.print("[red]--from and --until are dates: 2026-01-31 or 31.01.2026[/red]")
        raise typer.Exit(2)
    with operator_session(ready_factory()) as session:
        plan = forecast(session)
        passports = {p.id: p for p in session.scalars(select(Passport))}
        count = write_slipped(out, plan, passports, start, end)
    console.print(f"{count} late tasks written to {out}.")
