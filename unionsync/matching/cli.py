"""`unionsync match …`: train and apply a scorer to files of pairs; run matching on programs."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console

from unionsync.access.policy import SYSTEM
from unionsync.cli_support import GROUPS, err, file_errors, operator_session, ready_factory
from unionsync.core.tabular import csv_cell
from unionsync.matching.model import Labelled, ModelFileError, TrainedScorer, f1_score, train
from unionsync.matching.pairs import as_records, read_pairs, score_pairs
from unionsync.matching.scoring import Band, Thresholds
from unionsync.matching.service import TOP_MATCHES

app = typer.Typer(rich_markup_mode=None, help=GROUPS["match"][1], no_args_is_help=True)
console = Console()
PairsOption = Annotated[
    Path,
    typer.Option("--pairs", help="CSV/xlsx: left_name,right_name[,left_code,right_code,label]"),
]


@app.command("score")
def score(
    pairs: PairsOption,
    out: Annotated[Path, typer.Option("--out", help="CSV: the input plus probability, decision")],
    model: Annotated[
        Path | None, typer.Option("--model", help="a model from `match train` (default: none)")
    ] = None,
) -> None:
    """Score every pair (default scorer, or a trained model); writes the input plus the verdict."""
    with file_errors(pairs):
        sheet, inputs = read_pairs(pairs)
    if model is None:
        scored = score_pairs(inputs)
        probabilities = [s.probability for s in scored]
        limits = Thresholds()
    else:
        scorer = _load(model)
        left, right = as_records(inputs)
        probabilities = [round(float(p), 4) for p in scorer.probabilities(left, right)]
        limits = Thresholds(accept=scorer.threshold, review=scorer.threshold / 2)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*sheet.headers, "probability", "decision"])
        for (_number, cells), p in zip(sheet.rows, probabilities, strict=True):
            writer.writerow(
                [
                    *(csv_cell(cells.get(h)) for h in sheet.headers),
                    p,
                    limits.band(p).value,
                ]
            )
    accepted = sum(1 for p in probabilities if limits.band(p) is Band.ACCEPT)
    console.print(f"Scored {len(probabilities):,} pairs into {out} ({accepted:,} accepted).")
    labels = [p.label for p in inputs]
    if all(label is not None for label in labels) and labels:
        value = f1_score(np.asarray(probabilities), np.asarray(labels), limits.accept)
        console.print(f"F1 against the file's labels at p ≥ {limits.accept:.2f}: {value:.3f}")


@app.command("train")
def train_command(
    pairs: PairsOption,
    model: Annotated[Path, typer.Option("--model", help="where to write the trained model")],
    valid: Annotated[
        Path | None,
        typer.Option("--valid", help="labelled pairs to choose the threshold on (best F1)"),
    ] = None,
) -> None:
    """Train a scorer on labelled pairs (column `label`: 1 same product, 0 different)."""
    with file_errors(pairs):
        _sheet, inputs = read_pairs(pairs, need_labels=True)
    held_out = None
    if valid is not None:
        with file_errors(valid):
            _valid_sheet, valid_pairs = read_pairs(valid, need_labels=True)
        held_out = Labelled(*as_records(valid_pairs), [int(p.label or 0) for p in valid_pairs])
    left, right = as_records(inputs)
    try:
        scorer = train(left, right, [int(p.label or 0) for p in inputs], valid=held_out)
    except ValueError as error:
        err.print(f"[red]{pairs.name}: {error}[/red]")
        raise typer.Exit(1) from None
    scorer.save(model)
    facts = ", ".join(f"{k} {v}" for k, v in scorer.facts.items())
    console.print(f"Model written to {model}: threshold {scorer.threshold:.2f}; {facts}.")


def _load(path: Path) -> TrainedScorer:
    if not path.exists():
        err.print(f"[red]{path}: no such file[/red]")
        raise typer.Exit(2)
    try:
        return TrainedScorer.load(path)
    except ModelFileError as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None


@app.command("run")
def run_command(
    program: Annotated[int, typer.Option("--program", help="the program's id")],
    against: Annotated[
        str | None, typer.Option("--against", help="BY or RU (default: the partner country)")
    ] = None,
    top: Annotated[
        int, typer.Option("--top", help="matches kept per item (the demo's and the pages' 10)")
    ] = TOP_MATCHES,
    full: Annotated[
        bool, typer.Option("--full", help="match every record again, not only what changed")
    ] = False,
    model: Annotated[
        Path | None, typer.Option("--model", help="score with a model from `match train`")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="local:N or tcp://host:8786: candidates on a Dask cluster "
            "(default: UNIONSYNC_DASK_SCHEDULER, else in this process)",
        ),
    ] = None,
) -> None:
    """Link a program's items to the partner's capabilities and store the matches."""
    from dataclasses import replace

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from unionsync.config import get_settings
    from unionsync.core.cluster import parse_scheduler
    from unionsync.core.errors import UnionSyncError
    from unionsync.matching.service import Engine, execute_run, request_run

    settings = get_settings()
    engine = Engine.from_settings(settings)
    if model is not None:
        _load(model)  # a clear error now rather than after the candidates
        engine = replace(engine, model_path=model)
    if scheduler is not None:
        try:
            parse_scheduler(scheduler)  # a clear error before the run is queued
        except UnionSyncError as error:
            err.print(f"[red]{error}[/red]")
            raise typer.Exit(2) from None
        engine = replace(engine, scheduler=scheduler)
    factory = ready_factory()
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with operator_session(factory) as session, Progress(*columns, console=err) as bar:
        try:
            run = request_run(session, SYSTEM, program, engine, against, top, full)
            session.commit()
        except UnionSyncError as error:
            err.print(f"[red]{error}[/red]")
            raise typer.Exit(1) from None
        task = bar.add_task("matching", total=1)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=max(total, 1))

        try:
            execute_run(session, run.id, engine, progress)
        except Exception as error:  # the run keeps the error too; say it without a traceback
            err.print(f"[red]Run {run.id} failed: {error}[/red]")
            raise typer.Exit(1) from None
        console.print(
            f"Run {run.id}: program {program} against {run.against}; "
            f"{run.items_matched} items matched ({run.items_unchanged} unchanged), "
            f"{run.capabilities_new} new or changed capabilities, {run.candidates:,} candidate "
            f"pairs; matches kept: {run.accepted} accepted, {run.review} to review; "
            f"{run.decisions_reused} earlier decisions applied."
        )


@app.command("decisions")
def decisions_command(
    out: Annotated[Path, typer.Option("--out", help="CSV of labelled pairs, for `match train`")],
) -> None:
    """Write reviewers' decisions as a labelled pairs file."""
    from unionsync.matching.service import decisions_as_pairs

    with ready_factory()() as session:
        rows = decisions_as_pairs(session, SYSTEM)
    columns = ["left_name", "right_name", "left_code", "right_code", "label"]
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)
    console.print(f"{len(rows):,} decisions written to {out}.")
