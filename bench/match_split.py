"""Matching against a catalogue cut across the workers of a 2-worker LocalCluster (issue 18:
1M demand lines × 10M catalogue lines), with the time on 8 and 32 workers estimated on paper.

Usage: python bench/match_split.py [--catalogue 10000000] [--demand 1000000] [--sample 2000]
                                   [--workers 2]

Data as in `bench/match_scale.py` (the same generator and seed). The whole catalogue is built
on the workers, one part each (n-gram document frequencies and token blocks added up over the
parts); then a sample of demand lines is matched against every part and the parts' top-k are
merged. The workers read their parts
from the catalogue's Parquet file. The full figure is the sample's time scaled to the demand
asked for (the work is one task per (demand shard, part), each costing in proportion to the
shard's lines and the part's); `--sample 1000000` matches the whole million (51 min here, see
`bench/RESULTS.md`), the pairs kept as arrays shard by shard as they come.

Printed: the parts' build time, the sample's matching time, peak resident memory per worker and
of this process, quality of the sample against the truth, and the estimate for 2, 8 and 32
workers: parts built W/2 times faster (each part is 2/W as large), matching likewise (the same
tasks spread over W workers), plus the per-task overhead measured here.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
from match_scale import generate

from unionsync.core.cluster import connect
from unionsync.matching.candidates import MatchRecord
from unionsync.matching.distributed import CatalogueFile, split_matches
from unionsync.matching.scoring import DEFAULT_WEIGHTS


def records(path: Path) -> list[MatchRecord]:
    table = pq.read_table(path, columns=["id", "name", "code"]).to_pydict()
    return [MatchRecord(i, n, c) for i, n, c in zip(*table.values(), strict=True)]


def _keys(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """(demand id, catalogue id) as one int64, to compare millions of pairs without tuples."""
    assert left.size == 0 or (left.min() >= 0 and left.max() < 2**31 and right.max() < 2**32)
    return (left.astype(np.int64) << 32) | right.astype(np.int64)


def quality(found: np.ndarray, probabilities: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Precision, recall and F1 at the best of the thresholds 0.1 to 0.9, as `match_scale`."""
    best: dict[str, float] = {"f1": -1.0}
    for threshold in (0.1, 0.3, 0.5, 0.7, 0.9):
        kept = np.unique(found[probabilities >= threshold])
        hits = int(np.isin(kept, truth, assume_unique=True).sum())
        precision = hits / kept.size if kept.size else 0.0
        recall = hits / truth.size if truth.size else 0.0
        f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
        if f1 > best["f1"]:
            best = {"threshold": threshold, "precision": precision, "recall": recall, "f1": f1}
    return best


def _peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--catalogue", type=int, default=10_000_000)
    parser.add_argument("--demand", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        started = time.perf_counter()
        # generated in a child process, whose memory is returned when it ends
        child = multiprocessing.get_context("spawn").Process(
            target=generate, args=(args.sample, args.catalogue, folder, False)
        )
        child.start()
        child.join()
        print(
            f"{args.sample:,} demand (sample of {args.demand:,}) × {args.catalogue:,} catalogue "
            f"lines generated in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        # the workers read their parts of the catalogue from its file; this process holds the
        # demand sample only
        left, right = (
            records(folder / "demand.parquet"),
            CatalogueFile.of(folder / "catalogue.parquet"),
        )
        with connect(f"local:{args.workers}") as client:
            assert client is not None
            timings: dict[str, float] = {}
            # the pairs kept as arrays, shard by shard as they come: 1M demand lines make
            # some 26M pairs, too many to hold here as Python objects next to the workers
            found: list[np.ndarray] = []
            scores: list[np.ndarray] = []
            for _start, pairs, probabilities in split_matches(
                client, left, right, 10, DEFAULT_WEIGHTS, timings=timings
            ):
                found.append(
                    _keys(
                        np.fromiter((p.left for p in pairs), np.int64, len(pairs)),
                        np.fromiter((p.right for p in pairs), np.int64, len(pairs)),
                    )
                )
                scores.append(probabilities)
            workers_peak = client.run(_peak)
        true = pq.read_table(folder / "truth.parquet").to_pydict()
        truth = np.unique(
            _keys(np.asarray(true["demand"], np.int64), np.asarray(true["catalogue"], np.int64))
        )
        pairs_found = np.concatenate(found)
        measured = quality(pairs_found, np.concatenate(scores), truth)
    gb = 2**20
    print(
        f"parts built in {timings['parts']:.0f} s; {args.sample:,} lines matched in "
        f"{timings['matching']:.1f} s ({pairs_found.size:,} pairs, {truth.size:,} true)"
    )
    print(
        "peak memory per worker: "
        + ", ".join(f"{v / gb:.1f} GB" for v in workers_peak.values())
        + f"; this process {_peak() / gb:.1f} GB"
    )
    print(
        f"quality of the sample: precision {measured['precision']:.3f}, recall "
        f"{measured['recall']:.3f}, F1 {measured['f1']:.3f} at {measured['threshold']}"
    )
    per_line = timings["matching"] / args.sample
    print(f"estimate for {args.demand:,} × {args.catalogue:,}:")
    for workers in (args.workers, 8, 32):
        scale = args.workers / workers
        build = timings["parts"] * scale
        match = per_line * args.demand * scale
        print(
            f"  {workers:>2} workers: parts {build / 60:.0f} min + matching {match / 3600:.1f} h "
            f"= {(build + match) / 3600:.1f} h"
        )


if __name__ == "__main__":
    main()
