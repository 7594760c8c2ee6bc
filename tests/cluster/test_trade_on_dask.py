"""Trade totals over a Parquet dataset: on a 2-worker LocalCluster equal to DuckDB in this
process, to the cent."""

from __future__ import annotations

import csv
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from unionsync import config
from unionsync.cli import app
from unionsync.trade.aggregate import totals


def dataset(root: Path, files: int = 24, rows: int = 5_000) -> dict[tuple[int, int, str], int]:
    """Files in the import's layout (year=…/flow=…/), and the expected cents per key."""
    rng = np.random.default_rng(5)
    expected: dict[tuple[int, int, str], int] = {}
    for number in range(files):
        year, flow = 2018 + number % 4, ("export", "import")[number % 2]
        folder = root / f"year={year}" / f"flow={flow}"
        folder.mkdir(parents=True, exist_ok=True)
        hs6 = rng.choice([840410, 847130, 870323, 300490], rows).astype(np.int32)
        value = np.round(rng.lognormal(8, 2, rows), 4)  # fractions of a cent too
        pq.write_table(pa.table({"hs6": hs6, "value": value}), folder / f"part-{number}.parquet")
        for code, amount in zip(hs6.tolist(), value.tolist(), strict=True):
            key = (code, year, flow)
            # each value in whole cents, half away from zero, as the aggregation does
            expected[key] = expected.get(key, 0) + math.floor(amount * 100 + 0.5)
    return expected


def test_totals_on_two_workers_equal_totals_in_process(tmp_path: Path, client: Any):
    expected = dataset(tmp_path)
    here = totals(tmp_path)
    there = totals(tmp_path, client, files_per_task=5)
    assert there == here
    assert {key: cents for key, (cents, _rows) in here.items()} == expected
    assert sum(rows for _cents, rows in here.values()) == 24 * 5_000


def test_the_totals_command_writes_the_csv_and_refuses_a_bad_scheduler(
    tmp_path: Path, monkeypatch: Any
):
    monkeypatch.setenv("UNIONSYNC_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("UNIONSYNC_DASK_SCHEDULER", raising=False)
    config.get_settings.cache_clear()
    try:
        empty = CliRunner().invoke(app, ["trade", "totals", "--out", str(tmp_path / "t.csv")])
        assert empty.exit_code == 1 and "No trade file imported yet" in empty.output
        expected = dataset(tmp_path / "trade" / "flows", files=4, rows=100)
        out = tmp_path / "totals.csv"
        result = CliRunner().invoke(app, ["trade", "totals", "--out", str(out)])
        assert result.exit_code == 0, result.output
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
        assert len(rows) == len(expected)
        first = rows[0]
        key = (int(first["hs6"]), int(first["year"]), first["flow"])
        assert Decimal(first["value"]) == Decimal(expected[key]).scaleb(-2)
        bad = CliRunner().invoke(
            app, ["trade", "totals", "--out", str(out), "--scheduler", "http://x"]
        )
        assert bad.exit_code == 2 and "scheduler" in bad.output
    finally:
        config.get_settings.cache_clear()
