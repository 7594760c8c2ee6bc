"""Scoring candidate pairs: features → a match probability with its evidence.

The default scorer needs no training: each feature adds a weight to the log-odds of a match,
as in Fellegi–Sunter record linkage (and Splink); every step is kept as evidence with a
sentence, so a reviewer sees why. A trained scorer (later in issue 5) replaces the weights.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from unionsync.matching.candidates import Candidate, MatchRecord
from unionsync.matching.normalise import normalise_name

PRIOR = -4.0
CODE_WEIGHTS = {10: 3.0, 8: 2.5, 6: 2.0, 4: 1.5, 2: 0.5}
CONVERTIBLE = ({"796", "798"}, {"166", "168", "163"}, {"006", "018"})


class Band(StrEnum):
    ACCEPT = "accept"
    REVIEW = "review"
    REJECT = "reject"


@dataclass(frozen=True, slots=True)
class Step:
    """One piece of evidence: the feature, its value, what it added, in words."""

    feature: str
    value: str
    weight: float
    sentence: str


@dataclass(frozen=True, slots=True)
class Scored:
    left: int
    right: int
    probability: float
    band: Band
    steps: tuple[Step, ...]

    @property
    def why(self) -> str:
        return "; ".join(s.sentence for s in self.steps if s.weight != 0)


@dataclass(frozen=True, slots=True)
class Thresholds:
    accept: float = 0.9
    review: float = 0.5

    def band(self, probability: float) -> Band:
        if probability >= self.accept:
            return Band.ACCEPT
        return Band.REVIEW if probability >= self.review else Band.REJECT


def common_code_level(left: str | None, right: str | None) -> int | None:
    """The level at which the codes agree (None if either is missing; 0 if they disagree)."""
    if not left or not right:
        return None
    depth = min(len(left), len(right))
    return depth if left[:depth] == right[:depth] else 0


def units_compatible(left: str | None, right: str | None) -> bool | None:
    if not left or not right:
        return None
    return left == right or any(left in group and right in group for group in CONVERTIBLE)


def score_pair(
    left: MatchRecord,
    right: MatchRecord,
    text_score: float,
    left_unit: str | None = None,
    right_unit: str | None = None,
    dense_score: float = 0.0,
) -> list[Step]:
    """The evidence for one pair, each step with its weight."""
    a, b = normalise_name(left.name), normalise_name(right.name)
    steps = [Step("prior", "", PRIOR, "prior odds of a match")]
    level = common_code_level(left.code, right.code)
    if level == 0:
        steps.append(Step("code", f"{left.code}≠{right.code}", -4.0, "codes disagree"))
    elif level:
        steps.append(
            Step("code", str(level), CODE_WEIGHTS.get(level, 0.5), f"codes agree to {level} digits")
        )
    shared_models = set(a.models) & set(b.models)
    if shared_models:
        steps.append(
            Step(
                "model",
                ", ".join(sorted(shared_models)),
                4.0,
                f"same model or size ({', '.join(sorted(shared_models))})",
            )
        )
    elif a.models and b.models:
        steps.append(Step("model", "", -3.0, "different models or sizes"))
    if text_score > 0:  # pairs proposed by a code or model block carry no text score
        steps.append(
            Step(
                "text",
                f"{text_score:.2f}",
                round(6.0 * (text_score - 0.5), 3),
                f"name similarity {text_score:.2f}",
            )
        )
    if dense_score > 0:  # E5 cosines of unrelated names sit near 0.75, of one product near 0.9
        steps.append(
            Step(
                "meaning",
                f"{dense_score:.2f}",
                round(20.0 * (dense_score - 0.85), 3),
                f"meaning similarity {dense_score:.2f}",
            )
        )
    words_a, words_b = set(a.words), set(b.words)
    if words_a and words_b:
        jaccard = len(words_a & words_b) / len(words_a | words_b)
        steps.append(
            Step(
                "words",
                f"{jaccard:.2f}",
                round(3.0 * (jaccard - 0.3), 3),
                f"{len(words_a & words_b)} words in common",
            )
        )
    if a.numbers and b.numbers:
        steps.append(_numbers(set(a.numbers), set(b.numbers)))
    compatible = units_compatible(left_unit, right_unit)
    if compatible is False:
        steps.append(Step("unit", f"{left_unit}/{right_unit}", -1.0, "units do not convert"))
    return steps


def _numbers(left: set[str], right: set[str]) -> Step:
    """Sizes and ratings tell variants apart: 4 Гбит is not 8 Гбит, whatever else agrees."""
    if left == right:
        return Step("numbers", "same", 1.0, "the same numbers")
    if left <= right or right <= left:
        return Step("numbers", "subset", -1.0, "one name gives fewer numbers")
    return Step("numbers", "differ", -6.0, "different numbers (another size or rating)")


def probability(steps: Sequence[Step]) -> float:
    odds = sum(step.weight for step in steps)
    return 1.0 / (1.0 + math.exp(-odds))


def score_candidates(
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord],
    pairs: Sequence[Candidate],
    thresholds: Thresholds | None = None,
    units: dict[tuple[str, int], str] | None = None,
) -> list[Scored]:
    """Every candidate pair with its probability, band and evidence."""
    limits = thresholds or Thresholds()
    lefts = {r.key: r for r in left}
    rights = {r.key: r for r in right}
    unit_of = units or {}
    scored = []
    for pair in pairs:
        steps = score_pair(
            lefts[pair.left],
            rights[pair.right],
            pair.text_score,
            unit_of.get(("left", pair.left)),
            unit_of.get(("right", pair.right)),
            pair.dense_score,
        )
        p = probability(steps)
        scored.append(Scored(pair.left, pair.right, round(p, 4), limits.band(p), tuple(steps)))
    return scored
