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

The model is passed to HiGHS in compressed-column form in one call (10^6 arcs build in well under
a second); nothing here knows about the database.
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
LARGE = 100_000  # arcs from which the interior-point method is used


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
    """The optimal allocation (proved optimal by HiGHS, or an error saying why not)."""
    import time

    problem.check()
    started = time.perf_counter()
    n_arcs, n_demand, n_capacity = len(problem.arc_cost), len(problem.demand), len(problem.capacity)
    penalty = penalty_for(problem)
    # columns: the arcs, then one slack per demand; rows: demands, then capacities
    rows_of_arc = np.stack([problem.arc_demand, n_demand + problem.arc_capacity], axis=1)
    lp = highspy.HighsLp()
    lp.num_col_ = n_arcs + n_demand
    lp.num_row_ = n_demand + n_capacity
    lp.col_cost_ = np.concatenate([problem.arc_cost, np.full(n_demand, penalty)])
    lp.col_lower_ = np.zeros(lp.num_col_)
    lp.col_upper_ = np.full(lp.num_col_, highspy.kHighsInf)
    lp.row_lower_ = np.concatenate([problem.demand, np.full(n_capacity, -highspy.kHighsInf)])
    lp.row_upper_ = np.concatenate([problem.demand, problem.capacity])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.concatenate(
        [np.arange(0, 2 * n_arcs + 1, 2), 2 * n_arcs + np.arange(1, n_demand + 1)]
    ).astype(np.int32)
    lp.a_matrix_.index_ = np.concatenate([rows_of_arc.ravel(), np.arange(n_demand)]).astype(
        np.int32
    )
    values = np.ones(2 * n_arcs + n_demand)
    values[0 : 2 * n_arcs : 2] = problem.factors()  # into the demand row, in the demand's unit
    lp.a_matrix_.value_ = values
    highs = _new_highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", float(time_limit))
    if n_arcs > LARGE:
        # on transportation problems of 10^6 arcs the interior-point method (with crossover to
        # an exact vertex) is 7 times faster than dual simplex on this box (27 s against 180 s)
        highs.setOptionValue("solver", "ipm")
    highs.passModel(lp)
    built = time.perf_counter()
    highs.run()
    status = highs.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise AllocationError(
            N_("the solver stopped without a proven optimum: %(status)s"),
            status=highs.modelStatusToString(status),
        )
    values = np.asarray(highs.getSolution().col_value)
    return Solution(
        flow=np.maximum(values[:n_arcs], 0.0),
        unmet=np.maximum(values[n_arcs:], 0.0),
        objective=float(highs.getInfo().objective_function_value),
        build_seconds=built - started,
        solve_seconds=time.perf_counter() - built,
    )


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
