"""The transportation LP: hand-checked cases, and properties on random instances."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.optimize import linprog

from unionsync.coverage.allocation import (
    AllocationError,
    Verdict,
    penalty_for,
    problem_from,
    solve,
)
from unionsync.reference.units import IncompatibleUnitsError, convert, convertible


def test_a_shared_capacity_is_not_promised_twice():
    # two items of 60 and 50 both matched to one producer of 80: together they get 80
    problem = problem_from([60, 50], [80], [(0, 0, 1.0), (1, 0, 1.0)])
    solution = solve(problem)
    assert solution.flow.sum() == pytest.approx(80)
    assert solution.unmet.sum() == pytest.approx(30)
    assert Verdict.NOT not in solution.verdicts(problem.demand)


def test_cheaper_and_surer_arcs_are_preferred_and_verdicts_follow():
    # item 0 can use producer 0 (cost 1) or 1 (cost 5); item 1 only producer 1; item 2 nobody
    problem = problem_from([40, 30, 10], [50, 30], [(0, 0, 1.0), (0, 1, 5.0), (1, 1, 1.0)])
    solution = solve(problem)
    assert solution.flow.tolist() == pytest.approx([40, 0, 30])
    assert solution.verdicts(problem.demand) == [Verdict.FULLY, Verdict.FULLY, Verdict.NOT]
    partly = problem_from([40], [25], [(0, 0, 1.0)])
    assert solve(partly).verdicts(partly.demand) == [Verdict.PARTLY]


def test_meaningless_input_is_refused_with_a_reason():
    with pytest.raises(AllocationError, match="negative"):
        solve(problem_from([-1], [5], [(0, 0, 1.0)]))
    with pytest.raises(AllocationError, match="does not exist"):
        solve(problem_from([1], [5], [(0, 3, 1.0)]))
    with pytest.raises(AllocationError, match="finite"):
        solve(problem_from([float("nan")], [5], [(0, 0, 1.0)]))


def test_no_arcs_leaves_all_demand_unmet():
    problem = problem_from([5, 0], [], [])
    solution = solve(problem)
    assert solution.unmet.tolist() == pytest.approx([5, 0])
    assert solution.verdicts(problem.demand) == [Verdict.NOT, Verdict.FULLY]


instances = st.integers(1, 6).flatmap(
    lambda n_demand: st.integers(1, 6).flatmap(
        lambda n_capacity: st.tuples(
            st.lists(st.integers(0, 100), min_size=n_demand, max_size=n_demand),
            st.lists(st.integers(0, 100), min_size=n_capacity, max_size=n_capacity),
            st.lists(
                st.tuples(
                    st.integers(0, n_demand - 1),
                    st.integers(0, n_capacity - 1),
                    st.integers(0, 20),
                    st.sampled_from([1.0, 1.0, 0.5, 2.0, 1000.0]),  # unit factors
                ),
                max_size=20,
            ),
        )
    )
)


@settings(max_examples=80, deadline=None)
@given(instances)
def test_random_instances_respect_bounds_and_match_an_independent_solver(instance):
    demand, capacity, arcs = instance
    plain = problem_from(demand, capacity, [(d, c, float(k)) for d, c, k, _f in arcs])
    factors = np.array([f for *_rest, f in arcs])
    problem = replace(plain, arc_factor=factors)
    solution = solve(problem)
    n = len(arcs)
    delivered = np.zeros(len(demand))
    used = np.zeros(len(capacity))
    for (d, c, _cost, factor), flow in zip(arcs, solution.flow, strict=True):
        delivered[d] += flow * factor
        used[c] += flow
    assert np.all(solution.flow >= -1e-9)
    assert np.all(delivered <= np.asarray(demand) + 1e-6)  # never more than the demand
    assert np.all(used <= np.asarray(capacity) + 1e-6)  # never more than any capacity
    assert np.allclose(delivered + solution.unmet, demand, atol=1e-6)
    # the same LP written densely and solved by scipy (HiGHS there too, but another model path)
    penalty = penalty_for(problem)
    cost = np.concatenate([problem.arc_cost, np.full(len(demand), penalty)])
    equalities = np.zeros((len(demand), n + len(demand)))
    inequalities = np.zeros((len(capacity), n + len(demand)))
    for a, (d, c, _cost, factor) in enumerate(arcs):
        equalities[d, a] = factor
        inequalities[c, a] = 1
    equalities[:, n:] = np.eye(len(demand))
    reference = linprog(
        cost,
        A_ub=inequalities,
        b_ub=capacity,
        A_eq=equalities,
        b_eq=demand,
        bounds=(0, None),
        method="highs-ipm",
    )
    assert reference.status == 0
    assert solution.objective == pytest.approx(reference.fun, rel=1e-7, abs=1e-6)


def test_pricing_rounds_reach_the_optimum_of_the_whole_network():
    # large enough that the first round (the cheapest arc of each demand) is not optimal: later
    # rounds must add arcs until none left out could lower the cost, and then the optimum is
    # the one of the LP with every arc
    rng = np.random.default_rng(3)
    n_demand, n_capacity, n_arcs = 300, 40, 4000
    pairs = np.unique(
        rng.integers(0, n_demand, n_arcs) * n_capacity + rng.integers(0, n_capacity, n_arcs)
    )
    demand = rng.integers(1, 100, n_demand).astype(float)
    capacity = rng.integers(1, 100, n_capacity).astype(float)
    capacity *= 0.8 * demand.sum() / capacity.sum()
    problem = problem_from(
        demand,
        capacity,
        [
            (p // n_capacity, p % n_capacity, c)
            for p, c in zip(pairs, rng.uniform(1, 50, len(pairs)), strict=True)
        ],
    )
    solution = solve(problem)
    assert solution.rounds > 1 and solution.arcs_in_model < len(pairs)
    columns = np.arange(len(pairs))
    reference = linprog(
        np.concatenate([problem.arc_cost, np.full(n_demand, penalty_for(problem))]),
        A_ub=sparse.hstack(
            [
                sparse.csr_matrix(
                    (np.ones(len(pairs)), (problem.arc_capacity, columns)),
                    shape=(n_capacity, len(pairs)),
                ),
                sparse.csr_matrix((n_capacity, n_demand)),
            ]
        ),
        b_ub=capacity,
        A_eq=sparse.hstack(
            [
                sparse.csr_matrix(
                    (np.ones(len(pairs)), (problem.arc_demand, columns)),
                    shape=(n_demand, len(pairs)),
                ),
                sparse.identity(n_demand),
            ]
        ),
        b_eq=demand,
        bounds=(0, None),
        method="highs-ipm",
    )
    assert reference.status == 0
    assert solution.objective == pytest.approx(reference.fun, rel=1e-8)


def test_units_convert_within_a_dimension_only():
    assert convert(Decimal("2.5"), "168", "166") == Decimal("2500")
    assert convert(Decimal(3000), "796", "798") == Decimal(3)
    assert convertible("163", "168") and not convertible("796", "166")
    with pytest.raises(IncompatibleUnitsError) as error:
        convert(Decimal(1), "796", "168")
    assert "шт (796)" in str(error.value) and "т (168)" in str(error.value)


def test_arcs_convert_the_producers_unit_into_the_demands():
    # 2,500 kg demanded; the producer makes 2 t: 2,000 kg covered, 500 kg left
    problem = problem_from([2500], [2], [(0, 0, 1.0)])
    converted = type(problem)(
        problem.demand,
        problem.capacity,
        problem.arc_demand,
        problem.arc_capacity,
        problem.arc_cost,
        np.array([1000.0]),
    )
    solution = solve(converted)
    assert solution.flow.tolist() == pytest.approx([2.0])
    assert solution.unmet.tolist() == pytest.approx([500.0])
