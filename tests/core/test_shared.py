"""Shared results: computed once per version across workers, stale served while one worker
recomputes, sealed against a database writer, refreshed after a commit that changes inputs."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from tests.conftest import issue_demo_token, make_settings, scratch_postgres, seeded_industry
from unionsync.app import create_app
from unionsync.catalog.models import Program, ProgramItem, ProgramItemDemand
from unionsync.core import shared as shared_module
from unionsync.core.errors import ResultPendingError
from unionsync.core.shared import (
    ON_CHANGE,
    SharedResult,
    SharedResults,
    data_version,
    mark_changed,
)
from unionsync.db.bootstrap import init_database
from unionsync.db.session import make_engine, make_session_factory
from unionsync.trade import reconcile


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    engine = make_engine(url)
    init_database(url, make_session_factory(engine))
    return engine


def test_two_workers_compute_a_version_once(engine: Engine):
    calls: list[str] = []
    first, second = SharedResults(engine, "s"), SharedResults(engine, "s")

    def slow() -> dict[str, int]:
        calls.append("computed")
        time.sleep(0.5)
        return {"answer": 42}

    results: list[object] = []
    threads = [
        threading.Thread(target=lambda w=w: results.append(w.get("k", "v1", slow)))
        for w in (first, second)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == ["computed"]  # single flight: the other worker waited for it
    assert results == [{"answer": 42}, {"answer": 42}]


def test_a_stale_result_is_served_while_another_worker_recomputes(engine: Engine):
    worker, other = SharedResults(engine, "s"), SharedResults(engine, "s")
    worker.get("k", "v1", lambda: "old")
    assert other._claim("k")  # the other worker is recomputing version 2
    assert worker.get("k", "v2", lambda: "new") == "old"
    other._store("k", "v2", "new")
    assert worker.get("k", "v2", lambda: "never") == "new"


def test_a_payload_written_without_the_secret_is_never_unpickled_but_recomputed(
    engine: Engine,
):
    SharedResults(engine, "s").get("k", "v1", lambda: "honest")
    with engine.begin() as connection:
        forged = b"\x00" * 32 + b"not a pickle we wrote"
        connection.execute(update(SharedResult).values(payload=forged))
    assert SharedResults(engine, "s").get("k", "v1", lambda: "recomputed") == "recomputed"
    # a new secret (a restored backup on another installation): the same
    assert SharedResults(engine, "other").get("k", "v1", lambda: "again") == "again"
    assert SharedResults(engine, "other").get("k", "v1", lambda: "never") == "again"


def test_committing_a_watched_change_queues_a_refresh(client):
    calls: list[int] = []
    url = str(client.app.state.shared.engine.url)
    ON_CHANGE[url] = lambda: calls.append(1)
    item = client.get("/api/v1/program-items", params={"country": "BY"}).json()["items"][0]
    client.patch(f"/api/v1/program-items/{item['id']}", json={"note": "changed"})
    assert calls == []  # a note alters no shared result
    client.patch(f"/api/v1/program-items/{item['id']}", json={"name_ru": "Изменённое имя"})
    assert calls == [1]
    client.get("/api/v1/programs")  # reading changes nothing
    assert calls == [1]


def _program(session: Session) -> ProgramItem:
    program = Program(
        country_code="BY",
        industry_id=seeded_industry(session, "machine-tools").id,
        code=f"P-{time.monotonic_ns()}",
        title="Станки",
        period_start=2025,
        period_end=2027,
    )
    item = ProgramItem(position=1, name_ru="Станок", tnved_code="8458110000", unit_okei="796")
    item.demands.append(ProgramItemDemand(year=2025, quantity=Decimal(10)))
    program.items.append(item)
    session.add(program)
    session.commit()
    return item


def test_the_version_of_inputs_moves_with_relevant_commits_only(engine: Engine):
    factory = make_session_factory(engine)
    with factory() as session:
        item = _program(session)
        start = data_version(session, "coverage"), data_version(session, "trade")
        item.note = "only a note"
        session.commit()
        assert (data_version(session, "coverage"), data_version(session, "trade")) == start
        item.demands[0].quantity = Decimal(12)
        session.flush()
        session.flush()  # several flushes, one transaction: raised once
        session.commit()
        assert data_version(session, "coverage") == start[0] + 1
        assert data_version(session, "trade") == start[1]
        item.tnved_code = "8458119000"
        session.rollback()  # a change rolled back raises nothing
        assert data_version(session, "coverage") == start[0] + 1
        mark_changed(session, "trade")  # a bulk statement's writer says so itself
        session.commit()
        assert data_version(session, "trade") == start[1] + 1


@pytest.fixture
def scratch_engine() -> Iterator[Engine]:
    """A migrated PostgreSQL database of its own: this test commits, the shared one is not
    to keep its rows."""
    for url in scratch_postgres("versions"):
        engine = make_engine(url)
        init_database(url, make_session_factory(engine))
        yield engine
        engine.dispose()


@pytest.mark.postgres
def test_concurrent_committers_each_raise_the_version_on_postgresql(scratch_engine: Engine):
    factory = make_session_factory(scratch_engine)
    with factory() as session:
        item_id = _program(session).id
        before = data_version(session, "coverage")
    barrier = threading.Barrier(4)

    def write(quantity: int) -> None:
        with factory() as session:
            item = session.get(ProgramItem, item_id)
            assert item is not None
            barrier.wait()
            item.demands[0].quantity = Decimal(quantity)
            session.commit()

    threads = [threading.Thread(target=write, args=(n + 20,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with factory() as session:
        assert data_version(session, "coverage") == before + 4


def test_right_after_a_change_the_previous_result_is_served_for_a_bounded_time(engine: Engine):
    patient, strict = SharedResults(engine, "s", max_stale=60), SharedResults(engine, "s", 0)
    patient.get("k", "v1", lambda: "old")
    assert patient.get("k", "v2", lambda: "new") == "old"  # the refresh job will catch up
    assert strict.get("k", "v2", lambda: "new") == "new"  # no staleness allowed: computed
    assert patient.get("k", "v2", lambda: "never") == "new"


def test_a_worker_that_holds_a_version_does_not_fetch_its_payload_again(engine: Engine):
    """At 10^5 items a result is tens of megabytes: a request reads the row's version and the
    payload only when this process does not have that version."""
    shared, other = SharedResults(engine, "s"), SharedResults(engine, "s")
    shared.get("k", "v1", lambda: "big")
    assert shared._read("k").payload is shared_module.KNOWN  # type: ignore[union-attr]
    assert other._read("k").payload not in (None, shared_module.KNOWN)  # type: ignore[union-attr]
    assert other.get("k", "v1", lambda: "never") == "big"
    assert other._read("k").payload is shared_module.KNOWN  # type: ignore[union-attr]


def test_a_failed_computation_gives_its_claim_back(engine: Engine):
    shared = SharedResults(engine, "s", max_stale=10)
    shared.on_missing = lambda: None

    def broken() -> str:
        raise RuntimeError("the solver failed")

    with pytest.raises(RuntimeError):
        shared.refreshing().get("k", "v1", broken)
    other = SharedResults(engine, "s")
    assert other._claim("k")  # nobody holds it: the next job or request may compute
    assert shared.refreshing().get("k", "v1", lambda: "fixed") == "fixed"


def test_the_refresh_job_always_computes_what_is_not_current(engine: Engine):
    shared = SharedResults(engine, "s", max_stale=60)
    shared.get("k", "v1", lambda: "old")
    assert shared.refreshing().get("k", "v2", lambda: "new") == "new"


def test_with_a_job_worker_a_request_never_computes_what_the_job_computes(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(shared_module, "ASK_EVERY", 0.0)
    asked: list[int] = []
    shared = SharedResults(engine, "s", max_stale=10)
    shared.on_missing = lambda: asked.append(1)

    def never() -> str:
        raise AssertionError("computed in the request")

    with pytest.raises(ResultPendingError):  # nothing yet: answered at once, the job is asked
        shared.get("k", "v1", never, background=True)
    assert asked == [1]
    with pytest.raises(ResultPendingError):  # the job is on it (claimed): not asked again
        shared._claim("k")
        shared.get("k", "v1", never, background=True)
    assert asked == [1]
    shared.refreshing().get("k", "v1", lambda: "first")  # the job
    assert shared.get("k", "v1", never, background=True) == "first"
    # the inputs changed: the previous result is served, however old, while the job runs
    assert shared.get("k", "v2", never, background=True) == "first"
    assert asked == [1, 1]
    # a key the job does not compute is still computed by the request
    assert shared.get("other", "v1", lambda: "here") == "here"


def test_pages_say_being_computed_until_the_job_has_run(tmp_path: Path, demo_url: str):
    settings = make_settings(tmp_path, demo_url).model_copy(
        update={"shared_results_max_stale_seconds": 10.0}
    )
    app = create_app(settings)
    token = issue_demo_token(demo_url, "by-editor")
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
        assert app.state.jobs.pending() == 1  # the start-up asked for a refresh
        client.cookies.set("lang", "ru")
        page = client.get("/sync")
        assert page.status_code == 503 and page.headers["Retry-After"] == "5"
        assert "Идёт расчёт" in page.text and 'http-equiv="refresh"' in page.text
        api = client.get("/api/v1/sync")
        assert api.status_code == 503 and api.headers["Retry-After"] == "5"
        assert api.headers["content-type"].startswith("application/problem+json")
        assert app.state.jobs.run_pending() >= 1  # the job worker's turn
        assert client.get("/sync").status_code == 200
        assert client.get("/").status_code == 200
        assert client.get("/trade/mirror").status_code == 200
        assert client.get("/api/v1/sync").status_code == 200


def test_the_mirror_page_computes_its_report_once_per_version_of_the_trade_data(
    client, demo_url: str, monkeypatch: pytest.MonkeyPatch
):
    calls: list[str] = []
    original = reconcile.mutual_report

    def counted(*args: object, **kwargs: object) -> reconcile.MirrorReport:
        calls.append("computed")
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reconcile, "mutual_report", counted)
    first = client.get("/trade/mirror")
    again = client.get("/trade/mirror")
    assert first.status_code == again.status_code == 200 and len(calls) == 1
    assert client.get("/trade/mirror?currency=USD").status_code == 200 and len(calls) == 2
    factory = make_session_factory(make_engine(demo_url))
    with factory() as session:
        mark_changed(session, "trade")  # as an import of trade records does
        session.commit()
    assert client.get("/trade/mirror").status_code == 200 and len(calls) == 3
