"""How fast a large program file is read, checked and written (SQLite), against reading alone,
and how much memory the import takes.

Usage: python bench/import_programs.py [--rows 188000] [--repeat 3] [--format csv|xlsx]

The default is the issue's case: a valid CSV of about 50 MB (188,000 rows, four years of
demand). The baseline is streaming the file's rows (csv module / openpyxl read-only); the measured
paths add the row checks (codes, units, numbers, duplicates) and the batched writes in one
transaction, into a fresh database, then the same file again (nothing changes). Each import
runs in a child process so that its peak resident memory is its own. Medians of --repeat runs
are printed; the machine is shared and noisy, so compare ratios. Target: ≤ 60 s and ≤ 1 GB.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from _timing import median_seconds

from unionsync.access.policy import SYSTEM
from unionsync.catalog.imports import file_digest, import_programs
from unionsync.catalog.template import PROGRAM_COLUMNS, demand_headers
from unionsync.core.tabular import stream_table, write_csv, write_xlsx
from unionsync.db.bootstrap import init_database
from unionsync.db.session import make_engine, make_session_factory, transaction

YEARS = (2025, 2026, 2027, 2028)


def make_rows(count: int) -> tuple[list[str], list[list[object]]]:
    """`count` items spread over programs of 500 items each."""
    headers = [c.ru for c in PROGRAM_COLUMNS]
    for year in YEARS:
        headers.extend(demand_headers(year))
    rows = []
    for n in range(count):
        program = n // 500
        row: list[object] = [
            "RU",
            f"RU-BENCH-{program:03d}",
            f"Программа {program}",
            None,
            "machine-tools",
            2024,
            2030,
            1,
            "действует",
            n % 500 + 1,
            f"Подшипник шариковый 62{n % 90:02d}-2RS",
            None,
            f"8482 10 {n % 900 + 100:03d} 9",
            "шт",
            2027,
            "75",
            "RUB",
            None,
        ]
        for year in YEARS:
            row.extend([1000 + n % 77 + year % 10, f"{(1000 + n) * 15}.50"])
        rows.append(row)
    return headers, rows


def _timed_import(url: str, path: Path, results: Any) -> None:
    """One import in this (child) process: (seconds, peak RSS in MB, report summary)."""
    factory = make_session_factory(make_engine(url))
    content = path.read_bytes()
    started = time.perf_counter()
    with transaction(factory) as session:
        report = import_programs(
            session, SYSTEM, stream_table(content, path.name), sha256=file_digest(content)
        )
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.put((seconds, peak_mb, report.summary()))


def _in_child(url: str, path: Path) -> tuple[float, float, str]:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    child = context.Process(target=_timed_import, args=(url, path, results))
    child.start()
    outcome: tuple[float, float, str] = results.get()
    child.join()
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=188_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"programs.{args.format}"
        headers, rows = make_rows(args.rows)
        if args.format == "csv":
            write_csv(path, headers, rows)
        else:
            write_xlsx(path, "Программы", headers, rows, text_columns=(12,))
        del rows
        content = path.read_bytes()
        size_mb = len(content) / 2**20

        def read_only() -> None:
            for _row in stream_table(content, path.name).rows:
                pass

        read_s = median_seconds(read_only, args.repeat)
        first, again = [], []
        for run in range(args.repeat):
            db = Path(tmp) / f"bench-{run}.db"
            url = f"sqlite:///{db}"
            init_database(url, make_session_factory(make_engine(url)))
            first.append(_in_child(url, path))
            again.append(_in_child(url, path))
    print(f"rows={args.rows:,} format={args.format} file={size_mb:.1f} MB repeat={args.repeat}")
    print(f"{'step (medians)':<34}{'seconds':>9}{'rows/s':>10}{'x read':>8}{'peak MB':>9}")
    print(f"{'baseline: stream the rows':<34}{read_s:>9.2f}{args.rows / read_s:>10,.0f}{1:>8.1f}")
    for name, runs in (("import into a fresh database", first), ("same file again", again)):
        seconds = statistics.median(r[0] for r in runs)
        peak = statistics.median(r[1] for r in runs)
        print(
            f"{name:<34}{seconds:>9.2f}{args.rows / seconds:>10,.0f}"
            f"{seconds / read_s:>8.1f}{peak:>9.0f}"
        )
    print(f"first import: {first[0][2]}")
    print(f"again: {again[0][2]}")


if __name__ == "__main__":
    main()
