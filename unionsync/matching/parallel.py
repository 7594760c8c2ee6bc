"""Spread pure work over the machine's cores with forked processes.

Matching a million catalogue lines is CPU-bound Python (normalising names, n-gram analysis,
scoring pairs). Forked workers inherit the parent's data without copying it, so only the
inputs' positions and the results cross process boundaries. Where fork is unavailable, or the
work is small, it runs in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_TASK: list[Any] = []
SMALL = 20_000


def workers() -> int:
    """How many processes to use: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while millions of objects are built (names,
    prepared records, candidate pairs): each of its passes walks every object built so far,
    which made building a million prepared records five times slower. Matching makes no
    reference cycles worth collecting; the collector runs again afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run_chunk(bounds: tuple[int, int]) -> Any:
    function, items = _TASK[-1]
    with collector_paused():
        return function(items[bounds[0] : bounds[1]])


def map_chunks(
    function: Callable[[Sequence[T]], list[R]], items: Sequence[T], processes: int = 1
) -> list[R]:
    """`function` applied to consecutive chunks of `items`, results concatenated in order."""
    count = processes
    if count == 1 or len(items) < SMALL or "fork" not in multiprocessing.get_all_start_methods():
        return function(items)
    size = -(-len(items) // count)
    bounds = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    _TASK.append((function, items))
    # the parent's objects (a million names and their indexes) out of the collector's reach:
    # otherwise each worker's collections walk them and write into their headers, which
    # copies the shared pages into every worker
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(count) as pool:
            parts = pool.map(_run_chunk, bounds)
    finally:
        gc.unfreeze()
        _TASK.pop()
    return [result for part in parts for result in part]
