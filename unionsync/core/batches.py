"""Long id lists cut into statements PostgreSQL accepts (at most 65,535 bound parameters per
statement; SQLite's limit is lower on old builds): 10^5 program items are a normal program set."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
IN_BATCH = 5_000  # values per IN list


def batches(values: Iterable[T], size: int = IN_BATCH) -> Iterator[list[T]]:
    """`values` in consecutive lists of at most `size`."""
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
