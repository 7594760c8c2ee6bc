"""Trade totals over a Parquet dataset: on a 2-worker LocalCluster equal to DuckDB in this
process, to the cent."""

from __future__ import annotations

import csv
import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from unionsync import config
from unionsync.access.policy import SYSTEM
from unionsync.cli import app
from unionsync.core.errors import DomainValidationError
from unionsync.core.money import Currency
from unionsync.trade.aggregate import totals
from unionsync.trade.imports import import_file
from unionsync.trade.reconcile import dataset_mirror_report, mirror_report


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


def comtrade_files(folder: Path, files: int = 3) -> list[Path]:
    """Comtrade files in which five reporters record their trade with one another, each side
    with its own noise (so that the reporters' variances differ), over four years."""
    rng = np.random.default_rng(11)
    countries = ["BLR", "RUS", "KAZ", "ARM", "DEU"]
    noise = {"BLR": 0.05, "RUS": 0.2, "KAZ": 0.4, "ARM": 0.1, "DEU": 0.02}
    codes = ["848210", "847130", "870323", "300490", "840410", "848220"]
    header = "refYear,reporterISO,flowCode,partnerISO,cmdCode,qtyUnitAbbr,qty,primaryValue\n"
    lines: list[str] = []
    for year in range(2019, 2023):
        for exporter in countries:
            for importer in countries:
                if exporter == importer:
                    continue
                for code in codes:
                    if rng.random() < 0.25:
                        continue  # not every pair trades every code
                    true = rng.lognormal(11, 1.5)
                    quantity = round(true / 40)
                    if rng.random() < 0.9:
                        x = true * rng.lognormal(0, noise[exporter])
                        lines.append(f"{year},{exporter},X,{importer},{code},u,{quantity},{x:.2f}")
                    if rng.random() < 0.9:
                        m = 1.03 * true * rng.lognormal(0, noise[importer])
                        lines.append(f"{year},{importer},M,{exporter},{code},u,{quantity},{m:.2f}")
    rng.shuffle(lines)
    paths = []
    for number in range(files):
        path = folder / f"comtrade-{number}.csv"
        path.write_text(header + "\n".join(lines[number::files]) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def test_mirror_statistics_over_the_dataset_on_two_workers_equal_those_in_process(
    session: Session, tmp_path: Path, client: Any
):
    for path in comtrade_files(tmp_path):
        import_file(session, SYSTEM, path, "comtrade", tmp_path / "data")
    root = tmp_path / "data" / "trade" / "flows"
    usd = Currency.USD
    here = dataset_mirror_report(session, SYSTEM, root, "BY", "RU", currency=usd)
    there = dataset_mirror_report(session, SYSTEM, root, "BY", "RU", client=client, currency=usd)
    assert here.mirror.rows and there.mirror.rows == here.mirror.rows
    assert there.mirror.variances == here.mirror.variances
    assert there.years == here.years
    # every pair informs the variances, which are identified per reporter and role: the
    # two noisiest reporters (Russia, then Kazakhstan) get the largest
    exports = {c: v for (c, role), v in here.mirror.variances.items() if role == "export"}
    assert len(exports) == 5
    assert sorted(exports, key=exports.__getitem__)[-2:] == ["RU", "KZ"], exports
    # both records of each BY → RU flow agree with the database summary's to the cent
    summary = {
        (r.year, r.code): r for r in mirror_report(session, SYSTEM, "BY", "RU", currency=usd).rows()
    }
    assert len(summary) == len(here.mirror.rows)
    for row in here.mirror.rows:
        other = summary[(row.year, row.code)]
        for mine, theirs in ((row.x, other.x), (row.m_fob, other.m_fob)):
            assert (mine is None) == (theirs is None)
            assert mine is None or theirs is None or abs(mine - theirs) < 0.01
    three = dataset_mirror_report(session, SYSTEM, root, "BY", "RU", level=4, currency=usd)
    assert {r.code for r in three.mirror.rows} == {"8482", "8471", "8703", "3004", "8404"}
    with pytest.raises(DomainValidationError):
        dataset_mirror_report(session, SYSTEM, root, "BY", "RU", level=8, currency=usd)


def test_the_mirror_command_reads_the_dataset_on_a_local_cluster(tmp_path: Path, monkeypatch: Any):
    monkeypatch.setenv("UNIONSYNC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("UNIONSYNC_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    monkeypatch.delenv("UNIONSYNC_DASK_SCHEDULER", raising=False)
    config.get_settings.cache_clear()
    try:
        ask = ["trade", "mirror", "--from", "BY", "--to", "RU", "--dataset", "--currency", "USD"]
        empty = CliRunner().invoke(app, ask)
        assert empty.exit_code == 1 and "No trade file imported yet" in empty.output
        for path in comtrade_files(tmp_path, files=2):
            imported = CliRunner().invoke(
                app, ["trade", "import", str(path), "--layout", "comtrade"]
            )
            assert imported.exit_code == 0, imported.output
        here = CliRunner().invoke(app, [*ask, "--json"])
        there = CliRunner().invoke(app, [*ask, "--json", "--scheduler", "local:2"])
        assert here.exit_code == 0 and there.exit_code == 0, here.output + there.output
        figures = json.loads(here.output)
        assert [y["year"] for y in figures["years"]] == [2019, 2020, 2021, 2022]
        assert json.loads(there.output) == figures
        both = CliRunner().invoke(app, [*ask, "--mutual"])
        assert both.exit_code == 2 and "--dataset" in both.output
        bad = CliRunner().invoke(app, [*ask, "--scheduler", "local:0"])
        assert bad.exit_code == 2 and "scheduler" in bad.output
        # a worker that cannot read a file: one line that says so and where, no traceback
        next((tmp_path / "data" / "trade").rglob("*.parquet")).write_bytes(b"not Parquet")
        out = tmp_path / "totals.csv"
        broken = CliRunner().invoke(
            app, ["trade", "totals", "--out", str(out), "--scheduler", "local:1"]
        )
        said = " ".join(broken.output.split())
        assert broken.exit_code == 2, broken.output
        assert "the job failed while running on the Dask cluster (local:1)" in said
        assert "UNIONSYNC_DATA_DIR" in said and "Traceback" not in said and not out.exists()
        here_broken = CliRunner().invoke(app, ["trade", "totals", "--out", str(out)])
        assert here_broken.exit_code == 2, here_broken.output
        assert "cannot be read" in " ".join(here_broken.output.split()) and not out.exists()
    finally:
        config.get_settings.cache_clear()
