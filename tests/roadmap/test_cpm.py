"""The critical path method: a textbook network checked by hand, random networks against a
longest-path computation by networkx, cycles refused by name; working-day calendars; Monte Carlo
that converges to the analytic value and equals the CPM when nothing is uncertain."""

from __future__ import annotations

from datetime import date

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unionsync.roadmap.calendar import WorkCalendar
from unionsync.roadmap.cpm import CycleError, Dependency, Link, Network, schedule
from unionsync.roadmap.risk import Estimate, simulate

# A textbook exercise (activities, predecessors, days): A 7; B after A 2; C after A 4; D after
# B and C 4; E after D 4; F after E 3; G after E 5. By hand: the project takes 24 days, the
# critical path is A–C–D–E–G, B and F each have 2 days of total and free float.
TEXTBOOK = [("A", 7), ("B", 2), ("C", 4), ("D", 4), ("E", 4), ("F", 3), ("G", 5)]
TEXTBOOK_LINKS = [
    Dependency("A", "B"),
    Dependency("A", "C"),
    Dependency("B", "D"),
    Dependency("C", "D"),
    Dependency("D", "E"),
    Dependency("E", "F"),
    Dependency("E", "G"),
]


def test_the_textbook_network():
    plan = schedule(Network.build(TEXTBOOK, TEXTBOOK_LINKS))
    keys = plan.network.keys
    got = {
        k: (int(es), int(ef), int(ls), int(lf), int(tf), int(ff))
        for k, es, ef, ls, lf, tf, ff in zip(
            keys,
            plan.early_start,
            plan.early_finish,
            plan.late_start,
            plan.late_finish,
            plan.total_float,
            plan.free_float,
            strict=True,
        )
    }
    assert got == {
        "A": (0, 7, 0, 7, 0, 0),
        "B": (7, 9, 9, 11, 2, 2),
        "C": (7, 11, 7, 11, 0, 0),
        "D": (11, 15, 11, 15, 0, 0),
        "E": (15, 19, 15, 19, 0, 0),
        "F": (19, 22, 21, 24, 2, 2),
        "G": (19, 24, 19, 24, 0, 0),
    }
    assert plan.end == 24
    assert plan.critical_path() == ["A", "C", "D", "E", "G"]


def test_start_to_start_and_finish_to_finish_with_lags():
    # B may start 2 days after A starts; C must finish 3 days after B finishes
    plan = schedule(
        Network.build(
            [("A", 10), ("B", 4), ("C", 2)],
            [Dependency("A", "B", Link.SS, 2), Dependency("B", "C", Link.FF, 3)],
        )
    )
    assert plan.early_start.tolist() == [0, 2, 7]
    assert plan.early_finish.tolist() == [10, 6, 9]
    assert plan.end == 10
    assert plan.critical_path() == ["A"]
    assert plan.late_finish.tolist() == [10, 7, 10]


def test_a_cycle_is_refused_naming_its_tasks():
    with pytest.raises(CycleError) as refused:
        Network.build(
            [("A", 1), ("B", 1), ("C", 1), ("D", 1)],
            [
                Dependency("A", "B"),
                Dependency("B", "C"),
                Dependency("C", "D"),
                Dependency("D", "B"),
            ],
        )
    message = str(refused.value)
    assert "cycle" in message and all(k in message for k in ("B", "C", "D"))
    assert "A →" not in message


@st.composite
def networks(draw: st.DrawFn) -> tuple[list[tuple[str, int]], list[Dependency]]:
    count = draw(st.integers(1, 25))
    tasks = [(f"t{i}", draw(st.integers(0, 20))) for i in range(count)]
    links = []
    for after in range(1, count):
        for before in draw(st.sets(st.integers(0, after - 1), max_size=3)):
            link = draw(st.sampled_from(list(Link)))
            lag = draw(st.integers(-3, 5))
            links.append(Dependency(f"t{before}", f"t{after}", link, lag))
    order = draw(st.permutations(range(count)))  # tasks listed in any order
    return [tasks[i] for i in order], links


@settings(max_examples=150, deadline=None)
@given(networks())
def test_cpm_equals_longest_paths_by_networkx(
    case: tuple[list[tuple[str, int]], list[Dependency]],
) -> None:
    tasks, links = case
    duration = dict(tasks)
    plan = schedule(Network.build(tasks, links))
    # every constraint is ES(after) ≥ ES(before) + w: the earliest starts are the longest paths
    # from a source (ES ≥ 0); the latest starts are the project's end less the longest paths to
    # a sink that every task must reach by its finish
    graph = nx.DiGraph()
    for key, d in tasks:
        graph.add_edge("source", key, weight=0)
        graph.add_edge(key, "sink", weight=d)
    for dep in links:
        w = {
            Link.FS: duration[dep.before] + dep.lag,
            Link.SS: dep.lag,
            Link.FF: duration[dep.before] + dep.lag - duration[dep.after],
        }[dep.link]
        if graph.has_edge(dep.before, dep.after):
            w = max(w, graph[dep.before][dep.after]["weight"])
        graph.add_edge(dep.before, dep.after, weight=w)
    negated = nx.DiGraph()
    negated.add_weighted_edges_from((u, v, -d["weight"]) for u, v, d in graph.edges(data=True))
    longest_from = {
        k: -v for k, v in nx.single_source_bellman_ford_path_length(negated, "source").items()
    }
    end = longest_from["sink"]
    assert plan.end == end == nx.dag_longest_path_length(graph, weight="weight")
    to_sink = {
        k: -v
        for k, v in nx.single_source_bellman_ford_path_length(negated.reverse(), "sink").items()
    }
    for i, key in enumerate(plan.network.keys):
        assert plan.early_start[i] == longest_from[key], key
        assert plan.late_start[i] == end - to_sink[key], key
        assert plan.total_float[i] >= 0 and 0 <= plan.free_float[i] <= plan.total_float[i]
    assert plan.critical.any()


def test_working_days_skip_weekends_and_holidays():
    calendar = WorkCalendar("BY", holidays=(date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 7)))
    assert not calendar.is_working(date(2026, 1, 3))  # a Saturday
    assert calendar.next_working(date(2026, 1, 1)) == date(2026, 1, 5)
    assert calendar.add(date(2026, 1, 5), 2) == date(2026, 1, 8)  # the 7th is a holiday
    assert calendar.between(date(2026, 1, 1), date(2026, 1, 12)) == 4
    offsets = calendar.offsets(date(2026, 1, 1), [date(2026, 1, 5), date(2026, 1, 9)])
    assert offsets.tolist() == [0, 3]
    assert calendar.dates(date(2026, 1, 1), [0, 3]) == [date(2026, 1, 5), date(2026, 1, 9)]


def test_monte_carlo_converges_and_reduces_to_the_cpm():
    chain = [(f"t{i}", 10) for i in range(10)]
    links = [Dependency(f"t{i}", f"t{i + 1}") for i in range(9)]
    network = Network.build([*chain, ("side", 5)], links)
    symmetric = [Estimate(6, 10, 14)] * 10 + [Estimate(1, 2, 3)]
    result = simulate(network, symmetric, runs=10_000, seed=7, groups={"chain": range(10)})
    # the sum of ten symmetric beta-PERT durations is symmetric about 100: its median is 100
    p50 = result.percentiles()[50]
    assert abs(p50 - 100) / 100 < 0.01
    assert result.percentiles()[95] > result.percentiles()[80] > p50
    assert np.allclose(result.criticality[:10], 1.0) and result.criticality[10] == 0.0
    assert np.array_equal(result.groups["chain"], result.ends)
    again = simulate(network, symmetric, runs=10_000, seed=7)
    assert np.array_equal(again.ends, result.ends)  # seeded
    fixed = [Estimate(d, d, d) for _, d in TEXTBOOK]
    textbook = Network.build(TEXTBOOK, TEXTBOOK_LINKS)
    exact = simulate(textbook, fixed, runs=50, seed=1)
    assert np.all(exact.ends == 24)
    critical = dict(zip(textbook.keys, exact.criticality.tolist(), strict=True))
    assert critical == {"A": 1.0, "B": 0.0, "C": 1.0, "D": 1.0, "E": 1.0, "F": 0.0, "G": 1.0}


def test_a_done_task_keeps_its_dates_whatever_its_predecessors_say():
    network = Network.build(
        [("late", 30), ("done", 0), ("next", 5)],
        [
            Dependency("late", "done"),
            Dependency("done", "next"),
        ],
    )
    starts = np.array([0, 10, 0], dtype=np.int64)
    pinned = np.array([False, True, False])
    plan = schedule(network, starts, pinned)
    assert plan.early_start.tolist() == [0, 10, 10]  # "next" follows the done task, not "late"
    unpinned = schedule(network, starts)
    assert unpinned.early_start.tolist() == [0, 30, 30]
    runs = simulate(
        network,
        [Estimate(30, 30, 30), Estimate(0, 0, 0), Estimate(5, 5, 5)],
        runs=10,
        starts=starts,
        pinned=pinned,
    )
    assert np.all(runs.ends == 30)  # the late task still ends the plan
