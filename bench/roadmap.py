"""The roadmap's engines at scale, each beside a straightforward Python baseline in the same run.

- CPM over 10,000 tasks and 30,000 dependencies (target ≤ 1 s). Baseline: the textbook passes
  over dicts of lists, in pure Python, on the same network.
- Monte Carlo, 10,000 runs over 1,000 tasks and 3,000 dependencies (target ≤ 10 s). Baseline: the
  same passes one run at a time in pure Python with `random.betavariate`, timed on a sample of
  runs and scaled to 10,000 (stated in the output).

Usage: python bench/roadmap.py [--tasks 10000] [--deps 30000] [--mc-tasks 1000] [--runs 10000]
                               [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import median_seconds

from unionsync.roadmap.cpm import Dependency, Link, Network, schedule
from unionsync.roadmap.risk import Estimate, simulate


def random_network(
    tasks: int, deps: int, seed: int
) -> tuple[list[tuple[str, int]], list[Dependency]]:
    """A layered plan: each dependency runs from an earlier task to a later one (a DAG), links
    mostly finish-to-start, some start-to-start and finish-to-finish, small lags."""
    rng = random.Random(seed)
    found = [(f"t{i}", rng.randint(1, 60)) for i in range(tasks)]
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < deps:
        after = rng.randrange(1, tasks)
        before = rng.randrange(max(0, after - 200), after)
        pairs.add((before, after))
    kinds = [Link.FS] * 8 + [Link.SS, Link.FF]
    links = [
        Dependency(f"t{b}", f"t{a}", rng.choice(kinds), rng.randint(0, 5)) for b, a in sorted(pairs)
    ]
    return found, links


def baseline_cpm(tasks: list[tuple[str, int]], links: list[Dependency]) -> int:
    """Forward and backward passes over dicts, Kahn's order: what one would write first."""
    duration = dict(tasks)
    preds: dict[str, list[Dependency]] = {k: [] for k in duration}
    succs: dict[str, list[Dependency]] = {k: [] for k in duration}
    for d in links:
        preds[d.after].append(d)
        succs[d.before].append(d)
    indegree = {k: len(v) for k, v in preds.items()}
    ready = [k for k, n in indegree.items() if n == 0]
    order = []
    while ready:
        k = ready.pop()
        order.append(k)
        for d in succs[k]:
            indegree[d.after] -= 1
            if indegree[d.after] == 0:
                ready.append(d.after)
    es: dict[str, int] = {}
    ef: dict[str, int] = {}
    for k in order:
        start = 0
        for d in preds[k]:
            if d.link is Link.FS:
                start = max(start, ef[d.before] + d.lag)
            elif d.link is Link.SS:
                start = max(start, es[d.before] + d.lag)
            else:
                start = max(start, ef[d.before] + d.lag - duration[k])
        es[k], ef[k] = start, start + duration[k]
    end = max(ef.values())
    lf: dict[str, int] = {}
    ls: dict[str, int] = {}
    for k in reversed(order):
        finish = end
        for d in succs[k]:
            if d.link is Link.FS:
                finish = min(finish, ls[d.after] - d.lag)
            elif d.link is Link.SS:
                finish = min(finish, ls[d.after] - d.lag + duration[k])
            else:
                finish = min(finish, lf[d.after] - d.lag)
        lf[k], ls[k] = finish, finish - duration[k]
    return end


def baseline_runs(
    tasks: list[tuple[str, int]], links: list[Dependency], runs: int, seed: int
) -> list[float]:
    """Monte Carlo one run at a time: sample each duration, forward pass."""
    rng = random.Random(seed)
    keys = [k for k, _ in tasks]
    preds: dict[str, list[Dependency]] = {k: [] for k in keys}
    for d in links:
        preds[d.after].append(d)
    order = keys  # the generator lists tasks in a topological order
    ends = []
    for _ in range(runs):
        ef: dict[str, float] = {}
        es: dict[str, float] = {}
        for k, d in tasks:
            low, mode, high = 0.8 * d, d, 1.5 * d
            span = high - low
            a, b = 1 + 4 * (mode - low) / span, 1 + 4 * (high - mode) / span
            duration = low + rng.betavariate(a, b) * span
            start = 0.0
            for link in preds[k]:
                if link.link is Link.FS:
                    start = max(start, ef[link.before] + link.lag)
                elif link.link is Link.SS:
                    start = max(start, es[link.before] + link.lag)
                else:
                    start = max(start, ef[link.before] + link.lag - duration)
            es[k], ef[k] = start, start + duration
        ends.append(max(ef[k] for k in order))
    return ends


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--deps", type=int, default=30_000)
    parser.add_argument("--mc-tasks", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--baseline-runs", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    tasks, links = random_network(args.tasks, args.deps, seed=1)
    built: list[Network] = []
    ours = median_seconds(lambda: built.append(Network.build(tasks, links)), args.repeat)
    network = built[-1]
    passes = median_seconds(lambda: schedule(network), args.repeat)
    base = median_seconds(lambda: baseline_cpm(tasks, links), args.repeat)
    assert schedule(network).end == baseline_cpm(tasks, links)
    print(f"CPM, {args.tasks:,} tasks, {args.deps:,} dependencies (median of {args.repeat}):")
    print(f"  baseline, pure Python passes over dicts   {base:7.3f} s  1.00×")
    print(f"  ours: build (checks, order)               {ours:7.3f} s")
    print(f"  ours: passes                              {passes:7.3f} s  {passes / base:.2f}×")
    print(
        f"  ours: build + passes                      {ours + passes:7.3f} s  "
        f"{(ours + passes) / base:.2f}×   target ≤ 1 s"
    )

    mc_tasks, mc_links = random_network(args.mc_tasks, 3 * args.mc_tasks, seed=2)
    mc_network = Network.build(mc_tasks, mc_links)
    estimates = [Estimate(0.8 * d, d, 1.5 * d) for _, d in mc_tasks]
    started = time.perf_counter()
    result = simulate(mc_network, estimates, runs=args.runs, seed=3)
    mc = time.perf_counter() - started
    sample = args.baseline_runs
    started = time.perf_counter()
    baseline_runs(mc_tasks, mc_links, sample, seed=3)
    per_run = (time.perf_counter() - started) / sample
    scaled = per_run * args.runs
    print(
        f"Monte Carlo, {args.runs:,} runs over {args.mc_tasks:,} tasks, "
        f"{3 * args.mc_tasks:,} dependencies:"
    )
    print(
        f"  baseline, one run at a time (forward pass only; {sample} runs timed, "
        f"scaled to {args.runs:,})  {scaled:7.2f} s  1.00×"
    )
    print(
        f"  ours, vectorised (forward and backward, criticality)  {mc:7.2f} s  "
        f"{mc / scaled:.3f}×   target ≤ 10 s"
    )
    p = result.percentiles()
    print(
        f"  P50 {p[50]:.1f}, P80 {p[80]:.1f}, P95 {p[95]:.1f} working days; "
        f"{int((result.criticality > 0.5).sum())} tasks critical in most runs"
    )


if __name__ == "__main__":
    main()
