"""Matching on a Dask cluster: the demand side split into shards, each matched on a worker
against the whole catalogue.

Every stage of candidate generation depends on the left record and the right side only (code
and model blocks are sized on the right side, the n-gram document frequencies come from the
right side, neighbours are found row by row), and scoring with given weights is per pair. So
a shard of left records matched alone yields exactly the pairs and probabilities it yields
inside the whole run, and the shards' results in input order are the in-process result. The
catalogue (and its sentence vectors) is sent to each worker once.

Each worker builds the catalogue's side (normalised names, blocks, n-gram index) once, for the
first shard it runs, and keeps it for the next ones of the same job. A catalogue too large for
one worker is cut across the workers instead (`split_match`, below).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from unionsync.core.cluster import completed, gather, shards
from unionsync.matching.candidates import (
    Candidate,
    Catalogue,
    CodeIndex,
    MatchRecord,
    TextIndex,
    _code_index,
    _model_lookup,
    _token_index,
    candidates,
    code_parts,
    common_code_level,
    normalise_records,
)
from unionsync.matching.linkage import Weights
from unionsync.matching.parallel import collector_paused
from unionsync.matching.scoring import score_probabilities

if TYPE_CHECKING:
    from distributed import Client


def _wait(futures: Sequence[Any]) -> None:
    """Until every future is done (for timings)."""
    from distributed import wait as wait_all

    wait_all(futures)


SHARD = 5_000  # left records per task, at most
# from this many catalogue lines on, a run on a cluster cuts the catalogue across the workers
# (`split_match`) instead of giving each worker the whole of it
SPLIT_FROM = 1_000_000
PART_CHUNK = 100_000  # catalogue lines normalised at a time while a part is built
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
    progress: Callable[[int, int], None] | None = None,
) -> list[Candidate]:
    """`candidates(left, right, top, vectors=vectors)`, computed shard by shard on the cluster;
    `progress` hears (demand lines done, all of them) as shards finish."""
    if not left or not right:
        return []
    remote_right: Any = _send(client, list(right))
    remote_vectors: Any = _send(client, vectors[1]) if vectors is not None else None
    pieces = shards(len(left), _shard_size(client, len(left), shard))
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
        for part in pieces
    ]
    found = gather(client, futures, [len(part) for part in pieces], progress)
    return [pair for part in found for pair in part]


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


# The catalogue split across workers -------------------------------------------------------
#
# A catalogue too large for one worker's memory is cut into parts, each built and kept on one
# worker. What the whole catalogue decides is put together from the parts first: the n-gram
# document frequencies are added up (so every part weighs n-grams as the whole would), and so
# are the sizes of the model-token blocks (a token shared by more than the limit is dropped
# everywhere). Then every shard of demand lines meets every part: each part gives its own text
# top-k (ties to the lower catalogue row), its code-block keys with the part's share of the
# block size, its model-block keys, and the cosine and code level of each of these. A merge
# per demand shard keeps the global top-k, drops a code block whose parts add up past the limit,
# and scores the pairs: the same pairs, in the same order, with the same probabilities as the
# whole catalogue in one process. Sentence vectors are not taken in this mode.


@dataclass(slots=True)
class _Part:
    """One part of the catalogue, on the worker that holds it."""

    records: list[MatchRecord]
    offset: int  # the catalogue row of its first record
    codes_index: CodeIndex
    tokens: dict[str, set[int]]
    counts: Any  # n-gram counts, until the weights are known
    text: tuple[Any, Any, Any, list[int]] | None = None  # weights, vectors, transposed, keys
    rows: dict[int, int] | None = None  # key → row in the part, once built


def _part_begin(records: list[MatchRecord], offset: int) -> _Part:
    from scipy import sparse

    # the normalised names are not kept (the tokens and counts are all they give), and are
    # made a chunk at a time: for millions of lines they would be the largest thing held
    tokens: dict[str, set[int]] = defaultdict(set)
    counts = []
    for piece in shards(len(records), PART_CHUNK):
        chunk = records[piece.start : piece.stop]
        normals = normalise_records(chunk)
        for token, keys in _token_index(chunk, normals).items():
            tokens[token] |= keys
        counts.append(TextIndex._counts([normals[r.key].text for r in chunk], 1))
    stacked = sparse.vstack(counts).tocsr() if counts else TextIndex._counts([], 1)
    return _Part(records, offset, _code_index(records), dict(tokens), stacked)


@dataclass(frozen=True, slots=True)
class CatalogueFile:
    """A catalogue kept as a Parquet file (columns id, name, code) on a path every worker
    reads: each part is read where it is built, so the asking process never holds it."""

    path: Path
    rows: int

    @classmethod
    def of(cls, path: Path) -> CatalogueFile:
        import pyarrow.parquet as pq

        return cls(path, pq.ParquetFile(path).metadata.num_rows)


@collector_paused()
def _part_from_file(path: Path, start: int, stop: int) -> _Part:
    """Rows [start, stop) of a catalogue file, read batch by batch, built as a part."""
    import pyarrow.parquet as pq

    records: list[MatchRecord] = []
    seen = 0
    for batch in pq.ParquetFile(path).iter_batches(columns=["id", "name", "code"]):
        if seen + batch.num_rows > start and seen < stop:
            piece = batch.slice(max(0, start - seen), stop - max(start, seen)).to_pydict()
            records += [
                MatchRecord(k, n, c)
                for k, n, c in zip(piece["id"], piece["name"], piece["code"], strict=True)
            ]
        seen += batch.num_rows
        if seen >= stop:
            break
    return _part_begin(records, start)


def _part_statistics(part: _Part) -> tuple[np.ndarray, dict[str, int]]:
    """The part's n-gram document frequencies and model-token block sizes (they add up)."""
    return TextIndex.frequency(part.counts), {t: len(k) for t, k in part.tokens.items()}


def _part_finish(part: _Part, weights: Any, common: set[str]) -> _Part:
    """The part's n-gram vectors under the whole catalogue's weights, its tokens without those
    the whole catalogue shares too widely."""
    vectors = TextIndex._tfidf(part.counts, weights)
    tokens = {t: keys for t, keys in part.tokens.items() if t not in common}
    text = (weights, vectors, vectors.T.tocsr(), [r.key for r in part.records])
    rows = {r.key: i for i, r in enumerate(part.records)}
    return _Part(part.records, part.offset, part.codes_index, tokens, None, text, rows)


@dataclass(slots=True)
class _Found:
    """What one part proposes for one demand line."""

    text: list[tuple[float, int, int]]  # (cosine, catalogue row, key): the part's top-k
    block_size: int
    block: set[int]
    models: set[int]
    scores: dict[int, tuple[float, int | None]]  # key → (cosine as a pair, code level)


@collector_paused()
def _part_pairs(
    left: Sequence[MatchRecord], part: _Part, top: int, block_limit: int
) -> tuple[list[_Found], dict[int, MatchRecord]]:
    """Each demand line's proposals from this part, and the part's records they name."""
    assert part.text is not None and part.rows is not None
    rows = part.rows
    known_left = normalise_records(left)
    index = TextIndex.built(left, known_left, part.text)
    texts = index.neighbours(top)
    models = _model_lookup(left, part.tokens, 2**62, known_left)  # sized on the whole already
    found: list[_Found] = []
    lefts: list[int] = []
    rights: list[int] = []
    for row, record in enumerate(left):
        parts = code_parts(record.code, part.codes_index) if record.code else []
        size = sum(len(p) for p in parts)
        block = {k for p in parts for k in p} if size <= block_limit else set()
        text = [(value, part.offset + rows[key], key) for key, value in texts[record.key]]
        mine = models.get(record.key, set())
        keys = {key for _v, _r, key in text} | mine | block
        found.append(_Found(text, size, block, mine, dict.fromkeys(sorted(keys), (0.0, None))))
        lefts += [row] * len(keys)
        rights += [rows[key] for key in sorted(keys)]
    cosines = index.cosines(np.array(lefts, dtype=np.int64), np.array(rights, dtype=np.int64))
    position = 0
    named: dict[int, MatchRecord] = {}
    for record, proposal in zip(left, found, strict=True):
        for key in proposal.scores:
            other = part.records[rights[position]]
            level = common_code_level(record.code, other.code)
            proposal.scores[key] = (float(cosines[position]), level)
            named[key] = other
            position += 1
    return found, named


@collector_paused()
def _merge(
    left: Sequence[MatchRecord],
    proposals: Sequence[tuple[list[_Found], dict[int, MatchRecord]]],
    top: int,
    block_limit: int,
    weights: Weights | None,
) -> tuple[list[Candidate], np.ndarray]:
    """One demand shard's candidates from every part's proposals, as `candidates` makes them
    from the whole catalogue, and (with `weights`) their probabilities."""
    pairs: list[Candidate] = []
    for row, record in enumerate(left):
        mine = [found[row] for found, _named in proposals]
        best = sorted((t for p in mine for t in p.text), key=lambda t: (-t[0], t[1]))[:top]
        scored = {key: value for value, _row, key in best}
        wide = sum(p.block_size for p in mine) > block_limit
        keys = set(scored).union(*(p.models for p in mine))
        if not wide:
            keys = keys.union(*(p.block for p in mine))
        scores = {key: value for p in mine for key, value in p.scores.items()}
        for key in sorted(keys):
            cosine, level = scores[key]
            if wide and level == 0:
                continue  # a wide block (a bare chapter code): a disagreeing code
            pairs.append(Candidate(record.key, key, scored.get(key, cosine), 0.0))
    if weights is None:
        return pairs, np.zeros(0, dtype=np.float32)
    named = {key: r for _found, part in proposals for key, r in part.items()}
    right = [named[key] for key in sorted({p.right for p in pairs})]
    return pairs, score_probabilities(left, right, pairs, weights=weights)


def split_match(
    client: Client,
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord] | CatalogueFile,
    top: int,
    weights: Weights | None = None,
    parts: int | None = None,
    shard: int | None = None,
    block_limit: int = 200,
    timings: dict[str, float] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Candidate], np.ndarray]:
    """`match_on` (or, without `weights`, `candidates`) with the catalogue cut into `parts`
    (default: one per worker), each held by one worker: for catalogues larger than one
    worker's memory (`right` as a `CatalogueFile`: each worker reads its part itself). Equal to
    the whole catalogue in one process, pair for pair. `timings` gets the seconds spent
    building the parts and matching against them; `progress` hears (demand lines done, all
    of them) as shards are merged."""
    found = sorted(
        split_matches(
            client, left, right, top, weights, parts, shard, block_limit, timings, progress
        ),
        key=lambda shard_result: shard_result[0],
    )
    pairs = [pair for _start, shard_pairs, _p in found for pair in shard_pairs]
    if weights is None or not found:
        return pairs, np.zeros(0, dtype=np.float32)
    return pairs, np.concatenate([p for _s, _f, p in found]).astype(np.float32)


def split_matches(
    client: Client,
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord] | CatalogueFile,
    top: int,
    weights: Weights | None = None,
    parts: int | None = None,
    shard: int | None = None,
    block_limit: int = 200,
    timings: dict[str, float] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[tuple[int, list[Candidate], np.ndarray]]:
    """`split_match` shard by shard, as the shards finish (in no fixed order): (the shard's
    first demand line, its pairs, their probabilities). Each shard's result is let go on the
    cluster once it is handed over, so a caller that stores or sums the shards as they come
    holds no more than one: 1M demand lines made 26M pairs against 10M catalogue lines, more
    than the workers (which hold the catalogue) and this process could keep together."""
    lines = right.rows if isinstance(right, CatalogueFile) else len(right)
    if not left or not lines:
        return
    started = time.perf_counter()
    addresses = sorted(client.scheduler_info().get("workers", {})) or [None]
    size = -(-lines // (parts or len(addresses)))
    begun = []
    for number, piece in enumerate(shards(lines, size)):
        # each part sent to (or read by) one worker and built there, not through the task
        # graph; the parts dealt round the workers; the tasks on a part then run where it is
        home = addresses[number % len(addresses)]
        where = [home] if home is not None else None
        if isinstance(right, CatalogueFile):
            begun.append(
                client.submit(
                    _part_from_file, right.path, piece.start, piece.stop, workers=where, pure=False
                )
            )
            continue
        records = client.scatter([list(right[piece.start : piece.stop])], workers=where, hash=False)
        begun.append(client.submit(_part_begin, records[0], piece.start, workers=where, pure=False))
    statistics = client.gather([client.submit(_part_statistics, b, pure=False) for b in begun])
    frequency = np.sum([f for f, _t in statistics], axis=0)
    sizes: dict[str, int] = defaultdict(int)
    for _f, tokens in statistics:
        for token, count in tokens.items():
            sizes[token] += count
    common = {token for token, count in sizes.items() if count > block_limit}
    weighting = TextIndex.weights_of(frequency, lines)
    remote_weights, remote_common = _send(client, weighting), _send(client, common)
    built = [
        client.submit(_part_finish, b, remote_weights, remote_common, pure=False) for b in begun
    ]
    del begun  # each part's counts are let go once its vectors exist
    if timings is not None:
        _wait(built)
        timings["parts"] = time.perf_counter() - started
    merged = []
    pieces = shards(len(left), _shard_size(client, len(left), shard))
    for piece in pieces:
        chunk = list(left[piece.start : piece.stop])
        remote_chunk = _send(client, chunk)
        found = [
            client.submit(_part_pairs, remote_chunk, b, top, block_limit, pure=False) for b in built
        ]
        merged.append(
            client.submit(_merge, remote_chunk, found, top, block_limit, weights, pure=False)
        )
    starts = [piece.start for piece in pieces]
    for number, (shard_pairs, probabilities) in completed(
        merged, [len(piece) for piece in pieces], progress
    ):
        yield starts[number], shard_pairs, probabilities
    if timings is not None:
        timings["matching"] = time.perf_counter() - started - timings["parts"]
