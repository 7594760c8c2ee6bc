"""The trained scorer: training, the model file, the CLI, and F1 on a benchmark set."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.conftest import shared_data
from unionsync.cli import app
from unionsync.matching.features import FEATURES, PairRecord, pair_features
from unionsync.matching.model import (
    Labelled,
    ModelFileError,
    PairVocabulary,
    TrainedScorer,
    f1_score,
    train,
)
from unionsync.matching.pairs import NamePair, as_records, parse_ditto, read_pairs

SAME = [
    ("Подшипник шариковый 6205-2RS", "подшипники шарик. 6205 2RS"),
    ("Подшипник шариковый 6206-2RS", "Deep groove ball bearing 6206-2RS"),
    ("Станок токарный 16А20Ф3", "токарный станок с ЧПУ 16А20Ф3"),
    ("Болт М10х50 ГОСТ 7798-70", "болт M10x50 гост 7798-70"),
    ("Шприц 5 мл", "шприцы одноразовые 5 мл"),
    ("Редуктор цилиндрический 1Ц2У-250", "редуктор 1Ц2У-250"),
]
DIFFERENT = [
    ("Подшипник шариковый 6205-2RS", "Подшипник шариковый 6310-2RS"),
    ("Станок токарный 16А20Ф3", "Станок фрезерный 6Р13"),
    ("Болт М10х50 ГОСТ 7798-70", "Болт М12х60 ГОСТ 7798-70"),
    ("Шприц 5 мл", "Шприц 20 мл"),
    ("Редуктор цилиндрический 1Ц2У-250", "Насос центробежный К80-50"),
    ("Микросхема памяти DDR4 8 Гбит", "Микросхема памяти DDR4 16 Гбит"),
]


def write_pairs(path: Path, rows: list[tuple[str, str]], labels: list[int] | None) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["left_name", "right_name", *(["label"] if labels is not None else [])])
        for index, (left, right) in enumerate(rows):
            writer.writerow([left, right, *([labels[index]] if labels is not None else [])])
    return path


def test_training_learns_the_hand_made_pairs_and_survives_a_round_trip(tmp_path: Path):
    rows = SAME + DIFFERENT
    left, right = as_records([NamePair(a, b) for a, b in rows])
    labels = [1] * len(SAME) + [0] * len(DIFFERENT)
    scorer = train(left, right, labels)
    p = scorer.probabilities(left, right)
    assert p[: len(SAME)].mean() > p[len(SAME) :].mean() + 0.3
    scorer.save(tmp_path / "m.joblib")
    again = TrainedScorer.load(tmp_path / "m.joblib")
    assert np.allclose(again.probabilities(left, right), p)
    assert again.facts["train_pairs"] == len(rows)


def test_training_refuses_one_label_and_foreign_files(tmp_path: Path):
    left, right = as_records([])
    with pytest.raises(ValueError, match="both"):
        train(left, right, [])
    (tmp_path / "x.joblib").write_bytes(b"not a model")
    with pytest.raises(ModelFileError):
        TrainedScorer.load(tmp_path / "x.joblib")


def test_match_train_then_score_with_the_model(tmp_path: Path):
    rows = SAME + DIFFERENT
    labels = [1] * len(SAME) + [0] * len(DIFFERENT)
    pairs = write_pairs(tmp_path / "train.csv", rows, labels)
    model = tmp_path / "model.joblib"
    runner = CliRunner()
    trained = runner.invoke(
        app, ["match", "train", "--pairs", str(pairs), "--valid", str(pairs), "--model", str(model)]
    )
    assert trained.exit_code == 0, trained.output
    assert "threshold" in trained.output and model.exists()
    out = tmp_path / "scored.csv"
    scored = runner.invoke(
        app, ["match", "score", "--pairs", str(pairs), "--model", str(model), "--out", str(out)]
    )
    assert scored.exit_code == 0, scored.output
    result = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["label"] for r in result] == [str(x) for x in labels]
    assert {r["decision"] for r in result[: len(SAME)]} != {"reject"}
    assert "F1 against the file's labels" in scored.output


def test_bad_pairs_files_name_the_row_and_column(tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text("left_name,right_name,label\nБолт,болт,да\n,гайка,0\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["match", "train", "--pairs", str(bad), "--model", str(tmp_path / "m")]
    )
    assert result.exit_code == 1
    assert "row 2" in result.output and "label" in result.output and "да" in result.output
    assert "row 3" in result.output and "left_name" in result.output
    missing = CliRunner().invoke(
        app,
        [
            "match",
            "score",
            "--pairs",
            str(bad),
            "--model",
            str(tmp_path / "none"),
            "--out",
            str(tmp_path / "o.csv"),
        ],
    )
    assert missing.exit_code in (1, 2)


@pytest.mark.parametrize(
    ("name", "fields", "least"),
    [
        # measured 0.882 (Ditto published 0.868) and 0.735 (Ditto 0.756; char TF-IDF 0.514)
        ("Walmart-Amazon", ("title", "brand", "modelno"), 0.86),
        ("Amazon-Google", ("title", "manufacturer"), 0.72),
    ],
)
def test_the_trained_scorer_on_the_deepmatcher_sets(
    name: str, fields: tuple[str, ...], least: float
):
    """Trained on the train split, threshold chosen on valid, F1 on test."""
    folder = shared_data("matching", name)

    def load(split: str) -> Labelled:
        lines = (folder / f"{split}.txt").read_text(encoding="utf-8").splitlines()
        pairs = [parse_ditto(line, fields) for line in lines if line.strip()]
        return Labelled(*as_records(pairs), [int(p.label or 0) for p in pairs])

    fit, valid, test = load("train"), load("valid"), load("test")
    scorer = train(fit.left, fit.right, fit.labels, valid)
    value = f1_score(
        scorer.probabilities(test.left, test.right), np.asarray(test.labels), scorer.threshold
    )
    assert value >= least, value


def test_attributes_are_compared_one_by_one():
    """A model number given in its own column is found in the other side's title, brands and
    prices are compared, and quantities are compared within their unit."""
    same = PairRecord(
        "premium toner cartridge black 12000 pages",
        attributes=(("modelno", "HP-Q6511X"), ("brand", "HP"), ("price", "28.92")),
    )
    other = PairRecord(
        "hp q6511x black toner 12000 pages",
        attributes=(("brand", "Hewlett Packard"), ("price", "$30.00")),
    )
    disk_a = PairRecord("external hard drive 500gb usb", attributes=(("brand", "wd"),))
    disk_b = PairRecord(
        "external hard drive 1 tb usb 500 gb cache", attributes=(("brand", "seagate"),)
    )
    disk_c = PairRecord("external hard drive 320 gb usb", attributes=(("brand", "WD"),))
    rows = pair_features([same, disk_a, disk_a], [other, disk_b, disk_c])
    column = {name: rows[:, i] for i, name in enumerate(FEATURES)}
    assert column["model_found"].tolist() == [1.0, 0.0, 0.0]
    assert column["price_ratio"][0] == pytest.approx(28.92 / 30.0)
    assert column["price_missing"].tolist() == [0.0, 1.0, 1.0]
    assert column["brand_in_other"][0] == 1.0  # «hp» is in the other side's title
    assert column["brand_conflict"].tolist() == [0.0, 1.0, 0.0]
    assert column["brand_same"].tolist() == [0.0, 0.0, 1.0]
    assert column["quantities_same"].tolist() == [0.0, 1.0, 0.0]  # 500 gb on both sides
    assert column["quantities_conflict"].tolist() == [0.0, 0.0, 1.0]  # 500 gb against 320 gb


def test_the_pair_vocabulary_learns_which_lone_words_part_products():
    """«upgrade» on one side only parts two otherwise equal names on this list; the vocabulary
    learns it from the labels, which no general feature knows."""
    products = [f"office suite {n} pro" for n in range(2, 40)]
    left = [PairRecord(p) for p in products] * 2
    right = [PairRecord(p + " box") for p in products] + [
        PairRecord(p + " upgrade") for p in products
    ]
    labels = np.array([1] * len(products) + [0] * len(products))
    vocabulary, held_out = PairVocabulary.fit(left, right, labels, folds=5)
    assert held_out.shape == (len(left),)
    test = vocabulary.scores(
        [PairRecord("photo editor 7 pro")] * 2,
        [PairRecord("photo editor 7 pro box"), PairRecord("photo editor 7 pro upgrade")],
    )
    assert test[0] > 0.7 > 0.3 > test[1]


def test_pairs_files_keep_other_columns_as_attributes(tmp_path: Path):
    source = tmp_path / "attrs.csv"
    source.write_text(
        "left_name,right_name,left_brand,right_brand,left_price,label\n"
        "toner cartridge,hp toner,HP,,28.9,1\n",
        encoding="utf-8",
    )
    _sheet, pairs = read_pairs(source)
    assert pairs[0].left_attributes == (("brand", "HP"), ("price", "28.9"))
    assert pairs[0].right_attributes == ()
    left, _right = as_records(pairs)
    assert left[0].role("brand") == "HP" and left[0].role("price") == "28.9"


def test_codes_in_pairs_files_are_read_as_tn_ved_with_row_errors(tmp_path: Path):
    source = tmp_path / "codes.csv"
    source.write_text(
        "left_name,right_name,left_code,right_code\n"
        "Подшипник 6205,подшипники 6205,8482 10 100 8,8482\n"
        "Болт М10,болт M10,12345,7318.15\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app, ["match", "score", "--pairs", str(source), "--out", str(tmp_path / "o.csv")]
    )
    assert result.exit_code == 1
    assert "row 3" in result.output and "left_code" in result.output and "12345" in result.output
    assert "row 2" not in result.output


def test_a_short_brand_is_found_as_a_word_not_inside_one():
    hp = PairRecord("toner cartridge", attributes=(("brand", "HP"),))
    rows = pair_features(
        [hp, hp], [PairRecord("hp q6511x toner"), PairRecord("ceramic chip capacitor")]
    )
    found = rows[:, FEATURES.index("brand_in_other")]
    assert found.tolist() == [1.0, 0.0]
