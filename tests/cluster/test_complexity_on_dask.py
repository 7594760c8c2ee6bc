"""Complexity per year on a 2-worker LocalCluster: the same measures as in this process."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np

from unionsync.analytics.complexity import Options, YearResult, complexity


def test_every_years_measures_on_two_workers_equal_those_in_process(client: Any):
    rng = np.random.default_rng(3)
    rows = [
        (year, f"c{c}", f"p{p}", float(rng.lognormal(10, 2)))
        for year in range(2015, 2021)
        for c in range(30)
        for p in range(60)
        if rng.random() < 0.8
    ]
    for options in (Options(), Options(asymmetric=True), Options(continuous=True, knn=5)):
        here = complexity(rows, options)
        there = complexity(rows, options, client)
        assert [r.year for r in there] == list(range(2015, 2021))
        for a, b in zip(here, there, strict=True):
            for field in fields(YearResult):
                left, right = getattr(a, field.name), getattr(b, field.name)
                if isinstance(left, np.ndarray):
                    assert np.array_equal(left, right), (options, field.name)
                else:
                    assert left == right
