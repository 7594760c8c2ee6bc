"""Sentence vectors of record names, computed once per distinct name and kept on disk.

The embedding model is the slow part of matching (about 12 ms a name on this box), so it must not
be on the path of a re-run: the store keeps one vector per distinct text (keyed by its SHA-1),
adds only the texts it has not seen, and saves atomically. A re-upload of the same catalogue, or a
new program version that changes ten lines, embeds ten names.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from unionsync.nomenclature.suggest import Embedder

if TYPE_CHECKING:
    from distributed import Client

Matrix = NDArray[np.float32]


def _embed(embedder: Embedder, texts: list[str]) -> Matrix:
    """One batch, on whichever process runs it (a cluster worker loads its own model)."""
    return np.asarray(embedder.passages(texts), dtype=np.float32)


def text_key(text: str) -> str:
    """Hex, not raw bytes: numpy's fixed-width byte strings drop trailing zero bytes."""
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


class VectorStore:
    """Vectors of texts by the texts' hashes, in one `.npz` file per embedding model."""

    def __init__(self, embedder: Embedder, directory: Path | None) -> None:
        self.embedder = embedder
        self.path = directory / f"{embedder.name}-names.npz" if directory else None
        self._index: dict[str, int] = {}
        self._vectors: Matrix = np.zeros((0, 0), dtype=np.float32)
        if self.path is not None and self.path.exists():
            with np.load(self.path) as saved:
                keys = saved["keys"]
                self._vectors = saved["vectors"].astype(np.float32)
            self._index = {str(k): i for i, k in enumerate(keys)}

    def __len__(self) -> int:
        return len(self._index)

    def has(self, texts: Sequence[str]) -> bool:
        """Whether every text is embedded already (a page must not wait minutes for it)."""
        return all(text_key(t) in self._index for t in texts)

    def vectors(
        self,
        texts: Sequence[str],
        batch: int = 64,
        progress: Callable[[int, int], None] | None = None,
        client: Client | None = None,
    ) -> Matrix:
        """One normalised vector per text (rows in the order given); new texts are embedded,
        batch by batch on a Dask cluster when a client is given (the same batches, so the
        same vectors)."""
        keys = [text_key(t) for t in texts]
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in self._index and key not in missing:
                missing[key] = text
        if missing:
            todo = list(missing.items())
            chunks = [
                [text for _key, text in todo[start : start + batch]]
                for start in range(0, len(todo), batch)
            ]
            fresh = np.vstack(self._embed_all(chunks, len(todo), progress, client))
            base = len(self._index)
            self._vectors = fresh if base == 0 else np.vstack([self._vectors, fresh])
            for offset, (key, _text) in enumerate(todo):
                self._index[key] = base + offset
            self._save()
        if not keys:
            return np.zeros((0, self._vectors.shape[1] if self._vectors.size else 0), np.float32)
        return self._vectors[[self._index[k] for k in keys]]

    def _embed_all(
        self,
        chunks: list[list[str]],
        total: int,
        progress: Callable[[int, int], None] | None,
        client: Client | None,
    ) -> list[Matrix]:
        if client is None:
            parts = []
            for chunk in chunks:
                parts.append(_embed(self.embedder, chunk))
                if progress:
                    progress(sum(len(p) for p in parts), total)
            return parts
        from unionsync.core.cluster import gather

        futures = [client.submit(_embed, self.embedder, chunk, pure=False) for chunk in chunks]
        return gather(client, futures, [len(chunk) for chunk in chunks], progress)

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.empty(len(self._index), dtype="U40")
        for key, row in self._index.items():
            keys[row] = key
        partial = self.path.with_suffix(".tmp.npz")
        np.savez(partial, keys=keys, vectors=self._vectors)
        os.replace(partial, self.path)
