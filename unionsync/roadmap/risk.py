"""Schedule risk: Monte Carlo over the network with three-point estimates per task.

Each task's duration is drawn from the beta-PERT distribution of its optimistic, most likely and
pessimistic estimates (mean (o + 4m + p) / 6, the usual PERT weights), for every run at once: the
forward and backward passes are the CPM's, with each task's times a vector over the runs, so
10,000 runs over 1,000 tasks are a few thousand numpy operations (`bench/roadmap.py`). Seeded:
the same seed gives the same percentiles.

Results: the percentiles of the roadmap's end and of chosen groups' ends (a passport's tasks),
and each task's criticality index (the share of runs in which it has no total float).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from unionsync.roadmap.cpm import Network

Floats = npt.NDArray[np.float64]
PERCENTILES = (50, 80, 95)


@dataclass(frozen=True, slots=True)
class Estimate:
    optimistic: float
    likely: float
    pessimistic: float

    def __post_init__(self) -> None:
        if not 0 <= self.optimistic <= self.likely <= self.pessimistic:
            raise ValueError("estimates must satisfy 0 ≤ optimistic ≤ most likely ≤ pessimistic")


@dataclass(frozen=True)
class RiskResult:
    runs: int
    seed: int
    ends: Floats  # the roadmap's end per run, in working days
    groups: dict[str, Floats]  # a group's end per run
    criticality: Floats  # per task: share of runs on the critical path

    def percentiles(self, values: Floats | None = None) -> dict[int, float]:
        found = self.ends if values is None else values
        return {p: float(np.percentile(found, p)) for p in PERCENTILES}


def pert_samples(estimates: Sequence[Estimate], runs: int, rng: np.random.Generator) -> Floats:
    """Durations (runs × tasks) from beta-PERT; a task with o = p is that duration always."""
    low = np.array([e.optimistic for e in estimates], dtype=np.float64)
    mode = np.array([e.likely for e in estimates], dtype=np.float64)
    high = np.array([e.pessimistic for e in estimates], dtype=np.float64)
    span = high - low
    safe = np.where(span > 0, span, 1.0)
    alpha = 1 + 4 * (mode - low) / safe
    beta = 1 + 4 * (high - mode) / safe
    draws = rng.beta(alpha, beta, size=(runs, len(estimates)))
    return low + draws * span  # span 0: exactly `low`


def simulate(
    network: Network,
    estimates: Sequence[Estimate],
    *,
    runs: int = 10_000,
    seed: int = 2026,
    groups: Mapping[str, Sequence[int]] | None = None,
    starts: npt.NDArray[np.int64] | None = None,
    pinned: npt.NDArray[np.bool_] | None = None,
) -> RiskResult:
    """`runs` schedules with sampled durations: ends, group ends and criticality."""
    if len(estimates) != len(network.keys):
        raise ValueError("one estimate per task")
    if runs < 1:
        raise ValueError("at least one run")
    rng = np.random.default_rng(seed)
    durations = pert_samples(estimates, runs, rng).T.copy()  # tasks × runs
    count = len(network.keys)
    base = np.zeros(count, dtype=np.float64) if starts is None else starts.astype(np.float64)
    es = np.repeat(base[:, None], runs, axis=1)
    ef = np.empty_like(es)
    incoming, outgoing = network.incoming(), network.outgoing()
    before, after = network.before.tolist(), network.after.tolist()
    links, lags = network.links.tolist(), network.lags.tolist()
    order = network.order.tolist()
    fixed = [False] * count if pinned is None else pinned.tolist()
    for task in order:
        start = es[task]
        for n in [] if fixed[task] else incoming[task]:
            p, link, lag = before[n], links[n], lags[n]
            if link == 0:
                bound = ef[p] + lag
            elif link == 1:
                bound = es[p] + lag
            else:
                bound = ef[p] + lag - durations[task]
            np.maximum(start, bound, out=start)
        ef[task] = start + durations[task]
    end = ef.max(axis=0) if count else np.zeros(runs)
    lf = np.repeat(end[None, :], count, axis=0)
    for task in reversed(order):
        finish = lf[task]
        for n in outgoing[task]:
            s, link, lag = after[n], links[n], lags[n]
            if link == 0:
                bound = lf[s] - durations[s] - lag
            elif link == 1:
                bound = lf[s] - durations[s] - lag + durations[task]
            else:
                bound = lf[s] - lag
            np.minimum(finish, bound, out=finish)
    late_start = lf - durations
    critical = np.abs(late_start - es) <= 1e-9
    return RiskResult(
        runs,
        seed,
        end,
        {
            name: ef[list(members)].max(axis=0)
            for name, members in (groups or {}).items()
            if members
        },
        critical.mean(axis=1),
    )
