"""One 2-worker LocalCluster for the cluster tests (about 3 s to start; fits the CI machine)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from unionsync.core.cluster import connect


@pytest.fixture(scope="session")
def client() -> Iterator[Any]:
    with connect("local:2") as started:
        yield started
