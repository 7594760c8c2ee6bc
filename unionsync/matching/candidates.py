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
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from unionsync.matching.normalise import NormalName, normalise_name
from unionsync.matching.parallel import collector_paused, map_chunks
from unionsync.nomenclature.codes import LEVELS

if TYPE_CHECKING:
    from scipy import sparse
    from sklearn.feature_extraction.text import HashingVectorizer


def common_code_level(left: str | None, right: str | None) -> int | None:
    """The level at which the codes agree (None if either is missing; 0 if they disagree)."""
    if not left or not right:
        return None
    depth = min(len(left), len(right))
    return depth if left[:depth] == right[:depth] else 0


@dataclass(frozen=True, slots=True)
class MatchRecord:
    """One side of a pair: a program item or a capability, as matching sees it."""

    key: int
    name: str
    code: str | None = None


class Candidate(NamedTuple):
    """A pair worth scoring (a named tuple: millions are made at scale)."""

    left: int
    right: int
    text_score: float
    dense_score: float = 0.0


Normals = dict[int, NormalName]  # one side's records by key (the two sides' keys may overlap)
Sides = tuple[Normals, Normals]


def _normalise_chunk(names: Sequence[str]) -> list[NormalName]:
    return [normalise_name(name) for name in names]


@collector_paused()
def normalise_records(records: Sequence[MatchRecord], processes: int = 1) -> Normals:
    """Every record's normalised name, computed once per distinct name (in `processes`
    processes): catalogues repeat names, a million lines hold about 600,000 distinct ones."""
    names = list(dict.fromkeys(r.name for r in records))
    normal = dict(zip(names, map_chunks(_normalise_chunk, names, processes), strict=True))
    return {r.key: normal[r.name] for r in records}


def code_blocks(
    left: Sequence[MatchRecord], right: Sequence[MatchRecord], limit: int | None = None
) -> dict[int, set[int] | None]:
    """Right keys sharing each left record's code at the deepest level both have; None for a
    block wider than `limit` (a bare chapter code), which is only used to rule pairs out."""
    return _code_lookup(left, _code_index(right), limit)


CodeIndex = tuple[dict[str, list[int]], dict[str, list[int]]]


def _code_index(right: Sequence[MatchRecord]) -> CodeIndex:
    """Right keys by code prefix, and by the code as given."""
    deeper: dict[str, list[int]] = defaultdict(list)  # prefix → right keys with that prefix
    exact: dict[str, list[int]] = defaultdict(list)  # code → right keys given at that level
    for record in right:
        if record.code:
            exact[record.code].append(record.key)
            for level in LEVELS:
                if level <= len(record.code):
                    deeper[record.code[:level]].append(record.key)
    return deeper, exact


def _code_lookup(
    left: Sequence[MatchRecord], index: CodeIndex, limit: int | None
) -> dict[int, set[int] | None]:
    blocks: dict[int, set[int] | None] = {}
    for record in left:
        if not record.code:
            continue
        parts = code_parts(record.code, index)
        if limit is not None and sum(len(p) for p in parts) > limit:
            blocks[record.key] = None
            continue
        blocks[record.key] = {key for part in parts for key in part}
    return blocks


def code_parts(code: str, index: CodeIndex) -> list[list[int]]:
    """The right keys of a code's block: those as deep or deeper, and those given at each
    shorter level of it (their sizes add up: a key is in one part only)."""
    deeper, exact = index
    parts = [deeper.get(code, [])]
    parts += [exact.get(code[:level], []) for level in LEVELS if level < len(code)]
    return parts


def block_keys(name: str | NormalName) -> set[str]:
    """What two names of one product share exactly, whatever else differs: a model, size or
    standard token, or the first word with the numbers (ratings and sizes written as numbers,
    «Кормосмеситель 67 м³»), or two or more numbers on their own («ДАФ 14:13:1»)."""
    normal = normalise_name(name) if isinstance(name, str) else name
    keys = set(normal.models)
    if len(keys) >= 2:  # «Ду 298 Ру 24»: each alone is common, together they name the product
        keys.add("+".join(sorted(keys)))
    if normal.numbers:
        numbers = "|".join(sorted(set(normal.numbers)))
        if normal.words:
            keys.add(f"#{normal.words[0]}|{numbers}")
        if len(set(normal.numbers)) >= 2:
            keys.add(f"#|{numbers}")
    return keys


def model_blocks(
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord],
    limit: int = 200,
    normals: Sides | None = None,
) -> dict[int, set[int]]:
    """Right keys sharing a block key with each left record (`6205-2RS` finds "Deep groove ball
    bearing 6205 2RS" in any language); keys shared by more than `limit` right records say
    too little and are left out."""
    empty: Normals = {}
    known_left, known_right = normals or (empty, empty)
    return _model_lookup(left, _token_index(right, known_right), limit, known_left)


def _token_index(right: Sequence[MatchRecord], known_right: Normals) -> dict[str, set[int]]:
    by_token: dict[str, set[int]] = defaultdict(set)
    for record in right:
        for token in block_keys(known_right.get(record.key) or record.name):
            by_token[token].add(record.key)
    return by_token


def _model_lookup(
    left: Sequence[MatchRecord], by_token: dict[str, set[int]], limit: int, known_left: Normals
) -> dict[int, set[int]]:
    blocks: dict[int, set[int]] = {}
    for record in left:
        found: set[int] = set()
        for token in block_keys(known_left.get(record.key) or record.name):
            block = by_token.get(token, set())
            if len(block) <= limit:
                found |= block
        if found:
            blocks[record.key] = found
    return blocks


def _hash_chunk(texts: Sequence[str]) -> list[sparse.csr_matrix]:
    return [_hasher().transform(texts).tocsr()]


@cache
def _hasher() -> HashingVectorizer:
    """The n-gram hasher, made on first use: scikit-learn takes a second to import, and most
    commands and pages that import this module never match."""
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 4),
        n_features=2**21,
        alternate_sign=False,
        norm=None,
        dtype=np.float32,
    )


class TextIndex:
    """Character n-gram TF-IDF vectors of the normalised names of both sides (document
    frequencies from the right side): nearest neighbours by chunked sparse products, and the
    cosine of any pair. The n-grams are hashed, so the analysis runs in several processes."""

    def __init__(
        self,
        left: Sequence[MatchRecord],
        right: Sequence[MatchRecord],
        normals: Sides | None = None,
        processes: int = 1,
    ) -> None:

        known_left, known_right = normals or (
            normalise_records(left, processes),
            normalise_records(right, processes),
        )
        side = TextIndex.right_side(right, known_right, processes)
        self.weights, self.right, self.right_t, self.right_keys = side
        left_counts = self._counts([known_left[r.key].text for r in left], processes)
        self.left = self._tfidf(left_counts, self.weights)
        self.left_keys = [r.key for r in left]

    @staticmethod
    def right_side(
        right: Sequence[MatchRecord], known_right: Normals, processes: int = 1
    ) -> tuple[sparse.dia_matrix, sparse.csr_matrix, sparse.csr_matrix, list[int]]:
        """The catalogue's part of the index (n-gram weights, vectors, transposed), which does
        not depend on the left side: built once per catalogue."""

        right_counts = TextIndex._counts([known_right[r.key].text for r in right], processes)
        weights = TextIndex.weights_of(TextIndex.frequency(right_counts), len(right))
        vectors = TextIndex._tfidf(right_counts, weights)
        # transposed as CSR: a CSR × CSC product converts the right operand on every chunk
        return weights, vectors, vectors.T.tocsr(), [r.key for r in right]

    @staticmethod
    def frequency(counts: sparse.csr_matrix) -> np.ndarray:
        """In how many names each n-gram occurs (parts of a catalogue add up)."""
        return np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.int64)

    @staticmethod
    def weights_of(frequency: np.ndarray, names: int) -> sparse.dia_matrix:
        """The n-gram weights (IDF) of a catalogue of `names` names."""
        from scipy import sparse

        # n-grams found in very many names («ный », « под») link everything to everything and
        # make the products dense; those in more than 0.5 % of the names (and more than 200)
        # are left out: at 10^5 names this makes the product 240 times sparser
        idf = np.log((1 + names) / (1 + frequency)) + 1
        idf[frequency > max(int(0.005 * names), 200)] = 0.0
        idf[frequency == 0] = 0.0  # an n-gram no right name has cannot link
        return sparse.diags(idf.astype(np.float32))

    @classmethod
    def built(
        cls,
        left: Sequence[MatchRecord],
        known_left: Normals,
        side: tuple[sparse.dia_matrix, sparse.csr_matrix, sparse.csr_matrix, list[int]],
        processes: int = 1,
    ) -> TextIndex:
        """The index of `left` against a catalogue side built before."""
        index = cls.__new__(cls)
        index.weights, index.right, index.right_t, index.right_keys = side
        index.left = cls._tfidf(
            cls._counts([known_left[r.key].text for r in left], processes), index.weights
        )
        index.left_keys = [r.key for r in left]
        return index

    @staticmethod
    def _counts(texts: list[str], processes: int) -> sparse.csr_matrix:
        """n-gram counts of each text, analysed once per distinct text."""
        from scipy import sparse

        distinct = list(dict.fromkeys(texts))
        parts = map_chunks(_hash_chunk, distinct, processes)
        if not parts:
            return sparse.csr_matrix((0, _hasher().n_features), dtype=np.float32)
        row = {text: i for i, text in enumerate(distinct)}
        return sparse.vstack(parts).tocsr()[[row[t] for t in texts]]

    @staticmethod
    def _tfidf(counts: sparse.csr_matrix, weights: sparse.dia_matrix) -> sparse.csr_matrix:
        from sklearn.preprocessing import normalize

        tf = counts.copy()
        tf.data = 1 + np.log(tf.data)  # sublinear term frequency
        weighted = (tf @ weights).tocsr()
        weighted.eliminate_zeros()
        return normalize(weighted).astype(np.float32)

    def neighbours(
        self, top: int, rows: range | None = None, chunk: int | None = None
    ) -> dict[int, list[tuple[int, float]]]:
        """The `top` most similar right records of each left record (of `rows`, or all), a
        chunk of left records at a time (by default as many as keep the chunk's product with
        the catalogue within `PRODUCT_CELLS`)."""
        right_t = self.right_t
        found: dict[int, list[tuple[int, float]]] = {}
        span = rows if rows is not None else range(self.left.shape[0])
        chunk = chunk or max(1, min(2000, PRODUCT_CELLS // max(1, right_t.shape[1])))
        for start in range(span.start, span.stop, chunk):
            product = (self.left[start : min(start + chunk, span.stop)] @ right_t).tocsr()
            pointers, columns, data = product.indptr, product.indices, product.data
            for offset in range(product.shape[0]):
                key = self.left_keys[start + offset]
                begin, end = pointers[offset], pointers[offset + 1]
                if begin == end:
                    found[key] = []
                    continue
                found[key] = [
                    (self.right_keys[int(column)], value)
                    for column, value in best_columns(data[begin:end], columns[begin:end], top)
                ]
        return found

    def cosines(self, left_rows: np.ndarray, right_rows: np.ndarray) -> np.ndarray:
        """The cosine of each (left row, right row) pair, computed row-wise in bulk."""
        if len(left_rows) == 0:
            return np.zeros(0, dtype=np.float32)
        products = self.left[left_rows].multiply(self.right[right_rows])
        return np.asarray(products.sum(axis=1), dtype=np.float32).ravel()


# Left lines × catalogue lines of one chunk's n-gram product: the product holds a fair share of
# the catalogue for each line, so its memory grows with the catalogue; 2,000 lines at 1M catalogue
# lines, 400 at a 5M-line part of a catalogue split across workers (where 2,000 lines made a
# product of several GB next to the part)
PRODUCT_CELLS = 2_000_000_000


def best_columns(values: np.ndarray, columns: np.ndarray, top: int) -> list[tuple[int, float]]:
    """The `top` (column, value) of the largest values, ties broken by the lower column, so
    that the choice does not depend on how the columns were split (a catalogue in parts)."""
    k = min(top, len(values))
    if len(values) > k:
        kth = np.partition(values, len(values) - k)[len(values) - k]
        pool = np.flatnonzero(values >= kth)  # the k largest and every value tied with them
    else:
        pool = np.arange(len(values))
    order = pool[np.lexsort((columns[pool], -values[pool]))][:k]
    return [(int(columns[i]), float(values[i])) for i in order]


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


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The right side's part of candidate generation, which no left record changes: built once
    and used for every shard of demand lines matched against it (on a cluster worker)."""

    normals: Normals
    codes_index: CodeIndex
    tokens: dict[str, set[int]]
    text: tuple[sparse.dia_matrix, sparse.csr_matrix, sparse.csr_matrix, list[int]]
    codes: dict[int, str | None]
    rows: dict[int, int]

    @classmethod
    @collector_paused()
    def build(
        cls, right: Sequence[MatchRecord], processes: int = 1, normals: Normals | None = None
    ) -> Catalogue:
        known = normals or normalise_records(right, processes)
        return cls(
            known,
            _code_index(right),
            _token_index(right, known),
            TextIndex.right_side(right, known, processes),
            {r.key: r.code for r in right},
            {r.key: i for i, r in enumerate(right)},
        )


@collector_paused()
def candidates(
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord],
    top: int = 20,
    block_limit: int = 200,
    vectors: tuple[np.ndarray, np.ndarray] | None = None,
    processes: int = 1,
    normals: Sides | None = None,
    catalogue: Catalogue | None = None,
) -> list[Candidate]:
    """The union of code and model blocks (kept when small enough to score), text neighbours
    and, when vectors are given, sentence-vector neighbours; `catalogue`, built before from
    `right`, saves building the right side's part again."""
    known_left = normals[0] if normals else normalise_records(left, processes)
    side = catalogue or Catalogue.build(right, processes, normals[1] if normals else None)
    blocks = _code_lookup(left, side.codes_index, block_limit)
    models = _model_lookup(left, side.tokens, block_limit, known_left)
    index = TextIndex.built(left, known_left, side.text, processes)
    dense = dense_neighbours(left, right, *vectors, top=top // 2 or 1) if vectors else {}
    codes = side.codes
    right_row = side.rows

    def assemble(rows: Sequence[int]) -> list[Candidate]:
        """The candidates of a run of consecutive left records (one worker's share)."""
        if not rows:
            return []
        texts = index.neighbours(top, range(rows[0], rows[-1] + 1))
        found: list[tuple[int, int, float, float]] = []  # left row, right key, text, meaning
        for row in rows:
            record = left[row]
            scored = dict(texts.get(record.key, []))
            near = dict(dense.get(record.key, []))
            block = blocks.get(record.key, set())
            keys = set(scored) | set(near)
            keys |= models.get(record.key, set())
            if block is not None:
                keys |= block
            for key in sorted(keys):
                level = common_code_level(record.code, codes.get(key))
                if block is None and level == 0:
                    continue  # a wide block (a bare chapter code): a disagreeing code
                found.append((row, key, scored.get(key, -1.0), near.get(key, 0.0)))
        # pairs proposed by a block have no text score yet: every pair is scored on its names
        unscored = [i for i, f in enumerate(found) if f[2] < 0]
        values = index.cosines(
            np.array([found[i][0] for i in unscored], dtype=np.int64),
            np.array([right_row[found[i][1]] for i in unscored], dtype=np.int64),
        ).tolist()
        text = [f[2] for f in found]
        for i, value in zip(unscored, values, strict=True):
            text[i] = value
        return [
            Candidate(left[row].key, key, score, meaning)
            for (row, key, _, meaning), score in zip(found, text, strict=True)
        ]

    pairs = map_chunks(assemble, range(len(left)), processes)
    return pairs
