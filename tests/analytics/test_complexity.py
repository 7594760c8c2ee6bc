"""The complexity measures equal the Stata `ecomplexity` reference outputs within the
tolerances of its README (M, diversity, ubiquity exact; rca, eci, pci 1e-5; density, coi, cog
1e-4, relative)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import shared_data
from unionsync.analytics.complexity import Options, complexity

TOLERANCE = {
    "M": 0.0,
    "diversity": 0.0,
    "ubiquity": 0.0,
    "rca": 1e-5,
    "eci": 1e-5,
    "pci": 1e-5,
    "density": 1e-4,
    "coi": 1e-4,
    "cog": 1e-4,
}


def _input(folder: Path) -> list[tuple[int, str, str, float]]:
    with (folder / "trade_data_sample.csv").open(encoding="utf-8") as handle:
        return [
            (int(r["year"]), r["origin"], r["hs92"], float(r["export_val"]))
            for r in csv.DictReader(handle)
        ]


@pytest.mark.parametrize(
    ("reference", "threshold"), [("stata_ground_truth.csv", 1.0), ("stata_rca_05.csv", 0.5)]
)
def test_measures_equal_stata_ecomplexity(reference: str, threshold: float):
    folder = shared_data("complexity")
    ours = {
        (year, location, product): measures
        for result in complexity(_input(folder), Options(rca_threshold=threshold))
        for year, location, product, measures in result.rows()
    }
    with (folder / reference).open(encoding="utf-8") as handle:
        expected = list(csv.DictReader(handle))
    assert len(expected) == len(ours) == 600
    worst: dict[str, float] = {}
    for row in expected:
        mine = ours[(int(row["year"]), row["origin"], row["hs92"])]
        for name, tolerance in TOLERANCE.items():
            theirs = float(row[name] or 0)
            if tolerance == 0:
                assert mine[name] == theirs, (row, name)
            else:
                error = abs(mine[name] - theirs) / max(abs(theirs), 1e-9)
                if abs(theirs) < 1e-9:
                    error = abs(mine[name] - theirs)
                worst[name] = max(worst.get(name, 0.0), error)
    for name, error in worst.items():
        assert error <= TOLERANCE[name], (name, error)


def test_variants_keep_their_defining_properties():
    rng = np.random.default_rng(5)
    rows = [
        (2020, f"c{c}", f"p{p}", float(rng.lognormal(10, 2)))
        for c in range(12)
        for p in range(25)
        if rng.random() < 0.85
    ]
    base = complexity(rows)[0]
    assert base.eci.mean() == pytest.approx(0.0, abs=1e-9)
    # ECI is the mean PCI (before standardisation) of what a location exports: checked via
    # the standardised values, which share the same mean and scale
    exported = base.presence / base.diversity[:, None]
    assert np.allclose(exported @ base.pci, base.eci, atol=1e-9)
    asymmetric = complexity(rows, Options(asymmetric=True))[0]
    assert not np.allclose(asymmetric.proximity, asymmetric.proximity.T)
    continuous = complexity(rows, Options(continuous=True))[0]
    assert np.allclose(continuous.proximity, continuous.proximity.T)
    assert (continuous.proximity >= 0).all() and (continuous.proximity < 1).all()
    nearest = complexity(rows, Options(knn=5))[0]
    assert (nearest.density >= 0).all() and (nearest.density <= 1 + 1e-12).all()
    assert not np.allclose(nearest.density, base.density)


def test_the_command_line_writes_the_reference_columns(tmp_path: Path):
    from typer.testing import CliRunner

    from unionsync.cli import app

    source = shared_data("complexity") / "trade_data_sample.csv"
    renamed = tmp_path / "trade.csv"
    lines = source.read_text(encoding="utf-8").splitlines()
    renamed.write_text("\n".join(["year,location,product,value", *lines[1:]]), encoding="utf-8")
    out = tmp_path / "out.csv"
    runner = CliRunner()
    done = runner.invoke(
        app, ["analytics", "complexity", "--trade", str(renamed), "--out", str(out), "--knn", "5"]
    )
    assert done.exit_code == 0, done.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 600
    assert list(rows[0]) == [
        "year",
        "location",
        "product",
        "rca",
        "M",
        "density",
        "eci",
        "pci",
        "diversity",
        "ubiquity",
        "coi",
        "cog",
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("year,location,product,value\n19x5,aut,1704,1\n", encoding="utf-8")
    refused = runner.invoke(
        app, ["analytics", "complexity", "--trade", str(bad), "--out", str(out)]
    )
    assert refused.exit_code == 1 and "row 2" in refused.output and "year" in refused.output
