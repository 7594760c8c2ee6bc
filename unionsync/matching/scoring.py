"""Scoring candidate pairs: features → a match probability with its evidence.

The default scorer needs no training: each feature adds a weight to the log-odds of a match,
as in Fellegi–Sunter record linkage (and Splink); every step is kept as evidence with a
sentence, so a reviewer sees why. A trained scorer (later in issue 5) replaces the weights.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

import numpy as np

from unionsync.core.messages import N_
from unionsync.matching.candidates import (
    Candidate,
    MatchRecord,
    Normals,
    Sides,
    common_code_level,
)
from unionsync.matching.normalise import NormalName, normalise_name
from unionsync.matching.parallel import map_chunks
from unionsync.reference.units import convertible

PRIOR = -4.0
CODE_WEIGHTS = {10: 3.0, 8: 2.5, 6: 2.0, 4: 1.5, 2: 0.5}


class Band(StrEnum):
    ACCEPT = "accept"
    REVIEW = "review"
    REJECT = "reject"


class Step(NamedTuple):
    """One piece of evidence: the feature, its value, what it added, in words (`sentence` in
    English; `template`, filled with the value, is what pages translate)."""

    feature: str
    value: str
    weight: float
    sentence: str
    template: str = ""


def _step(feature: str, value: str, weight: float, template: str) -> Step:
    return Step(feature, value, weight, template % {"value": value}, template)


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


def identifiers(name: NormalName) -> set[str]:
    """Model, size and standard tokens, and long bare numbers (a bearing «23323» is a model
    written without letters; a quantity rarely has four digits or more)."""
    return set(name.models) | {n for n in name.numbers if len(n) >= 4 and n.isdigit()}


def units_compatible(left: str | None, right: str | None) -> bool | None:
    if not left or not right:
        return None
    return convertible(left, right)


class Prepared(NamedTuple):
    """What scoring compares of one name, as sets built once per record."""

    ids: frozenset[str]
    words: frozenset[str]
    numbers: frozenset[str]


def prepare(name: str | NormalName) -> Prepared:
    normal = normalise_name(name) if isinstance(name, str) else name
    return Prepared(
        frozenset(identifiers(normal)), frozenset(normal.words), frozenset(normal.numbers)
    )


def score_pair(
    left: MatchRecord,
    right: MatchRecord,
    text_score: float,
    left_unit: str | None = None,
    right_unit: str | None = None,
    dense_score: float = 0.0,
) -> list[Step]:
    """The evidence for one pair, each step with its weight."""
    steps: list[Step] = []
    weigh(
        prepare(left.name),
        prepare(right.name),
        left.code,
        right.code,
        text_score,
        dense_score,
        left_unit,
        right_unit,
        steps,
    )
    return steps


def weigh(
    a: Prepared,
    b: Prepared,
    left_code: str | None,
    right_code: str | None,
    text_score: float,
    dense_score: float = 0.0,
    left_unit: str | None = None,
    right_unit: str | None = None,
    explain: list[Step] | None = None,
) -> float:
    """The log-odds of a match; with `explain`, each step is appended to it as evidence (the
    one place the weights live: bulk scoring and the evidence cannot disagree)."""
    odds = PRIOR
    if explain is not None:
        explain.append(_step("prior", "", PRIOR, N_("prior odds of a match")))
    level = common_code_level(left_code, right_code)
    if level == 0:
        odds -= 4.0
        if explain is not None:
            explain.append(
                _step("code", f"{left_code}≠{right_code}", -4.0, N_("codes disagree (%(value)s)"))
            )
    elif level:
        weight = CODE_WEIGHTS.get(level, 0.5)
        odds += weight
        if explain is not None:
            explain.append(_step("code", str(level), weight, N_("codes agree to %(value)s digits")))
    shared = a.ids & b.ids
    conflict = bool(a.ids - b.ids and b.ids - a.ids)  # «Ду 18 Ру 13» is not «Ду 44 Ру 13»
    if shared and not conflict:
        odds += 4.0
        if explain is not None:
            names = ", ".join(sorted(shared))
            explain.append(_step("model", names, 4.0, N_("same model or size (%(value)s)")))
    elif conflict:
        odds -= 3.0
        if explain is not None:
            explain.append(_step("model", "", -3.0, N_("different models or sizes")))
    if text_score > 0:
        weight = round(6.0 * (text_score - 0.5), 3)
        odds += weight
        if explain is not None:
            explain.append(
                _step("text", f"{text_score:.2f}", weight, N_("name similarity %(value)s"))
            )
    if dense_score > 0:  # E5 cosines of unrelated names sit near 0.75, of one product near 0.9
        weight = round(20.0 * (dense_score - 0.85), 3)
        odds += weight
        if explain is not None:
            explain.append(
                _step("meaning", f"{dense_score:.2f}", weight, N_("meaning similarity %(value)s"))
            )
    if a.words and b.words:
        common = len(a.words & b.words)
        jaccard = common / len(a.words | b.words)
        weight = round(3.0 * (jaccard - 0.3), 3)
        odds += weight
        if explain is not None:
            explain.append(
                _step("words", f"{jaccard:.2f}", weight, N_("share of words in common %(value)s"))
            )
    if a.numbers and b.numbers:
        step = _numbers(a.numbers, b.numbers)
        odds += step.weight
        if explain is not None:
            explain.append(step)
    if units_compatible(left_unit, right_unit) is False:
        odds -= 1.0
        if explain is not None:
            explain.append(
                _step(
                    "unit",
                    f"{left_unit}/{right_unit}",
                    -1.0,
                    N_("units do not convert (%(value)s)"),
                )
            )
    return odds


def _numbers(left: frozenset[str], right: frozenset[str]) -> Step:
    """Sizes and ratings tell variants apart: 4 Гбит is not 8 Гбит, whatever else agrees."""
    if left == right:
        return _step("numbers", "same", 1.5, N_("the same numbers"))
    if left <= right or right <= left:
        return _step("numbers", "subset", -1.0, N_("one name gives fewer numbers"))
    return _step("numbers", "differ", -6.0, N_("different numbers (another size or rating)"))


def probability(steps: Sequence[Step]) -> float:
    odds = sum(step.weight for step in steps)
    return 1.0 / (1.0 + math.exp(-odds))


def score_candidates(
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord],
    pairs: Sequence[Candidate],
    thresholds: Thresholds | None = None,
    units: dict[tuple[str, int], str] | None = None,
    normals: Sides | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Scored]:
    """Every candidate pair with its probability, band and evidence (`progress` hears how many
    pairs are done every 2,000)."""
    limits = thresholds or Thresholds()
    prepared = _prepared(left, right, normals)
    codes = {("l", r.key): r.code for r in left} | {("r", r.key): r.code for r in right}
    unit_of = units or {}
    scored = []
    for index, pair in enumerate(pairs):
        if progress is not None and index % 2000 == 0:
            progress(index, len(pairs))
        steps: list[Step] = []
        odds = weigh(
            prepared[("l", pair.left)],
            prepared[("r", pair.right)],
            codes[("l", pair.left)],
            codes[("r", pair.right)],
            pair.text_score,
            pair.dense_score,
            unit_of.get(("left", pair.left)),
            unit_of.get(("right", pair.right)),
            steps,
        )
        p = _sigmoid(odds)
        scored.append(Scored(pair.left, pair.right, round(p, 4), limits.band(p), tuple(steps)))
    return scored


def score_probabilities(
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord],
    pairs: Sequence[Candidate],
    units: dict[tuple[str, int], str] | None = None,
    normals: Sides | None = None,
    processes: int = 1,
) -> np.ndarray:
    """The match probability of every pair, without evidence (for millions of pairs; the
    evidence of the pairs worth keeping comes from `score_candidates`)."""
    prepared = _prepared(left, right, normals)
    codes = {("l", r.key): r.code for r in left} | {("r", r.key): r.code for r in right}
    unit_of = units or {}

    def chunk(part: Sequence[Candidate]) -> list[float]:
        return [
            _sigmoid(
                weigh(
                    prepared[("l", p.left)],
                    prepared[("r", p.right)],
                    codes[("l", p.left)],
                    codes[("r", p.right)],
                    p.text_score,
                    p.dense_score,
                    unit_of.get(("left", p.left)),
                    unit_of.get(("right", p.right)),
                )
            )
            for p in part
        ]

    return np.asarray(map_chunks(chunk, pairs, processes), dtype=np.float32)


def _prepared(
    left: Sequence[MatchRecord], right: Sequence[MatchRecord], normals: Sides | None
) -> dict[tuple[str, int], Prepared]:
    empty: Normals = {}
    known_left, known_right = normals or (empty, empty)
    found = {("l", r.key): prepare(known_left.get(r.key) or r.name) for r in left}
    found.update({("r", r.key): prepare(known_right.get(r.key) or r.name) for r in right})
    return found


def _sigmoid(odds: float) -> float:
    return 1.0 / (1.0 + math.exp(-odds))
