"""Active learning: which undecided pairs a reviewer should decide first.

A ministry analyst has a few hundred decisions to give, not thousands. A label teaches a model
most where the model is least sure (uncertainty sampling): a pair the model already puts at 0.99
or 0.01 changes little when confirmed. So the decisions so far train a model, the model scores the
undecided pairs, and the pairs nearest its threshold come first, a few per item, so that one
ambiguous item does not fill the page. Until the decisions hold both verdicts a few times, no model
can be trained, and the run's own probabilities stand in for it (`bench/active_learning.py`
measures how much sooner this reaches a given F1 than deciding in list order).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence

import numpy as np

from unionsync.matching.features import PairRecord
from unionsync.matching.model import TrainedScorer, train

MIN_EACH = 3  # decisions of each verdict before a model is trained from them


def teaching_values(probabilities: np.ndarray, threshold: float) -> np.ndarray:
    """1 for a pair at the model's threshold (its label moves the model most), falling to 0
    where the model is certain either way."""
    spread = max(threshold, 1.0 - threshold)
    return np.clip(1.0 - np.abs(np.asarray(probabilities) - threshold) / spread, 0.0, 1.0)


def learner(
    left: Sequence[PairRecord], right: Sequence[PairRecord], labels: Sequence[int]
) -> TrainedScorer | None:
    """A model from the decisions so far; None while either verdict has fewer than MIN_EACH."""
    y = np.asarray(labels)
    if min(int(np.sum(y == 1)), int(np.sum(y == 0))) < MIN_EACH:
        return None
    return train(left, right, labels)


def teaching_order(values: np.ndarray, groups: Sequence[Hashable], per_group: int = 2) -> list[int]:
    """Indexes by teaching value, at most `per_group` of one group (item) in each pass: the
    most uncertain pairs of many items before the third candidate of any one item."""
    by_value = np.argsort(-np.asarray(values), kind="stable")
    passes: dict[int, list[int]] = defaultdict(list)
    seen: dict[Hashable, int] = defaultdict(int)
    for index in by_value.tolist():
        group = groups[index]
        passes[seen[group] // per_group].append(index)
        seen[group] += 1
    return [index for number in sorted(passes) for index in passes[number]]
