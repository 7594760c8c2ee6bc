"""Aggregate 100M trade-flow rows by code × year × direction (issue 8 target: ≤ 2 s with DuckDB on
this box), with pandas on the same Parquet dataset as the baseline in the same run.

Usage: python bench/trade_aggregate.py [--rows 100000000] [--runs 3] [--folder /tmp/us-trade]

The rows are generated once (fixed seed) in the layout `unionsync trade import` writes: a
Parquet dataset partitioned by year and direction (`year=…/flow=…/`), the HS subheading as an
integer key, the value in USD; 5,000 codes with a skewed popularity, 10 years, exports and
imports. Generation is not timed. DuckDB uses both cores; pandas reads the same dataset
through pyarrow and groups.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

YEARS = range(2015, 2025)
FLOWS = ("export", "import")


def generate(root: Path, rows: int, seed: int = 11) -> None:
    rng = np.random.default_rng(seed)
    codes = np.sort(rng.choice(np.arange(10_000, 970_000), 5_000, replace=False))
    weights = 1 / np.arange(1, len(codes) + 1) ** 0.8
    weights /= weights.sum()
    per_part = rows // (len(YEARS) * len(FLOWS))
    for year in YEARS:
        for flow in FLOWS:
            folder = root / f"year={year}" / f"flow={flow}"
            folder.mkdir(parents=True, exist_ok=True)
            table = pa.table(
                {
                    "hs6": pa.array(rng.choice(codes, per_part, p=weights).astype(np.int32)),
                    "value": pa.array(rng.lognormal(9, 2, per_part)),
                }
            )
            pq.write_table(table, folder / "part-0.parquet", row_group_size=1_000_000)


def with_duckdb(root: Path) -> tuple[float, int]:
    started = time.perf_counter()
    connection = duckdb.connect()
    connection.execute("SET threads TO 2")
    rows = connection.execute(
        f"SELECT hs6, year, flow, sum(value) AS value, count(*) AS n "
        f"FROM read_parquet('{root}/*/*/*.parquet', hive_partitioning = true) "
        "GROUP BY hs6, year, flow"
    ).fetchall()
    connection.close()
    return time.perf_counter() - started, len(rows)


def with_pandas(root: Path) -> tuple[float, int]:
    started = time.perf_counter()
    frame = ds.dataset(root, format="parquet", partitioning="hive").to_table().to_pandas()
    grouped = frame.groupby(["hs6", "year", "flow"], observed=True)["value"].agg(["sum", "count"])
    return time.perf_counter() - started, len(grouped)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/us-trade"))
    args = parser.parse_args()
    root = args.folder / f"flows-{args.rows}"
    if not root.exists():
        started = time.perf_counter()
        generate(root, args.rows)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - started:.0f} s: {root}")
    size = sum(p.stat().st_size for p in root.rglob("*.parquet"))
    print(f"{args.rows:,} rows, {size / 1e9:.2f} GB of Parquet in {len(YEARS) * 2} partitions")
    duck, groups = [], 0
    for _ in range(args.runs):
        seconds, groups = with_duckdb(root)
        duck.append(seconds)
        print(f"  DuckDB {seconds:.2f} s ({groups:,} groups)", flush=True)
    panda = []
    for _ in range(args.runs):
        seconds, count = with_pandas(root)
        assert count == groups, "the two engines disagree"
        panda.append(seconds)
        print(f"  pandas {seconds:.2f} s", flush=True)
    d, p = statistics.median(duck), statistics.median(panda)
    verdict = "met" if d <= 2 else "not met"
    print(f"median: DuckDB {d:.2f} s, pandas {p:.2f} s, ratio {d / p:.2f} (≤ 2 s: {verdict})")


if __name__ == "__main__":
    main()
