"""Who can satisfy which demand: a transportation linear program solved by HiGHS.

Demand nodes (a program item in one year) draw from capacity nodes (a capability in one year)
along arcs (accepted matches, quantities already converted to the demand's unit). A capacity is
shared by every demand it is matched to, so item-by-item answers would promise the same output
twice; the LP shares it out. Unmet demand is a slack variable whose cost is higher than any
arc's, so the optimum covers as much as the capacities allow and, among such answers, prefers
cheap and confident arcs:

    minimise   Σ cost_a · x_a + penalty · Σ unmet_d
    subject to Σ_{a into d} x_a + unmet_d = demand_d        for every demand node d
               Σ_{a out of c} x_a ≤ capacity_c              for every capacity node c
               x, unmet ≥ 0

Arcs enter the model in rounds of pricing (see `solve`), so HiGHS works on a small part of a large
network and the answer is still proven optimal over all arcs; nothing here knows about the
database.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import highspy
import numpy as np
from numpy.typing import NDArray

from unionsync.core.messages import N_, ExplainedError

FULL_TOLERANCE = 1e-6  # a share of demand below which the gap counts as none


class Verdict(StrEnum):
    FULLY = "fully"
    PARTLY = "partly"
    NOT = "not"


class AllocationError(ExplainedError):
    """Input the allocation cannot use, or a solver that did not reach an optimum."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Demands, capacities and arcs as arrays (index = node or arc number)."""

    demand: NDArray[np.float64]
    capacity: NDArray[np.float64]
    arc_demand: NDArray[np.int64]
    arc_capacity: NDArray[np.int64]
    arc_cost: NDArray[np.float64]
    # units of demand per unit of capacity on each arc (tonnes supplied for kilograms demanded:
    # 1000); none: 1 everywhere
    arc_factor: NDArray[np.float64] | None = None

    def factors(self) -> NDArray[np.float64]:
        return np.ones(len(self.arc_cost)) if self.arc_factor is None else self.arc_factor

    def check(self) -> None:
        """A clear message for input that has no meaning (not merely no good answer)."""
        arrays = (self.demand, self.capacity, self.arc_cost)
        if any(not np.all(np.isfinite(a)) for a in arrays):
            raise AllocationError(N_("demands, capacities and costs must be finite numbers"))
        if np.any(self.demand < 0) or np.any(self.capacity < 0):
            raise AllocationError(N_("demands and capacities cannot be negative"))
        if np.any(self.arc_cost < 0):
            raise AllocationError(N_("arc costs cannot be negative"))
        if self.arc_factor is not None and (
            len(self.arc_factor) != len(self.arc_cost) or np.any(~(self.arc_factor > 0))
        ):
            raise AllocationError(N_("every arc needs a positive unit factor"))
        n = len(self.arc_cost)
        if len(self.arc_demand) != n or len(self.arc_capacity) != n:
            raise AllocationError(N_("every arc needs a demand, a capacity and a cost"))
        if n and (
            self.arc_demand.min() < 0
            or self.arc_demand.max() >= len(self.demand)
            or self.arc_capacity.min() < 0
            or self.arc_capacity.max() >= len(self.capacity)
        ):
            raise AllocationError(N_("an arc refers to a demand or capacity that does not exist"))


@dataclass(frozen=True, slots=True)
class Solution:
    """The optimal flows and what they mean per demand."""

    flow: NDArray[np.float64]  # per arc, in the capacity's unit
    unmet: NDArray[np.float64]  # per demand node
    objective: float
    build_seconds: float
    solve_seconds: float
    rounds: int = 1  # HiGHS solves until no arc left out could lower the cost
    arcs_in_model: int = 0  # arcs the last of them held

    def verdicts(self, demand: NDArray[np.float64]) -> list[Verdict]:
        """Fully, partly or not satisfiable, per demand node."""
        result = []
        for need, gap in zip(demand, self.unmet, strict=True):
            if need <= 0 or gap <= FULL_TOLERANCE * max(need, 1.0):
                result.append(Verdict.FULLY)
            elif gap >= need * (1 - FULL_TOLERANCE):
                result.append(Verdict.NOT)
            else:
                result.append(Verdict.PARTLY)
        return result


def penalty_for(problem: Problem) -> float:
    """A cost of unmet demand above any path's, so covering always wins over leaving a gap."""
    return float(problem.arc_cost.max(initial=0.0)) * 10 + 1000.0


def solve(problem: Problem, time_limit: float = 600.0) -> Solution:
    """The optimal allocation (proved optimal over every arc, or an error saying why not).

    Arcs are priced in rounds (column generation): the LP starts with each demand's cheapest
    arcs per unit and the unmet-demand slacks, which already make it feasible; after each
    HiGHS solve the reduced cost of every arc left out is computed from the row duals in one
    vectorised pass, and the most negative ones (a few per demand) join the model, whose
    simplex basis HiGHS keeps for the next round. When no arc left out has a negative
    reduced cost the restricted optimum satisfies the optimality conditions of the whole LP,
    so it is proven optimal for all arcs. On 10^6 arcs the model ends with a few percent of
    them and solves 15 times faster than giving HiGHS every arc (bench/allocation.py).
    """
    import time

    problem.check()
    started = time.perf_counter()
    model = _PricedModel(problem)
    model.add(_cheapest_per_demand(problem, np.arange(len(problem.arc_cost)), SEED_ARCS))
    built = time.perf_counter()
    rounds = 0
    while True:
        rounds += 1
        remaining = time_limit - (time.perf_counter() - started)
        model.run(max(remaining, 0.0))
        entering = model.entering()
        if not len(entering):
            break
        if rounds >= MAX_ROUNDS:
            raise AllocationError(
                N_("the solver stopped without a proven optimum: %(status)s"),
                status=f"still {len(entering)} improving arcs after {rounds} rounds",
            )
        model.add(_cheapest_per_demand(problem, entering, ADDED_PER_ROUND, model.reduced))
    flow, unmet = model.values()
    return Solution(
        flow=flow,
        unmet=unmet,
        objective=model.objective(),
        build_seconds=built - started,
        solve_seconds=time.perf_counter() - built,
        rounds=rounds,
        arcs_in_model=int(model.in_model.sum()),
    )


SEED_ARCS = 1  # cheapest arcs per demand in the first round
ADDED_PER_ROUND = 3  # most improving arcs per demand added in a later round
MAX_ROUNDS = 10_000  # a safety net: each round adds at least one arc, so it ends anyway
PRICING_TOLERANCE = 1e-7  # relative; HiGHS's own dual feasibility tolerance


class _PricedModel:
    """The restricted LP in HiGHS: rows for every node, slacks, and the arcs added so far."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.factor = problem.factors()
        n_demand, n_capacity = len(problem.demand), len(problem.capacity)
        inf = highspy.kHighsInf
        self.highs = _new_highs()
        self.highs.setOptionValue("output_flag", False)
        # rows: demands (equal to the demand), then capacities (at most the capacity)
        no_entries = np.zeros(0, dtype=np.int32)
        self.highs.addRows(
            n_demand + n_capacity,
            np.concatenate([problem.demand, np.full(n_capacity, -inf)]),
            np.concatenate([problem.demand, problem.capacity]),
            0,
            np.zeros(n_demand + n_capacity, dtype=np.int32),
            no_entries,
            np.zeros(0),
        )
        # the first columns: one unmet-demand slack per demand
        slack_rows = np.arange(n_demand, dtype=np.int32)
        self.highs.addCols(
            n_demand,
            np.full(n_demand, penalty_for(problem)),
            np.zeros(n_demand),
            np.full(n_demand, inf),
            n_demand,
            slack_rows,
            slack_rows,
            np.ones(n_demand),
        )
        self.in_model = np.zeros(len(problem.arc_cost), dtype=bool)
        self.columns: list[NDArray[np.int64]] = []  # arc numbers in the order of their columns
        self.reduced = np.zeros(len(problem.arc_cost))

    def add(self, arcs: NDArray[np.int64]) -> None:
        p, n = self.problem, len(arcs)
        rows = np.stack([p.arc_demand[arcs], len(p.demand) + p.arc_capacity[arcs]], axis=1)
        values = np.ones(2 * n)
        values[0::2] = self.factor[arcs]  # into the demand row, in the demand's unit
        self.highs.addCols(
            n,
            p.arc_cost[arcs],
            np.zeros(n),
            np.full(n, highspy.kHighsInf),
            2 * n,
            np.arange(0, 2 * n, 2, dtype=np.int32),
            rows.ravel().astype(np.int32),
            values,
        )
        self.in_model[arcs] = True
        self.columns.append(arcs)

    def run(self, time_limit: float) -> None:
        self.highs.setOptionValue("time_limit", float(time_limit))
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise AllocationError(
                N_("the solver stopped without a proven optimum: %(status)s"),
                status=self.highs.modelStatusToString(status),
            )

    def entering(self) -> NDArray[np.int64]:
        """Arcs left out whose reduced cost (cost − factor·demand dual − capacity dual) is
        negative: each would lower the objective, so the optimum is not yet proven."""
        p = self.problem
        dual = np.asarray(self.highs.getSolution().row_dual)
        self.reduced = (
            p.arc_cost - self.factor * dual[p.arc_demand] - dual[len(p.demand) + p.arc_capacity]
        )
        improving = self.reduced < -PRICING_TOLERANCE * np.maximum(1.0, p.arc_cost)
        return np.flatnonzero(improving & ~self.in_model)

    def values(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Flow per arc (zero for arcs never added) and unmet demand per demand."""
        n_demand = len(self.problem.demand)
        values = np.asarray(self.highs.getSolution().col_value)
        flow = np.zeros(len(self.problem.arc_cost))
        if self.columns:
            flow[np.concatenate(self.columns)] = values[n_demand:]
        return np.maximum(flow, 0.0), np.maximum(values[:n_demand], 0.0)

    def objective(self) -> float:
        return float(self.highs.getInfo().objective_function_value)


def _cheapest_per_demand(
    problem: Problem,
    arcs: NDArray[np.int64],
    per_demand: int,
    key: NDArray[np.float64] | None = None,
) -> NDArray[np.int64]:
    """Of `arcs`, the `per_demand` with the smallest key for each demand (by default the cost
    of one unit of demand: the arc's cost over its unit factor)."""
    if key is None:
        key = problem.arc_cost / problem.factors()
    demand = problem.arc_demand[arcs]
    order = np.lexsort((key[arcs], demand))
    grouped = demand[order]
    rank = np.arange(len(order)) - np.searchsorted(grouped, grouped, side="left")
    return arcs[order[rank < per_demand]]


def _new_highs() -> highspy.Highs:
    """A solver instance; the first one in a process prints HiGHS' banner on the C-level
    standard output, which would corrupt `--json` output, so that output goes nowhere."""
    if _BANNER_SHOWN:
        return highspy.Highs()  # type: ignore[no-untyped-call]
    _BANNER_SHOWN.append(True)
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            return highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)


_BANNER_SHOWN: list[bool] = []


def problem_from(
    demand: Sequence[float],
    capacity: Sequence[float],
    arcs: Sequence[tuple[int, int, float]],
) -> Problem:
    """A problem from plain lists; arcs are (demand index, capacity index, cost)."""
    table = np.asarray(arcs, dtype=np.float64).reshape(-1, 3)
    return Problem(
        np.asarray(demand, dtype=np.float64),
        np.asarray(capacity, dtype=np.float64),
        table[:, 0].astype(np.int64),
        table[:, 1].astype(np.int64),
        table[:, 2].copy(),
    )
