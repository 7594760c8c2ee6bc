"""Numeric features of a pair of records, the input of the trained scorer.

The default scorer turns evidence into weights set by hand; the trained one learns how much each
feature counts from labelled pairs. Both see the same normalised names, so the features are the
evidence steps in numeric form plus string similarities that are cheap to compute in bulk
(rapidfuzz) and similarities of n-gram and word TF-IDF vectors fitted on the texts at hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz

from unionsync.matching.candidates import MatchRecord, common_code_level
from unionsync.matching.normalise import NormalName, normalise_name
from unionsync.matching.scoring import score_pair, units_compatible
from unionsync.matching.vectors import VectorStore

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

FEATURES = (
    "char_tfidf",
    "word_tfidf",
    "token_set",
    "token_sort",
    "partial",
    "word_jaccard",
    "models_shared",
    "models_conflict",
    "models_one_side",
    "numbers_same",
    "numbers_subset",
    "numbers_differ",
    "code_level",
    "code_disagree",
    "code_missing",
    "unit_conflict",
    "length_ratio",
    "default_log_odds",
    "rare_shared",
    "rare_only_one",
    "rare_only_other",
    "embedding",
)


@dataclass(frozen=True, slots=True)
class PairRecord:
    """What the features need from one side of a pair."""

    name: str
    code: str | None = None
    unit: str | None = None


def _cosines(left: Sequence[str], right: Sequence[str], vectoriser: TfidfVectorizer) -> np.ndarray:
    matrix = vectoriser.fit_transform([*left, *right])
    a, b = matrix[: len(left)], matrix[len(left) :]
    return np.asarray(a.multiply(b).sum(axis=1)).ravel()


def char_cosines(left: Sequence[str], right: Sequence[str]) -> np.ndarray:
    """Character 2–4-gram TF-IDF cosine of each pair of texts (fitted on the texts at hand)."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # slow to import: on first use

    return _cosines(
        left, right, TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    )


def pair_features(
    left: Sequence[PairRecord],
    right: Sequence[PairRecord],
    text_scores: np.ndarray | None = None,
    embedding: np.ndarray | None = None,
) -> np.ndarray:
    """A (pairs × FEATURES) float32 matrix; `text_scores` reuses the candidate stage's cosines,
    `embedding` gives the pairs' sentence-vector cosines (absent: a constant 0 column, so a model
    trained without vectors is used without them)."""
    normal_left = [normalise_name(r.name) for r in left]
    normal_right = [normalise_name(r.name) for r in right]
    text_left = [n.text for n in normal_left]
    text_right = [n.text for n in normal_right]
    char = text_scores if text_scores is not None else char_cosines(text_left, text_right)
    from sklearn.feature_extraction.text import TfidfVectorizer

    words = TfidfVectorizer(analyzer="word", token_pattern=r"\S+", sublinear_tf=True)
    word = _cosines(text_left, text_right, words)
    idf = dict(zip(words.get_feature_names_out(), words.idf_ / words.idf_.max(), strict=True))
    rows = np.zeros((len(left), len(FEATURES)), dtype=np.float32)
    for index, (a, b) in enumerate(zip(left, right, strict=True)):
        na, nb = normal_left[index], normal_right[index]
        rows[index, :-4] = _one(a, b, na, nb, float(char[index]), float(word[index]))
        rows[index, -4:-1] = _rarity(
            set(text_left[index].split()), set(text_right[index].split()), idf
        )
    rows[:, -1] = 0.0 if embedding is None else embedding
    return rows


def _rarity(a: set[str], b: set[str], idf: dict[str, float]) -> tuple[float, float, float]:
    """How rare the rarest shared word is, and the rarest word found on one side only: a rare
    word in common ("dreamweaver") says match, a rare word alone ("upgrade") says another
    product."""

    def rarest(words: set[str]) -> float:
        return max((idf.get(w, 1.0) for w in words), default=0.0)

    only_a, only_b = rarest(a - b), rarest(b - a)
    return rarest(a & b), max(only_a, only_b), min(only_a, only_b)


def embedding_cosines(store: VectorStore, left: Sequence[str], right: Sequence[str]) -> np.ndarray:
    """Cosine of each pair's name vectors (the vectors are normalised: a dot product)."""
    a, b = store.vectors(left), store.vectors(right)
    return np.asarray(np.einsum("ij,ij->i", a, b), dtype=np.float32)


def _one(
    a: PairRecord, b: PairRecord, na: NormalName, nb: NormalName, char: float, word: float
) -> list[float]:
    ta, tb = na.text, nb.text
    words_a, words_b = set(na.words), set(nb.words)
    union = words_a | words_b
    models_a, models_b = set(na.models), set(nb.models)
    numbers_a, numbers_b = set(na.numbers), set(nb.numbers)
    level = common_code_level(a.code, b.code)
    compatible = units_compatible(a.unit, b.unit)
    steps = score_pair(MatchRecord(0, a.name, a.code), MatchRecord(1, b.name, b.code), char)
    odds = sum(step.weight for step in steps)
    both_numbers = bool(numbers_a and numbers_b)
    nested = numbers_a <= numbers_b or numbers_b <= numbers_a
    return [
        char,
        word,
        fuzz.token_set_ratio(ta, tb) / 100,
        fuzz.token_sort_ratio(ta, tb) / 100,
        fuzz.partial_ratio(ta, tb) / 100,
        len(words_a & words_b) / len(union) if union else 0.0,
        float(len(models_a & models_b)),
        float(bool(models_a and models_b and not models_a & models_b)),
        float(bool(models_a) != bool(models_b)),
        float(both_numbers and numbers_a == numbers_b),
        float(both_numbers and numbers_a != numbers_b and nested),
        float(both_numbers and not nested),
        float(level or 0),
        float(level == 0),
        float(level is None),
        float(compatible is False),
        min(len(ta), len(tb)) / max(len(ta), len(tb), 1),
        odds,
    ]
