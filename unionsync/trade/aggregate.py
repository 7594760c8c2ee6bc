"""Totals of the stored trade table (every imported file, as Parquet) by HS subheading, year
and direction: in this process with DuckDB, or file group by file group on a Dask cluster.

The table grows with every customs and BACI file (hundreds of millions of rows). Each group of
Parquet files is summed by DuckDB where it runs (a worker reading the same data path), and the
partial sums are added up here. Values are summed in whole cents as 64-bit integers, so the
totals do not depend on the order of addition: the cluster's totals equal this process's to
the cent, not merely to rounding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unionsync.core.cluster import shards

if TYPE_CHECKING:
    from distributed import Client

Key = tuple[int, int, str]  # HS subheading as an integer, year, flow
FILES_PER_TASK = 8
_QUERY = """
    SELECT hs6, CAST(year AS INTEGER) AS year, CAST(flow AS VARCHAR) AS flow,
           sum(CAST(round(value * 100) AS BIGINT)) AS cents, count(*) AS n
    FROM read_parquet($files, hive_partitioning = true)
    WHERE hs6 IS NOT NULL
    GROUP BY ALL
"""


def dataset_files(root: Path) -> list[str]:
    """The Parquet files of a dataset partitioned as `…/year=…/flow=…/*.parquet`, in order."""
    return sorted(str(p) for p in root.rglob("*.parquet"))


def query_files(
    query: str, files: Sequence[str], params: dict[str, Any] | None = None
) -> list[tuple[Any, ...]]:
    """`query` over these Parquet files (`$files`, and `params`) with one DuckDB thread (one
    task per core on a cluster) and no progress bar (logs and pipes)."""
    import duckdb

    if not files:
        return []
    connection = duckdb.connect()
    try:
        connection.execute("SET enable_progress_bar = false")
        connection.execute("SET threads TO 1")
        found = connection.execute(query, {**(params or {}), "files": list(files)})
        return [tuple(row) for row in found.fetchall()]
    finally:
        connection.close()


def file_parts(
    task: Callable[[Sequence[str]], list[tuple[Any, ...]]],
    files: list[str],
    client: Client | None,
    files_per_task: int,
) -> list[list[tuple[Any, ...]]]:
    """`task` over all the files in this process, or over groups of them on the cluster."""
    if client is None:
        return [task(files)]
    futures = [
        client.submit(task, files[part.start : part.stop], pure=False)
        for part in shards(len(files), files_per_task)
    ]
    return list(client.gather(futures))


def partial_totals(files: Sequence[str]) -> list[tuple[Any, ...]]:
    """(hs6, year, flow, cents, rows) of these files (one task's share)."""
    found = query_files(_QUERY, files)
    return [(int(h), int(y), str(f), int(c), int(n)) for h, y, f, c, n in found]


def totals(
    root: Path, client: Client | None = None, files_per_task: int = FILES_PER_TASK
) -> dict[Key, tuple[int, int]]:
    """Cents and rows per (hs6, year, flow) over the whole dataset under `root`."""
    parts = file_parts(partial_totals, dataset_files(root), client, files_per_task)
    summed: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    for part in parts:
        for hs6, year, flow, cents, rows in part:
            entry = summed[(hs6, year, flow)]
            entry[0] += cents
            entry[1] += rows
    return {key: (cents, rows) for key, (cents, rows) in sorted(summed.items())}


# Mirror statistics over the whole dataset need each country pair's records, not only the
# subheading totals: one line per reporter, partner, year, direction, subheading and currency.
# Quantities are summed in thousandths as integers for the same reason values are in cents.
FlowKey = tuple[str, str, int, str, int, str]  # reporter, partner, year, flow, hs6, currency
_FLOWS_QUERY = """
    SELECT reporter, partner, CAST(year AS INTEGER) AS year, CAST(flow AS VARCHAR) AS flow,
           hs6, currency,
           sum(CAST(round(value * 100) AS BIGINT)) AS cents,
           sum(CAST(round(quantity * 1000) AS BIGINT)) AS milli,
           list(DISTINCT unit) FILTER (WHERE unit IS NOT NULL) AS units,
           count(*) AS n
    FROM read_parquet($files, hive_partitioning = true, union_by_name = true)
    WHERE hs6 IS NOT NULL
    GROUP BY ALL
"""


@dataclass(slots=True)
class FlowTotal:
    """One reporter's record of one flow (partner, year, direction, subheading, currency),
    summed over every file and row that holds it."""

    cents: int = 0
    milli: int | None = None  # the quantity in thousandths; None when no row gives one
    units: set[str] = field(default_factory=set)
    rows: int = 0


def partial_flows(files: Sequence[str]) -> list[tuple[Any, ...]]:
    """(reporter, partner, year, flow, hs6, currency, cents, milli, units, rows) of these files."""
    return query_files(_FLOWS_QUERY, files)


def flow_totals(
    root: Path, client: Client | None = None, files_per_task: int = FILES_PER_TASK
) -> dict[FlowKey, FlowTotal]:
    """Every reporter's record of every flow over the dataset under `root`, in key order."""
    parts = file_parts(partial_flows, dataset_files(root), client, files_per_task)
    summed: dict[FlowKey, FlowTotal] = defaultdict(FlowTotal)
    for part in parts:
        for reporter, partner, year, flow, hs6, currency, cents, milli, units, rows in part:
            entry = summed[(reporter, partner, int(year), flow, int(hs6), currency)]
            entry.cents += int(cents)
            if milli is not None:
                entry.milli = (entry.milli or 0) + int(milli)
            entry.units.update(units or ())
            entry.rows += int(rows)
    return dict(sorted(summed.items()))
