"""`unionsync roadmap`: derive the tasks, the critical path, schedule risk."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from unionsync.cli_support import err, operator_session, ready_factory

app = typer.Typer(help="The multi-year roadmap: tasks, critical path, risk.", no_args_is_help=True)
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
