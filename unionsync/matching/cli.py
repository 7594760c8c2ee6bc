"""`unionsync match …`: score a file of name pairs (the trained model and runs come later)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from unionsync.cli_support import err, file_errors
from unionsync.core.tabular import read_table
from unionsync.matching.pairs import NamePair, score_pairs

app = typer.Typer(
    help="Matching of program demand to the partner's products.", no_args_is_help=True
)
console = Console()
REQUIRED = ("left_name", "right_name")


@app.command("score")
def score(
    pairs: Annotated[
        Path,
        typer.Option("--pairs", help="CSV/xlsx: left_name,right_name[,left_code,right_code,label]"),
    ],
    out: Annotated[Path, typer.Option("--out", help="CSV: the input plus probability, decision")],
) -> None:
    """Score every pair with the default scorer; writes the input columns plus the verdict."""
    with file_errors(pairs):
        sheet = read_table(pairs.read_bytes(), pairs.name)
    missing = [c for c in REQUIRED if c not in sheet.headers]
    if missing:
        err.print(
            f"[red]{pairs.name}, row 1: required column(s) missing: {', '.join(missing)}[/red]"
        )
        raise typer.Exit(1)
    rows = [cells for _n, cells in sheet.rows]
    inputs = [
        NamePair(
            str(r.get("left_name") or ""),
            str(r.get("right_name") or ""),
            _code(r.get("left_code")),
            _code(r.get("right_code")),
        )
        for r in rows
    ]
    scored = score_pairs(inputs)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*sheet.headers, "probability", "decision"])
        for cells, result in zip(rows, scored, strict=True):
            writer.writerow(
                [
                    *("" if cells.get(h) is None else cells.get(h) for h in sheet.headers),
                    result.probability,
                    result.band.value,
                ]
            )
    accepted = sum(1 for s in scored if s.band.value == "accept")
    console.print(f"Scored {len(scored):,} pairs into {out} ({accepted:,} accepted).")


def _code(value: object) -> str | None:
    text = str(value or "").replace(" ", "").replace(".", "")
    return text if text.isdigit() else None
