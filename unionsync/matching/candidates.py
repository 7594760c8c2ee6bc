"""Candidate pairs for matching: blocking by code and by model token, and n-gram TF-IDF top-k.

Scoring every demand line against every catalogue line is out of the question at scale, so
this stage proposes, for each left record, a short list of right records worth scoring:
- by code, when both have one, compared at the deepest level both were given at (a 10-digit
  item and a 4-digit capability agree when the 4 digits do); «из» entries count as given;
- by model, size or standard token shared (6205-2RS, М10х50, ГОСТ 8338-75), in any language;
- by text, the `top` most similar right names under character n-gram TF-IDF of the
  normalised names (abbreviations, look-alikes and model tokens already folded).
The recall of this stage bounds the recall of matching, so it is measured (see the tests).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from unionsync.matching.normalise import normalise_name
from unionsync.nomenclature.codes import LEVELS


@dataclass(frozen=True, slots=True)
class MatchRecord:
    """One side of a pair: a program item or a capability, as matching sees it."""

    key: int
    name: str
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    left: int
    right: int
    by_code: bool
    text_score: float
    dense_score: float = 0.0


def code_blocks(left: Sequence[MatchRecord], right: Sequence[MatchRecord]) -> dict[int, set[int]]:
    """Right keys sharing each left record's code at the deepest level both have."""
    by_prefix: dict[str, list[MatchRecord]] = defaultdict(list)
    for record in right:
        if record.code:
            for level in LEVELS:
                if level <= len(record.code):
                    by_prefix[record.code[:level]].append(record)
    blocks: dict[int, set[int]] = {}
    for record in left:
        if not record.code:
            continue
        found = {r.key for r in by_prefix.get(record.code, ())}  # right as deep or deeper
        for level in LEVELS:  # right given shallower than left
            if level < len(record.code):
                found |= {
                    r.key
                    for r in by_prefix.get(record.code[:level], ())
                    if r.code is not None and len(r.code) == level
                }
        blocks[record.key] = found
    return blocks


def model_blocks(left: Sequence[MatchRecord], right: Sequence[MatchRecord]) -> dict[int, set[int]]:
    """Right keys sharing a model, size or standard token with each left record
    (`6205-2RS` finds "Deep groove ball bearing 6205 2RS" in any language)."""
    by_token: dict[str, set[int]] = defaultdict(set)
    for record in right:
        for token in normalise_name(record.name).models:
            by_token[token].add(record.key)
    blocks: dict[int, set[int]] = {}
    for record in left:
        found: set[int] = set()
        for token in normalise_name(record.name).models:
            found |= by_token.get(token, set())
        if found:
            blocks[record.key] = found
    return blocks


def text_neighbours(
    left: Sequence[MatchRecord], right: Sequence[MatchRecord], top: int, chunk: int = 2000
) -> dict[int, list[tuple[int, float]]]:
    """The `top` most similar right records of each left record (chunked sparse products)."""
    vectoriser = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, dtype=np.float32
    )
    right_matrix = vectoriser.fit_transform([normalise_name(r.name).text for r in right])
    left_matrix = vectoriser.transform([normalise_name(r.name).text for r in left])
    right_t = right_matrix.T.tocsc()
    neighbours: dict[int, list[tuple[int, float]]] = {}
    for start in range(0, len(left), chunk):
        product = (left_matrix[start : start + chunk] @ right_t).tocsr()
        for offset in range(product.shape[0]):
            row = product.getrow(offset)
            if row.nnz == 0:
                neighbours[left[start + offset].key] = []
                continue
            k = min(top, row.nnz)
            best = np.argpartition(-row.data, k - 1)[:k]
            ranked = sorted(
                zip(row.indices[best], row.data[best], strict=True), key=lambda pair: -pair[1]
            )
            neighbours[left[start + offset].key] = [
                (right[int(i)].key, float(score)) for i, score in ranked
            ]
    return neighbours


def dense_neighbours(
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord],
    left_vectors: np.ndarray,
    right_vectors: np.ndarray,
    top: int,
) -> dict[int, list[tuple[int, float]]]:
    """The `top` right records nearest in sentence-vector space (cross-language names and
    synonyms that share no letters): exact inner-product search in faiss."""
    import faiss

    if not right or not left:
        return {}
    index = faiss.IndexFlatIP(right_vectors.shape[1])
    index.add(np.ascontiguousarray(right_vectors, dtype=np.float32))
    scores, rows = index.search(
        np.ascontiguousarray(left_vectors, dtype=np.float32), min(top, len(right))
    )
    return {
        record.key: [
            (right[int(r)].key, float(v)) for r, v in zip(rows[i], scores[i], strict=True) if r >= 0
        ]
        for i, record in enumerate(left)
    }


def candidates(
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord],
    top: int = 20,
    block_limit: int = 200,
    vectors: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[Candidate]:
    """The union of code and model blocks (kept when small enough to score), text neighbours
    and, when vectors are given, sentence-vector neighbours."""
    blocks = code_blocks(left, right)
    models = model_blocks(left, right)
    texts = text_neighbours(left, right, top)
    dense = dense_neighbours(left, right, *vectors, top=top // 2 or 1) if vectors else {}
    pairs: list[Candidate] = []
    for record in left:
        scored = dict(texts.get(record.key, []))
        near = dict(dense.get(record.key, []))
        block = blocks.get(record.key, set())
        keys = set(scored) | set(near)
        same_model = models.get(record.key, set())
        if len(same_model) <= block_limit:
            keys |= same_model
        if 0 < len(block) <= block_limit:
            keys |= block
        elif block:  # a wide block (a bare chapter code): keep only its text neighbours
            keys = {k for k in keys if k in block} or keys
        for key in keys:
            pairs.append(
                Candidate(record.key, key, key in block, scored.get(key, 0.0), near.get(key, 0.0))
            )
    return pairs
