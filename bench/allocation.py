"""Solve time of the coverage allocation LP (issue 6 target: 10^4 demands × 10^3 capacities,
10^6 arcs, proven optimal in ≤ 15 s), model build and solve reported apart.

Usage: python bench/allocation.py [--demands 10000] [--capacities 1000] [--arcs 1000000] [--runs 5]
       [--capacity-ratio 0.8]

Random instance with a fixed seed: demands and capacities drawn so that total capacity is about
80 % of total demand (some demand must stay unmet, so the LP cannot be trivial), arc costs from
a price and a match confidence. The baseline in the same run is the whole LP, every arc at once,
given to HiGHS' interior-point method through scipy's `linprog` (the fastest whole-model solver
on this box: dual simplex took 180 s); its optimum must equal ours, which checks the pricing.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from unionsync.coverage.allocation import Problem, penalty_for, solve


def instance(
    demands: int, capacities: int, arcs: int, seed: int = 7, capacity_ratio: float = 0.8
) -> Problem:
    rng = np.random.default_rng(seed)
    demand = rng.integers(1, 1000, demands).astype(np.float64)
    capacity = rng.integers(1, 1000, capacities).astype(np.float64)
    capacity *= capacity_ratio * demand.sum() / capacity.sum()
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


def scipy_baseline(problem: Problem) -> tuple[float, float]:
    """Seconds and optimum of the whole LP in `linprog` (HiGHS interior point)."""
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
        method="highs-ipm",
    )
    assert result.status == 0, result.message
    return time.perf_counter() - started, float(result.fun)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--demands", type=int, default=10_000)
    parser.add_argument("--capacities", type=int, default=1_000)
    parser.add_argument("--arcs", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--capacity-ratio", type=float, default=0.8, help="total capacity over total demand"
    )
    args = parser.parse_args()
    problem = instance(args.demands, args.capacities, args.arcs, capacity_ratio=args.capacity_ratio)
    print(
        f"{len(problem.demand):,} demands × {len(problem.capacity):,} capacities, "
        f"{len(problem.arc_cost):,} arcs, capacity {args.capacity_ratio:.0%} of demand"
    )
    builds, solves = [], []
    for _run in range(args.runs):
        solution = solve(problem)
        builds.append(solution.build_seconds)
        solves.append(solution.solve_seconds)
        print(
            f"  build {solution.build_seconds:.2f} s, solve {solution.solve_seconds:.2f} s "
            f"({solution.rounds} rounds, {solution.arcs_in_model:,} arcs in the model), "
            f"objective {solution.objective:,.2f}, unmet {solution.unmet.sum():,.0f}",
            flush=True,
        )
    build, solve_time = statistics.median(builds), statistics.median(solves)
    print(f"median: build {build:.2f} s, solve {solve_time:.2f} s")
    baseline, optimum = scipy_baseline(problem)
    gap = abs(optimum - solution.objective) / max(abs(optimum), 1.0)
    print(
        f"baseline, every arc at once (linprog, HiGHS IPM): {baseline:.2f} s, "
        f"objective {optimum:,.2f} (relative difference {gap:.1e}); "
        f"ratio ours/baseline {(build + solve_time) / baseline:.2f}"
    )
    assert gap < 1e-7, "the priced optimum differs from the whole LP's"


if __name__ == "__main__":
    main()
