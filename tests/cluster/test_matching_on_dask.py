"""Matching on a 2-worker LocalCluster gives exactly the in-process result, and survives a
worker killed in the middle of the job."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from unionsync.access.policy import SYSTEM
from unionsync.catalog.models import Capability, Organization, Program, ProgramItem
from unionsync.cli import app
from unionsync.core.cluster import connect, parse_scheduler, shards
from unionsync.core.errors import DomainValidationError
from unionsync.matching import service
from unionsync.matching.candidates import MatchRecord, candidates
from unionsync.matching.distributed import (
    CatalogueFile,
    candidates_on,
    match_on,
    split_match,
    split_matches,
)
from unionsync.matching.models import Match, RunStatus
from unionsync.matching.scoring import DEFAULT_WEIGHTS
from unionsync.matching.service import Engine, execute_run, request_run


def sides(session: Session) -> tuple[list[MatchRecord], list[MatchRecord]]:
    items = session.execute(
        select(ProgramItem.id, ProgramItem.name_ru, ProgramItem.tnved_code)
        .join(Program)
        .where(Program.country_code == "BY")
        .order_by(ProgramItem.id)
    ).all()
    caps = session.execute(
        select(Capability.id, Capability.product_name, Capability.tnved_code)
        .join(Organization, Capability.enterprise_id == Organization.id)
        .where(Organization.country_code == "RU")
        .order_by(Capability.id)
    ).all()
    return [MatchRecord(*row) for row in items], [MatchRecord(*row) for row in caps]


def heard(into: list[Any]) -> Any:
    """A progress callback that keeps what it hears."""
    return lambda *report: into.append(report)


def test_the_scheduler_is_chosen_and_checked():
    assert parse_scheduler(None) is None and parse_scheduler(" ") is None
    assert parse_scheduler("local:2").workers == 2  # type: ignore[union-attr]
    assert parse_scheduler("tcp://10.0.0.5:8786").address == "tcp://10.0.0.5:8786"  # type: ignore[union-attr]
    for bad in ("local:0", "local:x", "http://host", "8786"):
        with pytest.raises(DomainValidationError, match="scheduler"):
            parse_scheduler(bad)
    with (
        pytest.raises(DomainValidationError, match="no Dask scheduler answers"),
        connect("tcp://127.0.0.1:1"),
    ):
        pass
    assert [len(r) for r in shards(10, 4)] == [4, 4, 2]


def test_matching_on_two_workers_equals_matching_in_process(demo_session: Session, client: Any):
    left, right = sides(demo_session)
    assert len(left) > 200 and len(right) > 200
    pairs, probabilities = match_on(None, left, right, 10, DEFAULT_WEIGHTS)
    on_cluster, p = match_on(client, left, right, 10, DEFAULT_WEIGHTS, shard=97)
    assert on_cluster == pairs  # the same pairs with the same name cosines, in the same order
    assert np.array_equal(p, probabilities)
    seen: list[tuple[int, int]] = []
    on_shards = candidates_on(client, left, right, 10, shard=211, progress=heard(seen))
    assert on_shards == candidates(left, right, top=10)
    # (demand lines done, all) once per shard, rising to all of them
    assert len(seen) == len(shards(len(left), 211)) and {t for _d, t in seen} == {len(left)}
    assert [d for d, _t in seen] == sorted({d for d, _t in seen}) and seen[-1][0] == len(left)
    # each worker built the catalogue side once and kept it for its other shards
    kept = client.run(_kept)
    assert len(kept) == 2 and set(kept.values()) == {len(right)}


def test_a_catalogue_split_across_workers_gives_the_whole_catalogues_pairs(
    demo_session: Session, client: Any, tmp_path: Path
):
    """Parts of the catalogue on different workers: document frequencies and token blocks
    added up, top-k merged. Copies of catalogue lines under new keys make ties, which go to the
    lower catalogue row wherever the line sits."""
    left, right = sides(demo_session)
    copies = [MatchRecord(10**6 + n, r.name, r.code) for n, r in enumerate(right[::7])]
    right = right + copies
    pairs, probabilities = match_on(None, left, right, 10, DEFAULT_WEIGHTS)
    seen: list[tuple[int, int]] = []
    split, p = split_match(
        client,
        left,
        right,
        10,
        DEFAULT_WEIGHTS,
        parts=3,
        shard=150,
        progress=heard(seen),
    )
    assert split == pairs
    assert len(seen) == len(shards(len(left), 150)) and seen[-1] == (len(left), len(left))
    assert np.array_equal(p, probabilities)
    assert any(pair.right >= 10**6 for pair in pairs)
    # a tight block limit: wide code blocks and shared tokens are decided on the whole
    tight, _none = split_match(client, left, right, 5, parts=4, block_limit=5)
    assert tight == candidates(left, right, top=5, block_limit=5)
    # the catalogue as a Parquet file each worker reads its part of
    path = tmp_path / "catalogue.parquet"
    pq.write_table(
        pa.table(
            {
                "id": [r.key for r in right],
                "name": [r.name for r in right],
                "code": [r.code for r in right],
            }
        ),
        path,
        row_group_size=100,
    )
    read, p_read = split_match(client, left, CatalogueFile.of(path), 10, DEFAULT_WEIGHTS, parts=3)
    assert read == pairs and np.array_equal(p_read, probabilities)


def test_a_split_catalogues_shards_come_one_by_one_and_are_let_go(
    demo_session: Session, client: Any
):
    """For runs whose pairs would not fit together: each shard is handed over as it finishes
    and the cluster lets its result go; put back in order, the shards are the whole result."""
    left, right = sides(demo_session)
    whole, probabilities = split_match(client, left, right, 10, DEFAULT_WEIGHTS, parts=2, shard=90)
    count = len(shards(len(left), 90))
    starts: list[int] = []
    came: dict[int, tuple[list[Any], np.ndarray]] = {}
    for start, pairs, p in split_matches(
        client, left, right, 10, DEFAULT_WEIGHTS, parts=2, shard=90
    ):
        starts.append(start)
        came[start] = (pairs, p)
        # the shards handed over are let go (the client releases a key on its event loop)
        assert _merges_held_within(client, count - len(starts))
    assert sorted(starts) == [piece.start for piece in shards(len(left), 90)]
    assert [pair for s in sorted(came) for pair in came[s][0]] == whole
    assert np.array_equal(np.concatenate([came[s][1] for s in sorted(came)]), probabilities)
    assert _merges_held_within(client, 0)


def _merges_held_within(client: Any, most: int, seconds: float = 10.0) -> bool:
    """Whether this client holds at most `most` shard results, waiting for releases under way."""
    deadline = time.monotonic() + seconds
    while sum(str(key).startswith("_merge-") for key in list(client.futures)) > most:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _kept() -> int:
    from unionsync.matching import distributed

    assert len(distributed._BUILT) == 1
    return len(distributed._BUILT[0][0])  # type: ignore[arg-type]


def test_a_worker_killed_during_the_job_is_survived(demo_session: Session, client: Any):
    left, right = sides(demo_session)
    expected = match_on(None, left, right, 10, DEFAULT_WEIGHTS)
    victim = sorted(client.scheduler_info()["workers"])[0]
    pid = client.run(os.getpid, workers=[victim])[victim]
    gather = client.gather

    def kill_then_gather(futures: Any, *args: Any, **kwargs: Any) -> Any:
        # the shards are submitted: one worker dies with its tasks and results, its nanny
        # starts it again and the scheduler computes the lost shards once more
        os.kill(pid, signal.SIGKILL)
        return gather(futures, *args, **kwargs)

    client.gather = kill_then_gather
    try:
        pairs, p = match_on(client, left, right, 10, DEFAULT_WEIGHTS, shard=50)
    finally:
        client.gather = gather
    assert pairs == expected[0] and np.array_equal(p, expected[1])
    assert victim not in client.scheduler_info()["workers"]  # it did die


def stored(session: Session) -> list[tuple[int, int, float, str]]:
    return [
        (m.item_id, m.capability_id, m.probability, m.band.value)
        for m in session.scalars(select(Match).order_by(Match.item_id, Match.capability_id))
    ]


def test_a_stored_run_on_the_cluster_equals_the_run_in_process(
    demo_session: Session, monkeypatch: pytest.MonkeyPatch
):
    program = demo_session.scalars(
        select(Program).where(Program.country_code == "BY").order_by(Program.id)
    ).first()
    assert program is not None
    results = []
    between: list[list[int]] = []
    split: list[int] = []
    whole = service.split_match

    def spy(client: Any, left: Any, right: Any, *args: Any, **kwargs: Any) -> Any:
        split.append(len(right))
        return whole(client, left, right, *args, **kwargs)

    monkeypatch.setattr(service, "split_match", spy)
    # in process; on the cluster, each worker with the whole catalogue; on the cluster, the
    # catalogue cut across the workers (as from a million lines on)
    for engine, split_from in (
        (Engine(), 1),
        (Engine(scheduler="local:2"), 10**9),
        (Engine(scheduler="local:2"), 1),
    ):
        monkeypatch.setattr(service, "SPLIT_FROM", split_from)
        queued = request_run(demo_session, SYSTEM, program.id, engine, full=True)
        demo_session.commit()
        steps: list[tuple[str, int, int]] = []
        run = execute_run(demo_session, queued.id, engine, heard(steps))
        assert run.status is RunStatus.DONE, run.error
        results.append(stored(demo_session))
        # on the cluster the run's stage counts the demand lines as their shards finish
        counted = [(d, t) for stage, d, t in steps if stage == "candidates"]
        done, total = [d for d, _t in counted], counted[-1][1]
        between.append([d for d in done if 0 < d < total])
        assert done == sorted(done) and done[-1] == total
    assert results[0] == results[1] == results[2] and len(results[0]) >= 20
    assert len(split) == 1 and split[0] > 100  # the third run only
    assert not between[0] and between[1] and between[2]


def test_the_command_refuses_a_malformed_scheduler():
    result = CliRunner().invoke(app, ["match", "run", "--program", "1", "--scheduler", "local:0"])
    assert result.exit_code == 2
    assert "scheduler" in result.output and "local:N" in result.output
