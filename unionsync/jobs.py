"""Background jobs: a huey queue kept in SQLite beside the data, and a worker thread.

A matching run on a large program takes minutes, longer than a web request may. The request
stores the run (status `queued`) and puts its id on the queue; a worker executes it and writes
its progress into the run, which pages and the API read. The queue lives in a file
(`<data dir>/jobs.db`), so jobs queued when the server stops are carried out when it starts again,
and a run that was interrupted half-way is queued again at start-up (runs are restartable: their
results are written in one transaction at the end). The worker runs in the web server's process
by default (`UNIONSYNC_JOBS_IN_PROCESS`), or as `unionsync worker` in a process of its own.
"""

from __future__ import annotations

import logging
import threading
from contextlib import suppress
from functools import lru_cache
from types import SimpleNamespace

from huey import SqliteHuey
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from unionsync.config import Settings
from unionsync.core.shared import SharedResults
from unionsync.db.session import make_engine, make_session_factory
from unionsync.matching.models import MatchRun, RunStatus

log = logging.getLogger(__name__)
MATCH_RUN = "match_run"
REFRESH = "refresh_shared_results"
MEANING_INDEX = "build_meaning_index"
TEACHING = "rank_for_teaching"


class Jobs:
    """The queue of one data directory and how to run what is on it."""

    def __init__(self, settings: Settings, factory: sessionmaker[Session] | None = None) -> None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.settings = settings
        self.factory = factory or _factory(settings.resolved_database_url())
        self.huey = SqliteHuey(
            "unionsync", filename=str(settings.data_dir / "jobs.db"), results=False
        )
        self._match = self.huey.task(name=MATCH_RUN)(self._execute_match)
        self._refresh = self.huey.task(name=REFRESH)(self.refresh_shared)
        self._index = self.huey.task(name=MEANING_INDEX)(self.build_meaning_index)
        self._teaching = self.huey.task(name=TEACHING)(self.rank_for_teaching)
        engine = self.factory.kw["bind"]
        self.shared = SharedResults(
            engine, settings.resolved_secret_key(), settings.shared_results_max_stale_seconds
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _execute_match(self, run_id: int) -> None:
        from unionsync.matching.service import Engine, execute_run

        with self.factory() as session:
            execute_run(session, run_id, Engine.from_settings(self.settings))
        self.rank_for_teaching()  # the run's new matches take their place in the order

    def enqueue_teaching(self) -> None:
        """Queue learning the review order again from the decisions (none if one is waiting)."""
        if not any(task.name == TEACHING for task in self.huey.pending()):
            self._teaching()

    def rank_for_teaching(self) -> None:
        from unionsync.matching.service import rank_for_teaching

        with self.factory() as session:
            rank_for_teaching(session)

    def enqueue_match(self, run_id: int) -> None:
        self._match(run_id)

    def enqueue_meaning_index(self) -> None:
        """Queue building the suggestions' meaning index (after a nomenclature import): minutes
        of embedding that no page or command should wait for."""
        if not any(task.name == MEANING_INDEX for task in self.huey.pending()):
            self._index()

    def build_meaning_index(self) -> None:
        from unionsync.nomenclature.service import build_meaning_index

        with self.factory() as session:
            build_meaning_index(
                session, self.settings.data_dir / "embeddings", self.settings.dask_scheduler
            )

    def enqueue_refresh(self) -> None:
        """Queue one recomputation of the shared results (none if one is already waiting)."""
        if not any(task.name == REFRESH for task in self.huey.pending()):
            self._refresh()

    def refresh_shared(self) -> None:
        """Compute what the overview and the synchronisation pages show, for the data as it
        is now, so that the next visitor reads it instead of waiting for it."""
        from unionsync.access.policy import SYSTEM
        from unionsync.analytics.opportunities import cached_opportunity_view
        from unionsync.core.errors import NotFoundError
        from unionsync.coverage.report import cached_summary_figures
        from unionsync.coverage.sync import (
            cached_coverages,
            cached_industry_shares,
            cached_sync_report,
        )
        from unionsync.trade.reconcile import cached_mutual

        holder = SimpleNamespace(shared=self.shared.refreshing())
        with self.factory() as session:
            cached_coverages(holder, session, SYSTEM)
            cached_industry_shares(holder, session, SYSTEM)
            report = cached_sync_report(holder, session, SYSTEM)
            cached_summary_figures(holder, session, report, None)
            with suppress(NotFoundError):  # a year without a rate: the figure is left out
                cached_mutual(holder, session, SYSTEM)
            for country in ("RU", "BY"):  # the opportunities page, each demand country whole
                cached_opportunity_view(
                    holder,
                    session,
                    SYSTEM,
                    country,
                    None,
                    self.settings.data_dir,
                    self.settings.dask_scheduler,
                )

    def pending(self) -> int:
        return int(self.huey.pending_count())

    def run_pending(self) -> int:
        """Execute every queued job in this thread (the worker's loop, and tests); returns how
        many ran. A failing job is logged; its run records the error."""
        count = 0
        while (task := self.huey.dequeue()) is not None:
            count += 1
            try:
                self.huey.execute(task)
            except Exception:  # the run keeps the error; the worker must go on
                log.exception("job %s failed", task.id)
        return count

    def recover(self) -> int:
        """Queue again the runs a stopped server left running, and queued runs the queue lost."""
        queued_ids = {t.args[0] for t in self.huey.pending() if t.name == MATCH_RUN and t.args}
        again = 0
        with self.factory() as session:
            runs = session.scalars(
                select(MatchRun).where(MatchRun.status.in_((RunStatus.QUEUED, RunStatus.RUNNING)))
            ).all()
            for run in runs:
                if run.status is RunStatus.RUNNING or run.id not in queued_ids:
                    run.status, run.stage = RunStatus.QUEUED, None
                    session.commit()
                    if run.id not in queued_ids:
                        self.enqueue_match(run.id)
                    again += 1
        return again

    def start(self, poll_seconds: float = 0.5) -> None:
        """A daemon thread that carries out jobs until `stop`."""
        if self._thread is not None:
            return
        self._stop.clear()

        def loop() -> None:
            while not self._stop.is_set():
                if self.run_pending() == 0:
                    self._stop.wait(poll_seconds)

        self._thread = threading.Thread(target=loop, name="unionsync-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None


@lru_cache(maxsize=4)
def _factory(url: str) -> sessionmaker[Session]:
    return make_session_factory(make_engine(url))
