"""One 2-worker LocalCluster for the cluster tests (about 1 s to start; fits the CI machine),
stopped after the last of them so that its workers do not idle through the rest of the suite."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from unionsync.core.cluster import connect


@pytest.fixture(scope="package")
def client() -> Iterator[Any]:
    with connect("local:2") as started:
        yield started
