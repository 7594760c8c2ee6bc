"""Trade files streamed from CSV into the Parquet dataset and aggregated, with bounded memory
(issue 18), beside a DuckDB-alone and a pandas baseline on the same file in the same run.

Usage: python bench/trade_stream.py [--rows 500000000] [--folder /tmp/us-stream]
                                    [--steps generate,ours,duckdb,pandas,cluster]

The file is a CEPII BACI table (t, i, j, k, v, q; about 37 bytes a row) generated once with a
fixed seed: 200 countries, 5,000 subheadings with a skewed popularity, 10 years, values in
thousand USD with three decimals, a tenth of the quantities written NA as BACI does.

- ours: `unionsync trade import --layout baci` (every cell checked; the table stored as Parquet,
  partitioned by year and direction; the BY–RU summary to a fresh SQLite database), then
  `trade totals` by subheading, year and direction in this process;
- cluster: the same totals on a 2-worker LocalCluster;
- duckdb: `read_csv` grouped by subheading and year straight from the file (no check, nothing
  stored): the floor of what any import and aggregation can take;
- pandas: `read_csv` in chunks of 5M rows, each grouped, the groups added up.

Each step runs in its own process; its wall time and peak resident memory are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

CHUNK = 5_000_000


def generate(path: Path, rows: int, seed: int = 3) -> None:
    rng = np.random.default_rng(seed)
    countries = pa.array([str(c) for c in rng.choice(np.arange(4, 900), 200, replace=False)])
    codes = pa.array([f"{c:06d}" for c in rng.choice(np.arange(10_000, 970_000), 5_000, False)])
    weights = 1 / np.arange(1, len(codes) + 1) ** 0.8
    weights /= weights.sum()
    with path.open("wb") as handle:
        handle.write(b"t,i,j,k,v,q\n")
        done = 0
        while done < rows:
            size = min(CHUNK, rows - done)
            thousandths = np.round(rng.lognormal(4, 2.5, size) * 1000).astype(np.int64) + 1
            value = pc.binary_join_element_wise(
                pc.cast(pa.array(thousandths // 1000), pa.string()),
                pc.utf8_lpad(pc.cast(pa.array(thousandths % 1000), pa.string()), 3, "0"),
                ".",
            )
            tonnes = pc.cast(pa.array(np.round(rng.lognormal(0, 2, size), 3)), pa.string())
            tonnes = pc.if_else(pa.array(rng.random(size) < 0.1), "NA", tonnes)
            table = pa.table(
                {
                    "t": pa.array(rng.integers(2013, 2023, size).astype(np.int16)),
                    "i": countries.take(pa.array(rng.integers(0, 200, size))),
                    "j": countries.take(pa.array(rng.integers(0, 200, size))),
                    "k": codes.take(pa.array(rng.choice(len(codes), size, p=weights))),
                    "v": value,
                    "q": tonnes,
                }
            )
            pa_csv.write_csv(
                table,
                handle,
                write_options=pa_csv.WriteOptions(include_header=False, quoting_style="none"),
            )
            done += size


OURS = """
import json, os, resource, sys, time
from pathlib import Path
path, data = Path(sys.argv[1]), Path(sys.argv[2])
os.environ["UNIONSYNC_DATA_DIR"] = str(data)
os.environ["UNIONSYNC_DATABASE_URL"] = f"sqlite:///{data / 'bench.db'}"
from unionsync.cli import app
from unionsync.trade.aggregate import totals
started = time.perf_counter()
app(["trade", "import", str(path), "--layout", "baci"], standalone_mode=False)
imported = time.perf_counter() - started
import_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
found = totals(data / "trade" / "flows")
print("RESULT", json.dumps({"import": imported, "totals": time.perf_counter() - started - imported,
                  "rows": sum(rows for _cents, rows in found.values()), "groups": len(found),
                  "import_rss": import_rss,
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

CLUSTER = """
import json, resource, sys, time
from pathlib import Path
from unionsync.core.cluster import connect
from unionsync.trade.aggregate import totals
root = Path(sys.argv[2]) / "trade" / "flows"
with connect("local:2") as client:
    started = time.perf_counter()
    found = totals(root, client)
    seconds = time.perf_counter() - started
    workers = client.run(lambda: __import__("resource").getrusage(
        __import__("resource").RUSAGE_SELF).ru_maxrss)
print("RESULT", json.dumps({"totals": seconds, "groups": len(found),
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "workers_rss": max(workers.values())}))
"""

DUCKDB = """
import json, resource, sys, time
import duckdb
started = time.perf_counter()
connection = duckdb.connect()
connection.execute("SET enable_progress_bar = false")  # no bar in logs and pipes
found = connection.execute(
    "SELECT k, t, sum(v), count(*) FROM read_csv($path, header = true, nullstr = 'NA', "
    "types = {'k': 'VARCHAR'}) GROUP BY k, t", {"path": sys.argv[1]}).fetchall()
print("RESULT", json.dumps({"totals": time.perf_counter() - started, "groups": len(found),
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

PANDAS = """
import json, resource, sys, time
import pandas as pd
started = time.perf_counter()
parts = []
for chunk in pd.read_csv(sys.argv[1], chunksize=5_000_000, dtype={"k": str},
                         na_values=["NA"]):
    parts.append(chunk.groupby(["k", "t"])["v"].agg(["sum", "count"]))
found = pd.concat(parts).groupby(level=[0, 1]).sum()
print("RESULT", json.dumps({"totals": time.perf_counter() - started, "groups": len(found),
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def run(step: str, script: str, *args: str) -> dict[str, float]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"{step} failed:\n{done.stderr[-3000:]}")
    line = next(x for x in reversed(done.stdout.splitlines()) if x.startswith("RESULT "))
    figures = json.loads(line.removeprefix("RESULT "))
    figures["wall"] = time.perf_counter() - started
    shown = ", ".join(
        f"{k} {v / 2**20:.2f} GB" if "rss" in k else f"{k} {v:,.1f}" for k, v in figures.items()
    )
    print(f"{step:<8} {shown}", flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=500_000_000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/us-stream"))
    parser.add_argument("--steps", default="generate,ours,cluster,duckdb,pandas")
    args = parser.parse_args()
    steps = args.steps.split(",")
    args.folder.mkdir(parents=True, exist_ok=True)
    path = args.folder / f"baci-{args.rows}.csv"
    if "generate" in steps and not path.exists():
        started = time.perf_counter()
        generate(path, args.rows)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - started:.0f} s")
    print(f"{path}: {path.stat().st_size / 1e9:.1f} GB, {os.cpu_count()} cores", flush=True)
    data = args.folder / f"data-{args.rows}"
    if "ours" in steps:
        subprocess.run(["rm", "-rf", str(data)], check=True)
        ours = run("ours", OURS, str(path), str(data))
        print(f"         {ours['rows'] / ours['import']:,.0f} rows/s imported", flush=True)
    if "cluster" in steps:
        run("cluster", CLUSTER, str(path), str(data))
    if "duckdb" in steps:
        run("duckdb", DUCKDB, str(path))
    if "pandas" in steps:
        run("pandas", PANDAS, str(path))


if __name__ == "__main__":
    main()
