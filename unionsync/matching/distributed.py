"""Matching on a Dask cluster: the demand side split into shards, each matched on a worker
against the whole catalogue.

Every stage of candidate generation depends on the left record and the right side only (code
and model blocks are sized on the right side, the n-gram document frequencies come from the
right side, neighbours are found row by row), and scoring with given weights is per pair. So
a shard of left records matched alone yields exactly the pairs and probabilities it yields
inside the whole run, and the shards' results in input order are the in-process result. The
catalogue (and its sentence vectors) is sent to each worker once.

Each worker builds the catalogue's side (normalised names, blocks, n-gram index) once, for the
first shard it runs, and keeps it for the next ones of the same job. Limit: every worker holds
the whole catalogue; splitting the catalogue itself across workers (document frequencies summed,
top-k merged) is not built.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from unionsync.core.cluster import shards
from unionsync.matching.candidates import Candidate, Catalogue, MatchRecord, candidates
from unionsync.matching.linkage import Weights
from unionsync.matching.scoring import score_probabilities

if TYPE_CHECKING:
    from distributed import Client

SHARD = 5_000  # left records per task, at most
# The catalogue side built on this worker, with the catalogue it was built from (held, so that
# the identity check cannot be fooled by a new list at a freed list's address)
_BUILT: list[tuple[object, Catalogue]] = []


def _catalogue(right: Sequence[MatchRecord]) -> Catalogue:
    """The catalogue side of `right`, built once per worker and job: the tasks of one job get
    the very same scattered list."""
    if _BUILT and _BUILT[0][0] is right:
        return _BUILT[0][1]
    _BUILT.clear()  # the previous job's catalogue is let go first
    built = Catalogue.build(right)
    _BUILT.append((right, built))
    return built


def _shard_size(client: Client, count: int, shard: int | None) -> int:
    """Two shards per worker (balance), no larger than SHARD unless given."""
    if shard is not None:
        return shard
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    return max(1, min(SHARD, -(-count // (2 * workers))))


def _send(client: Client, data: object) -> Any:
    """One future for `data`, held by every worker (a list given to scatter alone would be
    sent element by element); not keyed by content, so that the release of an earlier job's
    copy of the same catalogue cannot take this one with it."""
    return client.scatter([data], broadcast=True, hash=False)[0]


def _shard_candidates(
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord],
    top: int,
    left_vectors: np.ndarray | None,
    right_vectors: np.ndarray | None,
) -> list[Candidate]:
    vectors = (left_vectors, right_vectors) if left_vectors is not None else None
    return candidates(
        left,
        right,
        top=top,
        vectors=vectors,  # type: ignore[arg-type]
        catalogue=_catalogue(right),
    )


def _shard_match(
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord],
    top: int,
    weights: Weights,
    keep: bool = True,
) -> tuple[list[Candidate], np.ndarray]:
    """One shard's pairs and probabilities; `keep` the catalogue side for the next shard (on
    a worker; not in the asking process, which would hold it after the job)."""
    pairs = candidates(left, right, top=top, catalogue=_catalogue(right) if keep else None)
    return pairs, score_probabilities(left, right, pairs, weights=weights)


def candidates_on(
    client: Client,
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord],
    top: int,
    vectors: tuple[np.ndarray, np.ndarray] | None = None,
    shard: int | None = None,
) -> list[Candidate]:
    """`candidates(left, right, top, vectors=vectors)`, computed shard by shard on the cluster."""
    if not left or not right:
        return []
    remote_right: Any = _send(client, list(right))
    remote_vectors: Any = _send(client, vectors[1]) if vectors is not None else None
    futures = [
        client.submit(
            _shard_candidates,
            list(left[part.start : part.stop]),
            remote_right,
            top,
            vectors[0][part.start : part.stop] if vectors is not None else None,
            remote_vectors,
            pure=False,
        )
        for part in shards(len(left), _shard_size(client, len(left), shard))
    ]
    return [pair for part in client.gather(futures) for pair in part]


def match_on(
    client: Client | None,
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord],
    top: int,
    weights: Weights,
    shard: int | None = None,
) -> tuple[list[Candidate], np.ndarray]:
    """Candidate pairs and their probabilities (given weights), in this process without a
    client, else shard by shard on the cluster: the same pairs in the same order either way."""
    if client is None:
        return _shard_match(left, right, top, weights, keep=False)
    remote_right: Any = _send(client, list(right))
    futures = [
        client.submit(
            _shard_match, list(left[part.start : part.stop]), remote_right, top, weights, pure=False
        )
        for part in shards(len(left), _shard_size(client, len(left), shard))
    ]
    parts = client.gather(futures)
    pairs = [pair for found, _p in parts for pair in found]
    probabilities = (
        np.concatenate([p for _f, p in parts]) if parts else np.zeros(0, dtype=np.float32)
    )
    return pairs, probabilities
