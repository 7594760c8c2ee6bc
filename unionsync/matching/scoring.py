"""Scoring candidate pairs: features → a match probability with its evidence.

The default scorer needs no training: each feature adds a weight to the log-odds of a match,
as in Fellegi–Sunter record linkage (and Splink); every step is kept as evidence with a
sentence, so a reviewer sees why. A trained scorer (later in issue 5) replaces the weights.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numpy.typing import NDArray

from unionsync.core.messages import N_
from unionsync.matching.candidates import (
    Candidate,
    MatchRecord,
    Normals,
    Sides,
    common_code_level,
)
from unionsync.matching.linkage import Comparison, Weights, estimate, starting
from unionsync.matching.normalise import NormalName, normalise_name
from unionsync.matching.parallel import collector_paused, map_chunks
from unionsync.reference.units import convertible

if TYPE_CHECKING:
    from unionsync.nomenclature.bilingual import Lexicon

PRIOR = -4.0


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
    """What scoring compares of one name, as sets built once per record; with a lexicon, a
    Russian name also carries its words' English translations and an English name its stems."""

    ids: frozenset[str]
    words: frozenset[str]
    numbers: frozenset[str]
    translated: Mapping[str, float] = {}
    stems: frozenset[str] = frozenset()


def prepare(name: str | NormalName, lexicon: Lexicon | None = None) -> Prepared:
    normal = normalise_name(name) if isinstance(name, str) else name
    translated: Mapping[str, float] = {}
    stems: frozenset[str] = frozenset()
    if lexicon is not None:
        from unionsync.nomenclature.bilingual import english_words, is_russian

        russian = [w for w in normal.words if is_russian(w)]
        if russian:
            translated = lexicon.translate(russian)
        elif normal.words:
            stems = frozenset(english_words(" ".join(normal.words)))
    return Prepared(
        frozenset(identifiers(normal)),
        frozenset(normal.words),
        frozenset(normal.numbers),
        translated,
        stems,
    )


def translated_share(a: Prepared, b: Prepared) -> float | None:
    """Across languages, the share of the English name's words that translate a word of the
    Russian one (each counted up to its translation probability); None within one language."""
    russian, english = (a, b) if a.translated and b.stems else (b, a)
    if not (russian.translated and english.stems):
        return None
    found = sum(min(1.0, russian.translated.get(s, 0.0)) for s in english.stems)
    return found / len(english.stems)


def score_pair(
    left: MatchRecord,
    right: MatchRecord,
    text_score: float,
    left_unit: str | None = None,
    right_unit: str | None = None,
    dense_score: float = 0.0,
) -> list[Step]:
    """The evidence for one pair, each step with its weight (the hand-set weights: one pair
    is too few to learn from)."""
    levels, shown = compare(
        prepare(left.name),
        prepare(right.name),
        left.code,
        right.code,
        text_score,
        dense_score,
        left_unit,
        right_unit,
    )
    return explain(levels, shown, DEFAULT_WEIGHTS)


# The comparisons of a pair and their levels, with the weights once set by hand for Russian lists:
# matching runs use them as they are, and `linkage.estimate` refits m and u on a file of pairs.
CODE = Comparison(
    "code",
    ("10", "8", "6", "4", "2", "disagree"),
    weights=(3.0, 2.5, 2.0, 1.5, 0.5, -4.0),
    u=(0.02, 0.012, 0.02, 0.022, 0.09, 0.836),
)
MODEL = Comparison(
    "model", ("same", "different", "one side"), weights=(4.0, -3.0, 0.0), u=(0.01, 0.5, 0.49)
)
TEXT_LEVELS = (0.9, 0.8, 0.7, 0.6, 0.5, 0.4)
TEXT = Comparison(
    "text",
    ("≥0.9", "≥0.8", "≥0.7", "≥0.6", "≥0.5", "≥0.4", "<0.4"),
    weights=(2.4, 1.8, 1.2, 0.6, 0.0, -0.6, -1.5),
    u=(0.03, 0.04, 0.05, 0.09, 0.13, 0.2, 0.46),
)
DENSE_LEVELS = (0.93, 0.9, 0.87, 0.84)
DENSE = Comparison(
    "meaning",
    ("≥0.93", "≥0.90", "≥0.87", "≥0.84", "<0.84"),
    weights=(1.6, 1.0, 0.4, -0.2, -1.0),
    u=(0.01, 0.05, 0.14, 0.3, 0.5),
)
WORD_LEVELS = (0.8, 0.6, 0.4, 0.2)
WORDS = Comparison(
    "words",
    ("≥0.8", "≥0.6", "≥0.4", "≥0.2", "<0.2"),
    weights=(1.5, 0.9, 0.3, -0.3, -0.9),
    u=(0.02, 0.05, 0.13, 0.3, 0.5),
)
NUMBERS = Comparison(
    "numbers", ("same", "subset", "differ"), weights=(1.5, -1.0, -6.0), u=(0.16, 0.34, 0.5)
)
UNIT = Comparison("unit", ("convert", "do not convert"), weights=(0.0, -1.0), u=(0.92, 0.08))
# A Russian name against an English one: words compared through the lexicon learnt from the two
# nomenclatures (nomenclature/bilingual.py) instead of as written
TRANSLATED = Comparison(
    "translated",
    ("≥0.8", "≥0.6", "≥0.4", "≥0.2", "<0.2"),
    weights=(1.5, 0.9, 0.3, -0.3, -0.9),
    u=(0.02, 0.05, 0.13, 0.3, 0.5),
)
COMPARISONS = (CODE, MODEL, TEXT, DENSE, WORDS, NUMBERS, UNIT, TRANSLATED)
DEFAULT_WEIGHTS = starting(COMPARISONS, match_share=1.0 / (1.0 + math.exp(-PRIOR)))

_SENTENCES = {
    ("code", "disagree"): N_("codes disagree (%(value)s)"),
    ("code", None): N_("codes agree to %(value)s digits"),
    ("model", "same"): N_("same model or size (%(value)s)"),
    ("model", "different"): N_("different models or sizes"),
    ("model", "one side"): N_("only one name gives a model or size"),
    ("text", None): N_("name similarity %(value)s"),
    ("meaning", None): N_("meaning similarity %(value)s"),
    ("words", None): N_("share of words in common %(value)s"),
    ("translated", None): N_("share of words in common, translated %(value)s"),
    ("numbers", "same"): N_("the same numbers"),
    ("numbers", "subset"): N_("one name gives fewer numbers"),
    ("numbers", "differ"): N_("different numbers (another size or rating)"),
    ("unit", "convert"): N_("units convert (%(value)s)"),
    ("unit", "do not convert"): N_("units do not convert (%(value)s)"),
}


def _level(value: float, cuts: tuple[float, ...]) -> int:
    for index, cut in enumerate(cuts):
        if value >= cut:
            return index
    return len(cuts)


def compare(
    a: Prepared,
    b: Prepared,
    left_code: str | None,
    right_code: str | None,
    text_score: float,
    dense_score: float = 0.0,
    left_unit: str | None = None,
    right_unit: str | None = None,
    show: bool = True,
) -> tuple[list[int], list[str]]:
    """The level of each comparison (−1 where it cannot be made) and the value it shows (left
    empty without `show`: millions of pairs scored for their probability alone need none)."""
    levels = [-1] * len(COMPARISONS)
    shown = [""] * len(COMPARISONS)
    code = common_code_level(left_code, right_code)
    if code == 0:
        levels[0] = 5
        if show:
            shown[0] = f"{left_code}≠{right_code}"
    elif code:
        levels[0] = {10: 0, 8: 1, 6: 2, 4: 3}.get(code, 4)
        if show:
            shown[0] = str(code)
    if a.ids or b.ids:
        shared = a.ids & b.ids
        if a.ids - b.ids and b.ids - a.ids:  # «Ду 18 Ру 13» is not «Ду 44 Ру 13»
            levels[1] = 1
        elif shared:
            levels[1] = 0
            if show:
                shown[1] = ", ".join(sorted(shared))
        else:
            levels[1] = 2
    if text_score > 0:
        levels[2] = _level(text_score, TEXT_LEVELS)
        if show:
            shown[2] = f"{text_score:.2f}"
    if dense_score > 0:
        levels[3] = _level(dense_score, DENSE_LEVELS)
        if show:
            shown[3] = f"{dense_score:.2f}"
    across = translated_share(a, b)
    if across is not None:
        levels[7] = _level(across, WORD_LEVELS)
        if show:
            shown[7] = f"{across:.2f}"
    elif a.words and b.words:
        jaccard = len(a.words & b.words) / len(a.words | b.words)
        levels[4] = _level(jaccard, WORD_LEVELS)
        if show:
            shown[4] = f"{jaccard:.2f}"
    if a.numbers and b.numbers:
        if a.numbers == b.numbers:
            levels[5] = 0
        elif a.numbers <= b.numbers or b.numbers <= a.numbers:
            levels[5] = 1
        else:
            levels[5] = 2
    compatible = units_compatible(left_unit, right_unit)
    if compatible is not None:
        levels[6] = 0 if compatible else 1
        if show:
            shown[6] = f"{left_unit}/{right_unit}"
    return levels, shown


def explain(levels: Sequence[int], shown: Sequence[str], weights: Weights) -> list[Step]:
    """The evidence of one pair: the prior, then every comparison made, with its weight."""
    steps = [_step("prior", "", round(weights.prior, 3), N_("prior odds of a match"))]
    for k, (comparison, level) in enumerate(zip(weights.comparisons, levels, strict=True)):
        if level < 0:
            continue
        name = comparison.levels[level]
        template = _SENTENCES.get((comparison.name, name)) or _SENTENCES[(comparison.name, None)]
        steps.append(_step(comparison.name, shown[k], round(weights.weight(k, level), 3), template))
    return steps


def probability(steps: Sequence[Step]) -> float:
    odds = sum(step.weight for step in steps)
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, odds))))


def score_candidates(
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord],
    pairs: Sequence[Candidate],
    thresholds: Thresholds | None = None,
    units: dict[tuple[str, int], str] | None = None,
    normals: Sides | None = None,
    progress: Callable[[int, int], None] | None = None,
    weights: Weights | None = None,
    lexicon: Lexicon | None = None,
) -> list[Scored]:
    """Every candidate pair with its probability, band and evidence. The weights are learnt
    from these pairs (`linkage.estimate`) unless given; `progress` hears how many pairs are
    done every 2,000; with a lexicon, Russian and English names are compared through it."""
    limits = thresholds or Thresholds()
    levels, shown = _compared(left, right, pairs, units, normals, progress, lexicon=lexicon)
    fitted = weights or estimate(levels, DEFAULT_WEIGHTS)
    scored = []
    for index, pair in enumerate(pairs):
        steps = explain(levels[index].tolist(), shown[index], fitted)
        p = probability(steps)
        scored.append(Scored(pair.left, pair.right, round(p, 4), limits.band(p), tuple(steps)))
    return scored


def score_probabilities(
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord],
    pairs: Sequence[Candidate],
    units: dict[tuple[str, int], str] | None = None,
    normals: Sides | None = None,
    processes: int = 1,
    weights: Weights | None = None,
    lexicon: Lexicon | None = None,
) -> np.ndarray:
    """The match probability of every pair, without evidence (for millions of pairs; the
    evidence of the pairs worth keeping comes from `score_candidates`)."""
    levels = _levels(left, right, pairs, units, normals, processes, lexicon)
    fitted = weights or estimate(levels, DEFAULT_WEIGHTS)
    odds = np.clip(fitted.log_odds(levels), -60, 60)
    return np.asarray(1.0 / (1.0 + np.exp(-odds)), dtype=np.float32)


@collector_paused()
def _compared(
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord],
    pairs: Sequence[Candidate],
    units: dict[tuple[str, int], str] | None,
    normals: Sides | None,
    progress: Callable[[int, int], None] | None = None,
    processes: int = 1,
    lexicon: Lexicon | None = None,
) -> tuple[NDArray[np.int8], list[list[str]]]:
    """The comparison levels of every pair (pairs × comparisons, −1 missing) and the values
    the evidence shows."""
    prepared = _prepared(left, right, normals, lexicon)
    codes = {("l", r.key): r.code for r in left} | {("r", r.key): r.code for r in right}
    unit_of = units or {}

    def chunk(part: Sequence[Candidate]) -> list[tuple[list[int], list[str]]]:
        return [
            compare(
                prepared[("l", p.left)],
                prepared[("r", p.right)],
                codes[("l", p.left)],
                codes[("r", p.right)],
                p.text_score,
                p.dense_score,
                unit_of.get(("left", p.left)),
                unit_of.get(("right", p.right)),
            )
            for p in part
        ]

    if progress is None:
        found = map_chunks(chunk, pairs, processes)
    else:
        found = []
        for start in range(0, len(pairs), 2000):
            progress(start, len(pairs))
            found.extend(chunk(pairs[start : start + 2000]))
    levels = np.array([f[0] for f in found], dtype=np.int8).reshape(len(found), len(COMPARISONS))
    return levels, [f[1] for f in found]


@collector_paused()
def _levels(
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord],
    pairs: Sequence[Candidate],
    units: dict[tuple[str, int], str] | None,
    normals: Sides | None,
    processes: int,
    lexicon: Lexicon | None,
) -> NDArray[np.int8]:
    """The comparison levels of every pair alone (as `_compared`'s), each worker's share sent
    back as one small array: the values shown, as Python lists for millions of pairs, took
    most of the scoring's time and gigabytes of memory to build and to carry back."""
    empty: Normals = {}
    known_left, known_right = normals or (empty, empty)
    left_of = {r.key: r for r in left}
    right_of = {r.key: r for r in right}
    unit_of = units or {}

    def chunk(part: Sequence[Candidate]) -> list[NDArray[np.int8]]:
        # each worker prepares the records its pairs name, once each (not all of them first)
        ready_left: dict[int, Prepared] = {}
        ready_right: dict[int, Prepared] = {}
        found = np.empty((len(part), len(COMPARISONS)), dtype=np.int8)
        for row, p in enumerate(part):
            a, b = left_of[p.left], right_of[p.right]
            mine = ready_left.get(p.left)
            if mine is None:
                mine = ready_left[p.left] = prepare(known_left.get(p.left) or a.name, lexicon)
            theirs = ready_right.get(p.right)
            if theirs is None:
                theirs = ready_right[p.right] = prepare(known_right.get(p.right) or b.name, lexicon)
            found[row] = compare(
                mine,
                theirs,
                a.code,
                b.code,
                p.text_score,
                p.dense_score,
                unit_of.get(("left", p.left)),
                unit_of.get(("right", p.right)),
                show=False,
            )[0]
        return [found]

    parts = map_chunks(chunk, pairs, processes)
    if not parts:
        return np.empty((0, len(COMPARISONS)), dtype=np.int8)
    return np.concatenate(parts)


def _prepared(
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord],
    normals: Sides | None,
    lexicon: Lexicon | None = None,
) -> dict[tuple[str, int], Prepared]:
    empty: Normals = {}
    known_left, known_right = normals or (empty, empty)
    found = {("l", r.key): prepare(known_left.get(r.key) or r.name, lexicon) for r in left}
    found.update({("r", r.key): prepare(known_right.get(r.key) or r.name, lexicon) for r in right})
    return found
