"""Scoring files of pairs: the Ditto format, the CLI, and the benchmark sets' baseline."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import shared_data
from unionsync.cli import app
from unionsync.matching.pairs import NamePair, parse_ditto, score_pairs


def test_ditto_lines_become_name_pairs():
    line = (
        "COL title VAL adobe dreamweaver cs3 COL manufacturer VAL adobe COL price VAL 399.0 "
        "\tCOL title VAL adobe cs3 web premium COL manufacturer VAL  COL price VAL 1659.99 \t0"
    )
    pair = parse_ditto(line, ("title", "manufacturer"))
    assert pair == NamePair(
        "adobe dreamweaver cs3 adobe",
        "adobe cs3 web premium",
        label=0,
        left_attributes=(
            ("title", "adobe dreamweaver cs3"),
            ("manufacturer", "adobe"),
            ("price", "399.0"),
        ),
        right_attributes=(("title", "adobe cs3 web premium"), ("price", "1659.99")),
    )


def test_same_products_score_above_different_ones():
    scored = score_pairs(
        [
            NamePair("Подшипник шариковый 6205-2RS", "подшипники шарик. 6205 2RS"),
            NamePair("Подшипник шариковый 6205-2RS", "Редуктор цилиндрический 1Ц2У-250"),
        ]
    )
    assert scored[0].probability > 0.9 > 0.1 > scored[1].probability


def test_match_score_writes_probability_and_decision(tmp_path: Path):
    source = tmp_path / "pairs.csv"
    source.write_text(
        "left_name,right_name,label\n"
        "Подшипник 6205-2RS,подшипники шарик. 6205 2RS,1\n"
        "Подшипник 6205-2RS,Станок токарный 16А20Ф3,0\n",
        encoding="utf-8",
    )
    out = tmp_path / "scored.csv"
    result = CliRunner().invoke(app, ["match", "score", "--pairs", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0]["decision"] in ("accept", "review") and rows[1]["decision"] == "reject"
    assert rows[0]["label"] == "1" and float(rows[0]["probability"]) > 0.5


def test_the_untrained_scorer_has_a_measured_baseline_on_walmart_amazon():
    lines = shared_data("matching", "Walmart-Amazon", "test.txt").read_text().splitlines()
    pairs = [parse_ditto(line, ("title", "brand", "modelno")) for line in lines if line]
    scored = score_pairs(pairs)
    positives = [s.probability for s, p in zip(scored, pairs, strict=True) if p.label == 1]
    negatives = [s.probability for s, p in zip(scored, pairs, strict=True) if p.label == 0]
    assert sum(positives) / len(positives) > 2 * sum(negatives) / len(negatives)
