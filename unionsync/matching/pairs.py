"""Scoring given pairs of names (files of pairs, benchmark sets), with the same scorer."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from unionsync.matching.candidates import MatchRecord
from unionsync.matching.normalise import normalise_name
from unionsync.matching.scoring import Scored, Thresholds, probability, score_pair

_DITTO_FIELD = re.compile(r"COL (\S+) VAL (.*?)(?= COL |$)")


@dataclass(frozen=True, slots=True)
class NamePair:
    left_name: str
    right_name: str
    left_code: str | None = None
    right_code: str | None = None
    label: int | None = None


def text_similarities(pairs: Sequence[NamePair]) -> np.ndarray:
    """Character n-gram TF-IDF cosine of each pair's normalised names."""
    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    texts = [normalise_name(p.left_name).text for p in pairs]
    texts += [normalise_name(p.right_name).text for p in pairs]
    matrix = vectoriser.fit_transform(texts)
    left, right = matrix[: len(pairs)], matrix[len(pairs) :]
    return np.asarray(left.multiply(right).sum(axis=1)).ravel()


def score_pairs(pairs: Sequence[NamePair], thresholds: Thresholds | None = None) -> list[Scored]:
    """Every pair scored by the default scorer, with its band and evidence."""
    limits = thresholds or Thresholds()
    similarities = text_similarities(pairs)
    scored = []
    for index, (pair, similarity) in enumerate(zip(pairs, similarities, strict=True)):
        steps = score_pair(
            MatchRecord(index, pair.left_name, pair.left_code),
            MatchRecord(index, pair.right_name, pair.right_code),
            float(similarity),
        )
        p = probability(steps)
        scored.append(Scored(index, index, round(p, 4), limits.band(p), tuple(steps)))
    return scored


def parse_ditto(line: str, fields: Sequence[str]) -> NamePair:
    """One line of a DeepMatcher/Ditto file: `left<TAB>right<TAB>label`, each side serialised
    as `COL attr VAL value …`; the name is the listed attributes joined."""
    left, right, label = line.rstrip("\n").split("\t")

    def name(side: str) -> str:
        values = dict(_DITTO_FIELD.findall(side))
        return " ".join(values.get(f, "").strip() for f in fields if values.get(f, "").strip())

    return NamePair(name(left), name(right), label=int(label))
