"""Solve time of the coverage allocation LP (issue 6 target: 10^4 demands × 10^3 capacities,
10^6 arcs, proven optimal in ≤ 15 s), model build and solve reported apart.

Usage: python bench/allocation.py [--demands 10000] [--capacities 1000] [--arcs 1000000] [--runs 3]

Random instance with a fixed seed: demands and capacities drawn so that total capacity is about
80 % of total demand (some demand must stay unmet, so the LP cannot be trivial), arc costs from
a price and a match confidence. The baseline in the same run is scipy's `linprog` (HiGHS too,
through its dense-to-sparse wrapper) on a 10× smaller instance, for the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from unionsync.coverage.allocation import Problem, penalty_for, solve


def instance(demands: int, capacities: int, arcs: int, seed: int = 7) -> Problem:
    rng = np.random.default_rng(seed)
    demand = rng.integers(1, 1000, demands).astype(np.float64)
    capacity = rng.integers(1, 1000, capacities).astype(np.float64)
    capacity *= 0.8 * demand.sum() / capacity.sum()
    pairs = np.unique(
        rng.integers(0, demands, arcs) * capacities + rng.integers(0, capacities, arcs)
    )
    price = rng.uniform(1, 100, len(pairs))
    confidence = rng.uniform(0.5, 1.0, len(pairs))
    return Problem(
        demand,
        capacity,
        (pairs // capacities).astype(np.int64),
        (pairs % capacities).astype(np.int64),
        price * (2 - confidence),
    )


def scipy_baseline(problem: Problem) -> float:
    n, d = len(problem.arc_cost), len(problem.demand)
    started = time.perf_counter()
    cost = np.concatenate([problem.arc_cost, np.full(d, penalty_for(problem))])
    columns = np.arange(n)
    equalities = sparse.hstack(
        [
            sparse.csr_matrix((np.ones(n), (problem.arc_demand, columns)), shape=(d, n)),
            sparse.identity(d),
        ]
    )
    capacities = sparse.hstack(
        [
            sparse.csr_matrix(
                (np.ones(n), (problem.arc_capacity, columns)), shape=(len(problem.capacity), n)
            ),
            sparse.csr_matrix((len(problem.capacity), d)),
        ]
    )
    result = linprog(
        cost,
        A_ub=capacities,
        b_ub=problem.capacity,
        A_eq=equalities,
        b_eq=problem.demand,
        bounds=(0, None),
        method="highs",
    )
    assert result.status == 0, result.message
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--demands", type=int, default=10_000)
    parser.add_argument("--capacities", type=int, default=1_000)
    parser.add_argument("--arcs", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    problem = instance(args.demands, args.capacities, args.arcs)
    print(
        f"{len(problem.demand):,} demands × {len(problem.capacity):,} capacities, "
        f"{len(problem.arc_cost):,} arcs"
    )
    builds, solves = [], []
    for _run in range(args.runs):
        solution = solve(problem)
        builds.append(solution.build_seconds)
        solves.append(solution.solve_seconds)
        print(
            f"  build {solution.build_seconds:.2f} s, solve {solution.solve_seconds:.2f} s, "
            f"objective {solution.objective:,.0f}, unmet {solution.unmet.sum():,.0f}",
            flush=True,
        )
    print(
        f"median: build {statistics.median(builds):.2f} s, solve {statistics.median(solves):.2f} s"
    )
    small = instance(args.demands // 10, args.capacities // 10, args.arcs // 10)
    ours = solve(small)
    theirs = scipy_baseline(small)
    print(
        f"10x smaller: UnionSync {ours.build_seconds + ours.solve_seconds:.2f} s, "
        f"scipy linprog {theirs:.2f} s"
    )


if __name__ == "__main__":
    main()
