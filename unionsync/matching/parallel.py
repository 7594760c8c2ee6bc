"""Spread pure work over the machine's cores with forked processes.

Matching a million catalogue lines is CPU-bound Python (normalising names, n-gram analysis,
scoring pairs). Forked workers inherit the parent's data without copying it, so only the
inputs' positions and the results cross process boundaries. Where fork is unavailable, or the
work is small, it runs in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
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


def _run_chunk(bounds: tuple[int, int]) -> Any:
    function, items = _TASK[-1]
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
    try:
        with multiprocessing.get_context("fork").Pool(count) as pool:
            parts = pool.map(_run_chunk, bounds)
    finally:
        _TASK.pop()
    return [result for part in parts for result in part]
