"""F1 of the default scorer (no training) on the DeepMatcher benchmark sets.

Usage: python bench/deepmatcher.py [--data ../shared/data/matching]

The decision threshold is chosen on the valid split (best F1) and applied to the test split, as
the benchmark's rules allow; F1 at the fixed threshold 0.5 is shown too. Published Ditto test F1:
Amazon-Google 0.756, Walmart-Amazon 0.868.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from unionsync.matching.pairs import NamePair, parse_ditto, score_pairs

FIELDS = {
    "Amazon-Google": ("title", "manufacturer"),
    "Walmart-Amazon": ("title", "brand", "modelno"),
}
PUBLISHED = {"Amazon-Google": 0.756, "Walmart-Amazon": 0.868}


def load(path: Path, fields: tuple[str, ...]) -> list[NamePair]:
    return [
        parse_ditto(line, fields)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def f1(probabilities: np.ndarray, labels: np.ndarray, threshold: float) -> float:
    predicted = probabilities >= threshold
    tp = float(np.sum(predicted & (labels == 1)))
    return 2 * tp / max(1.0, float(predicted.sum() + labels.sum()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/matching"))
    args = parser.parse_args()
    print(f"{'set':<16}{'threshold':>10}{'test F1':>9}{'F1@0.5':>8}{'Ditto':>7}")
    for name, fields in FIELDS.items():
        valid = load(args.data / name / "valid.txt", fields)
        test = load(args.data / name / "test.txt", fields)
        pv = np.array([s.probability for s in score_pairs(valid)])
        lv = np.array([p.label for p in valid])
        best = max(np.arange(0.05, 1.0, 0.05), key=lambda t: f1(pv, lv, float(t)))
        pt = np.array([s.probability for s in score_pairs(test)])
        lt = np.array([p.label for p in test])
        print(
            f"{name:<16}{best:>10.2f}{f1(pt, lt, float(best)):>9.3f}{f1(pt, lt, 0.5):>8.3f}"
            f"{PUBLISHED[name]:>7.3f}"
        )


if __name__ == "__main__":
    main()
