"""Where heavy jobs run: in this process (the default), on a LocalCluster, or on a Dask cluster.

One machine serves two ministries' programs; the registers and customs tables our users bring
next need more. `UNIONSYNC_DASK_SCHEDULER` (or `--scheduler` on a command) chooses:
- unset or empty: everything in this process, as before;
- `local:N`: a LocalCluster of N worker processes started for the job (one thread each, so
  that CPU-bound Python work uses N cores) and stopped after it;
- `tcp://host:8786` (or `tls://…`): a running cluster (`dask scheduler`, `dask worker`).
The results do not depend on the choice: the jobs split their input into shards whose results
do not depend on one another, and put them together in input order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from unionsync.core.errors import DomainValidationError, FieldError, UnionSyncError

if TYPE_CHECKING:
    from distributed import Client, Future

_LOCAL = re.compile(r"^local:(\d{1,3})$")
_REMOTE = re.compile(r"^(tcp|tls|inproc)://[\w.\-\[\]:]+$")
MAX_LOCAL_WORKERS = 64
CONNECT_SECONDS = 10


@dataclass(frozen=True, slots=True)
class Scheduler:
    """A parsed scheduler choice: `workers` for a local cluster, `address` for a running one."""

    workers: int = 0
    address: str = ""

    @property
    def local(self) -> bool:
        return not self.address


def scheduler_error(value: str, message: str) -> DomainValidationError:
    """The scheduler setting is malformed, or no scheduler answers at the address."""
    return DomainValidationError([FieldError("scheduler", message, value)])


class ClusterJobError(UnionSyncError):
    """A job failed while it ran on a Dask cluster: most often a worker that lacks what the
    asking process has (the same UnionSync version, read access to the same data paths)."""

    status = 502
    title = "Cluster job failed"


def parse_scheduler(text: str | None) -> Scheduler | None:
    """`local:N` or a scheduler address; None (in this process) for nothing."""
    value = (text or "").strip()
    if not value:
        return None
    local = _LOCAL.match(value)
    if local:
        workers = int(local.group(1))
        if not 1 <= workers <= MAX_LOCAL_WORKERS:
            raise scheduler_error(value, f"local:N needs 1 to {MAX_LOCAL_WORKERS} workers")
        return Scheduler(workers=workers)
    if _REMOTE.match(value):
        return Scheduler(address=value)
    raise scheduler_error(
        value, "must be local:N (N workers on this machine) or an address such as tcp://host:8786"
    )


@contextmanager
def connect(text: str | None) -> Iterator[Client | None]:
    """A Dask client for the chosen scheduler (None: run in this process), closed afterwards;
    a local cluster is started for the job and stopped with it."""
    choice = parse_scheduler(text)
    if choice is None:
        yield None
        return
    from distributed import Client, LocalCluster

    if choice.local:
        with (
            LocalCluster(
                n_workers=choice.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # any free port: two jobs may run at once
            ) as cluster,
            Client(cluster) as client,
            _explained(f"local:{choice.workers}"),
        ):
            yield client
        return
    try:
        client = Client(choice.address, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError) as error:
        raise scheduler_error(
            choice.address, f"no Dask scheduler answers there ({type(error).__name__})"
        ) from error
    with client, _explained(choice.address):
        yield client


@contextmanager
def _explained(where: str) -> Iterator[None]:
    """A failure of a job on the cluster said in one line, with the likely cause (the worker's
    traceback stays chained to it for the logs): a worker on another machine may miss a file
    or a package that this process has, and the user of a command sees no traceback."""
    try:
        yield
    except UnionSyncError:
        raise
    except Exception as error:
        first = (str(error).strip().splitlines() or ["(no message)"])[0]
        raise ClusterJobError(
            f"the job failed while running on the Dask cluster ({where}): "
            f"{type(error).__name__}: {first}. If a worker raised it: every worker needs the "
            "same UnionSync version and read access to the same data paths (UNIONSYNC_DATA_DIR)"
        ) from error


def shards(count: int, size: int) -> list[range]:
    """Consecutive ranges of at most `size` covering `count` items (the unit of work sent to
    a worker: large enough to keep the worker busy, small enough to balance)."""
    return [range(start, min(start + size, count)) for start in range(0, count, max(1, size))]


def completed(
    futures: list[Future[Any]],
    sizes: Sequence[int],
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[tuple[int, Any]]:
    """Each future's (position in `futures`, result) as it finishes; with `progress`, (done,
    total) is reported as each finishes, counting each future as its size (lines of a shard,
    texts of a batch), as a run's stage says on the pages how far a long job is.

    The list is taken: it is emptied here, so that each result is let go on the cluster once
    it is fetched. A job whose results together would not fit on the workers (tens of millions
    of pairs) then holds only the ones not yet fetched."""
    from distributed import as_completed

    position = {
        future.key: (n, size) for n, (future, size) in enumerate(zip(futures, sizes, strict=True))
    }
    if len(position) != len(futures):
        raise ValueError("completed: a future given twice")
    stream = as_completed(futures, with_results=True)
    futures.clear()
    return _fetched(stream, position, progress)


def _fetched(
    stream: Any,
    position: dict[Any, tuple[int, int]],
    progress: Callable[[int, int], None] | None,
) -> Iterator[tuple[int, Any]]:
    total, done = sum(size for _n, size in position.values()), 0
    for future, result in stream:
        number, size = position.pop(future.key)
        del future  # the last reference: the cluster lets the result go
        done += size
        if progress is not None:
            progress(done, total)
        yield number, result


def gather(
    client: Client,
    futures: Sequence[Future[Any]],
    sizes: Sequence[int],
    progress: Callable[[int, int], None] | None = None,
) -> list[Any]:
    """The futures' results in their order (see `completed`; the caller's sequence is not
    emptied)."""
    if progress is None:
        return list(client.gather(futures))
    results: list[Any] = [None] * len(futures)
    for number, result in completed(list(futures), sizes, progress):
        results[number] = result
    return results
