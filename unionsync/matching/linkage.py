"""Agreement weights learnt from the records at hand (Fellegi–Sunter, fitted by EM).

Hand-set weights suit the lists they were set on and nothing else: on an English product
catalogue a name similarity of 0.6 may mean a match, on a Russian nomenclature it may not. As
Splink and fastLink do, each comparison of a pair falls into a level (codes agree to 6 digits,
name similarity 0.75–0.9, …) and two probabilities are estimated for every level without a
single label: m, how often true matches fall there, and u, how often non-matches do. Expectation
maximisation alternates between the posterior of each pair being a match and the m, u and match
share that best explain those posteriors, assuming the comparisons independent given the
match status. A level's weight is log(m / u), the evidence it adds to the log-odds; a missing
comparison (no code on one side) adds nothing.

The start is the hand-set weights, so that the EM settles on the mode where the agreeing levels
are the matching ones; with too few pairs to learn from (`MIN_PAIRS`) those weights are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

MIN_PAIRS = 200
# a level's probability is kept off zero so that no single comparison can veto a pair
FLOOR = 1e-4


@dataclass(frozen=True, slots=True)
class Comparison:
    """One comparison of a pair and its levels, from the strongest agreement down."""

    name: str
    levels: tuple[str, ...]
    # each level's weight log(m / u) before any fitting (set by hand), and its starting u
    weights: tuple[float, ...]
    u: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Weights:
    """The fitted model: the share of matches among the pairs and each level's m and u."""

    comparisons: tuple[Comparison, ...]
    match_share: float
    m: tuple[NDArray[np.float64], ...]
    u: tuple[NDArray[np.float64], ...]
    fitted_on: int = 0
    iterations: int = 0
    table: tuple[NDArray[np.float64], ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "table", tuple(np.log(m / u) for m, u in zip(self.m, self.u, strict=True))
        )

    @property
    def prior(self) -> float:
        """The log-odds of a match before any comparison."""
        return float(np.log(self.match_share / (1.0 - self.match_share)))

    def weight(self, comparison: int, level: int) -> float:
        return 0.0 if level < 0 else float(self.table[comparison][level])

    def log_odds(self, levels: NDArray[np.int8]) -> NDArray[np.float64]:
        """The posterior log-odds of every row of levels (pairs × comparisons, −1 missing)."""
        odds = np.full(levels.shape[0], self.prior)
        for k, table in enumerate(self.table):
            column = levels[:, k]
            present = column >= 0
            odds[present] += table[column[present]]
        return odds


def starting(comparisons: tuple[Comparison, ...], match_share: float) -> Weights:
    return Weights(
        comparisons,
        match_share,
        tuple(np.asarray(c.u) * np.exp(np.asarray(c.weights)) for c in comparisons),
        tuple(np.asarray(c.u, dtype=np.float64) for c in comparisons),
    )


def estimate(
    levels: NDArray[np.int8],
    start: Weights,
    max_iterations: int = 100,
    tolerance: float = 1e-6,
) -> Weights:
    """m, u and the match share that best explain the pairs' comparison levels (EM from
    `start`); `start` itself when there are fewer than `MIN_PAIRS` pairs."""
    n = levels.shape[0]
    if n < MIN_PAIRS:
        return start
    share = start.match_share
    m = [a.copy() for a in start.m]
    u = [a.copy() for a in start.u]
    done = 0
    for done in range(1, max_iterations + 1):  # noqa: B007 - the count is reported
        current = Weights(start.comparisons, share, tuple(m), tuple(u))
        posterior = 1.0 / (1.0 + np.exp(-np.clip(current.log_odds(levels), -60, 60)))
        new_share = float(np.clip(posterior.mean(), 1e-6, 1 - 1e-6))
        change = abs(new_share - share)
        for k, comparison in enumerate(start.comparisons):
            column = levels[:, k]
            present = column >= 0
            size = len(comparison.levels)
            matched = np.bincount(column[present], posterior[present], minlength=size)
            other = np.bincount(column[present], 1.0 - posterior[present], minlength=size)
            new_m = _normalised(matched.astype(np.float64))
            new_u = _normalised(other.astype(np.float64))
            moved = max(float(np.abs(new_m - m[k]).max()), float(np.abs(new_u - u[k]).max()))
            change = max(change, moved)
            m[k], u[k] = new_m, new_u
        share = new_share
        if change < tolerance:
            break
    return Weights(start.comparisons, share, tuple(m), tuple(u), fitted_on=n, iterations=done)


def _normalised(counts: NDArray[np.float64]) -> NDArray[np.float64]:
    total = counts.sum()
    if total <= 0:
        return np.full(len(counts), 1.0 / len(counts))
    shares = np.maximum(counts / total, FLOOR)
    return np.asarray(shares / shares.sum(), dtype=np.float64)
