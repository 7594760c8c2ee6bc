"""The critical path method over a network of tasks with finish-to-start, start-to-start and
finish-to-finish dependencies and lags, in working days.

The passes run over integer arrays in topological order (numpy for the per-task arithmetic, one
Python step per dependency): 10,000 tasks and 30,000 dependencies take well under a second
(`bench/roadmap.py`). A dependency cycle is refused with the tasks of one cycle named, found by
networkx.

Conventions (as in the usual textbooks): a task with duration d starting at ES finishes at
EF = ES + d; FS: ES(s) ≥ EF(p) + lag; SS: ES(s) ≥ ES(p) + lag; FF: EF(s) ≥ EF(p) + lag. Tasks
without successors must finish by the project's end (the latest EF). Total float = LS − ES;
free float = how far the task can slip without moving any successor's earliest start.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import networkx as nx
import numpy as np
import numpy.typing as npt

from unionsync.core.errors import DomainValidationError, FieldError

Ints = npt.NDArray[np.int64]


class Link(StrEnum):
    FS = "FS"  # finish to start
    SS = "SS"  # start to start
    FF = "FF"  # finish to finish


@dataclass(frozen=True, slots=True)
class Dependency:
    before: str
    after: str
    link: Link = Link.FS
    lag: int = 0  # working days; negative is a lead


class CycleError(DomainValidationError):
    """The dependencies loop back on themselves: no schedule exists."""


@dataclass(frozen=True)
class Network:
    """Tasks (keys and durations) and dependencies as index arrays, in topological order."""

    keys: tuple[str, ...]
    durations: Ints
    order: Ints  # task indices, each after all its predecessors
    before: Ints  # per dependency: predecessor index
    after: Ints  # per dependency: successor index
    links: npt.NDArray[np.int8]  # 0 FS, 1 SS, 2 FF
    lags: Ints

    @classmethod
    def build(cls, tasks: Sequence[tuple[str, int]], dependencies: Sequence[Dependency]) -> Network:
        keys = tuple(key for key, _ in tasks)
        index = {key: i for i, key in enumerate(keys)}
        if len(index) != len(keys):
            raise DomainValidationError([FieldError("tasks", "task keys must be unique")])
        missing = sorted(
            {d.before for d in dependencies if d.before not in index}
            | {d.after for d in dependencies if d.after not in index}
        )
        if missing:
            raise DomainValidationError(
                [FieldError("dependencies", f"unknown tasks: {', '.join(missing[:10])}")]
            )
        durations = np.array([duration for _, duration in tasks], dtype=np.int64)
        if (durations < 0).any():
            raise DomainValidationError([FieldError("duration", "durations cannot be negative")])
        before = np.array([index[d.before] for d in dependencies], dtype=np.int64)
        after = np.array([index[d.after] for d in dependencies], dtype=np.int64)
        order = _topological(len(keys), before, after, keys)
        codes = {Link.FS: 0, Link.SS: 1, Link.FF: 2}
        return cls(
            keys,
            durations,
            order,
            before,
            after,
            np.array([codes[Link(d.link)] for d in dependencies], dtype=np.int8),
            np.array([d.lag for d in dependencies], dtype=np.int64),
        )

    def incoming(self) -> list[list[int]]:
        """Per task, the dependencies that lead into it."""
        found: list[list[int]] = [[] for _ in self.keys]
        for n, task in enumerate(self.after.tolist()):
            found[task].append(n)
        return found

    def outgoing(self) -> list[list[int]]:
        found: list[list[int]] = [[] for _ in self.keys]
        for n, task in enumerate(self.before.tolist()):
            found[task].append(n)
        return found


def _topological(count: int, before: Ints, after: Ints, keys: Sequence[str]) -> Ints:
    """Kahn's algorithm; on a cycle, networkx names one."""
    indegree = np.bincount(after, minlength=count).tolist() if len(after) else [0] * count
    successors: list[list[int]] = [[] for _ in range(count)]
    for b, a in zip(before.tolist(), after.tolist(), strict=True):
        successors[b].append(a)
    ready = [i for i in range(count) if indegree[i] == 0]
    order: list[int] = []
    while ready:
        task = ready.pop()
        order.append(task)
        for nxt in successors[task]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    if len(order) < count:
        graph = nx.DiGraph(zip(before.tolist(), after.tolist(), strict=True))
        cycle = nx.find_cycle(graph)
        names = [keys[edge[0]] for edge in cycle]
        raise CycleError(
            [
                FieldError(
                    "dependencies",
                    "the dependencies form a cycle: " + " → ".join([*names, names[0]]),
                )
            ]
        )
    return np.array(order, dtype=np.int64)


@dataclass(frozen=True)
class Schedule:
    """Earliest and latest starts and finishes, floats, in working days from the start."""

    network: Network
    early_start: Ints
    early_finish: Ints
    late_start: Ints
    late_finish: Ints
    free_float: Ints

    @property
    def total_float(self) -> Ints:
        return self.late_start - self.early_start

    @property
    def end(self) -> int:
        return int(self.early_finish.max()) if len(self.early_finish) else 0

    @property
    def critical(self) -> npt.NDArray[np.bool_]:
        return self.total_float <= 0

    def critical_path(self) -> list[str]:
        """The critical tasks in order of their earliest start."""
        chosen = np.flatnonzero(self.critical)
        ordered = chosen[np.lexsort((chosen, self.early_start[chosen]))]
        return [self.network.keys[i] for i in ordered.tolist()]


def schedule(
    network: Network, starts: Ints | None = None, pinned: npt.NDArray[np.bool_] | None = None
) -> Schedule:
    """The forward and backward passes; `starts` are earliest starts fixed from outside (a task
    begun on a given day, "not before" dates), zero by default; a `pinned` task starts exactly
    there whatever its predecessors say (it is done: its dates are facts, not a forecast)."""
    count = len(network.keys)
    duration = network.durations
    es = np.zeros(count, dtype=np.int64) if starts is None else starts.astype(np.int64).copy()
    ef = es + duration
    incoming = network.incoming()
    before, links, lags = network.before.tolist(), network.links.tolist(), network.lags.tolist()
    dur = duration.tolist()
    es_l, ef_l = es.tolist(), ef.tolist()
    fixed = [False] * count if pinned is None else pinned.tolist()
    for task in network.order.tolist():
        start = es_l[task]
        for n in [] if fixed[task] else incoming[task]:
            p, link, lag = before[n], links[n], lags[n]
            if link == 0:
                bound = ef_l[p] + lag
            elif link == 1:
                bound = es_l[p] + lag
            else:
                bound = ef_l[p] + lag - dur[task]
            if bound > start:
                start = bound
        es_l[task] = start
        ef_l[task] = start + dur[task]
    end = max(ef_l) if ef_l else 0
    lf_l = [end] * count
    ls_l = [end - d for d in dur]
    outgoing = network.outgoing()
    after = network.after.tolist()
    free = [0] * count
    for task in reversed(network.order.tolist()):
        finish = end
        slack = end - ef_l[task]
        for n in outgoing[task]:
            s, link, lag = after[n], links[n], lags[n]
            if link == 0:
                bound = ls_l[s] - lag
                room = es_l[s] - lag - ef_l[task]
            elif link == 1:
                bound = ls_l[s] - lag + dur[task]
                room = es_l[s] - lag - es_l[task]
            else:
                bound = lf_l[s] - lag
                room = ef_l[s] - lag - ef_l[task]
            finish = min(finish, bound)
            slack = min(slack, room)
        lf_l[task] = finish
        ls_l[task] = finish - dur[task]
        free[task] = max(0, slack)
    return Schedule(
        network,
        np.array(es_l, dtype=np.int64),
        np.array(ef_l, dtype=np.int64),
        np.array(ls_l, dtype=np.int64),
        np.array(lf_l, dtype=np.int64),
        np.array(free, dtype=np.int64),
    )
