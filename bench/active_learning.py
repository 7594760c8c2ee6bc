"""How many decisions a reviewer needs: pairs chosen by uncertainty against pairs in random order.

Usage: python bench/active_learning.py [--data ../shared/data/matching] [--batch 25]

The train split of each DeepMatcher set is the pool of undecided pairs. Both strategies start
from the same 20 random decisions (at least three of each verdict) and add `--batch` decisions at
a time: «uncertain» takes the pairs nearest the threshold of a model trained on the decisions so
far (`unionsync.matching.active`), «random» takes them in random order (deciding a list top to
bottom). After 100, 200, 300 and 500 decisions a model is trained on them and its F1 measured on
the test split at the model's own threshold, chosen on its training decisions predicted out of
fold (no valid split: a reviewer has none). The model trained on the
whole train split (thousands of decisions), with its threshold from valid, is the ceiling.
Seeds 1–3; medians.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
from deepmatcher import FIELDS, labelled, load

from unionsync.matching.active import learner, teaching_values
from unionsync.matching.model import Labelled, f1_score, train

CHECKPOINTS = (100, 200, 300, 500)
START = 20


def start(labels: np.ndarray, rng: np.random.Generator) -> list[int]:
    """20 random pairs holding at least three of each verdict."""
    positive = rng.choice(np.flatnonzero(labels == 1), 3, replace=False).tolist()
    negative = rng.choice(np.flatnonzero(labels == 0), 3, replace=False).tolist()
    chosen = set(positive + negative)
    rest = [i for i in rng.permutation(len(labels)).tolist() if i not in chosen]
    return positive + negative + rest[: START - len(chosen)]


def curve(pool: Labelled, test: Labelled, strategy: str, seed: int, batch: int) -> list[float]:
    rng = np.random.default_rng(seed)
    labels = np.asarray(pool.labels)
    chosen = start(labels, rng)
    order = [i for i in rng.permutation(len(labels)).tolist() if i not in set(chosen)]
    scores: list[float] = []
    for checkpoint in CHECKPOINTS:
        while len(chosen) < checkpoint:
            taken = set(chosen)
            if strategy == "random":
                order = [i for i in order if i not in taken]
                chosen += order[:batch]
                continue
            model = learner(
                [pool.left[i] for i in chosen],
                [pool.right[i] for i in chosen],
                labels[chosen].tolist(),
            )
            rest = [i for i in range(len(labels)) if i not in taken]
            assert model is not None
            p = model.probabilities([pool.left[i] for i in rest], [pool.right[i] for i in rest])
            values = teaching_values(p, model.threshold)
            chosen += [rest[i] for i in np.argsort(-values, kind="stable")[:batch].tolist()]
        chosen = chosen[:checkpoint]
        model = learner(
            [pool.left[i] for i in chosen], [pool.right[i] for i in chosen], labels[chosen].tolist()
        )
        assert model is not None
        p = model.probabilities(test.left, test.right)
        scores.append(f1_score(p, np.asarray(test.labels), model.threshold))
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/matching"))
    parser.add_argument("--batch", type=int, default=25)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    heads = "".join(f"{n:>8}" for n in CHECKPOINTS)
    print(f"{'set':<16}{'strategy':<12}{heads}{'ceiling':>9}{'seconds':>9}")
    for name, fields in FIELDS.items():
        data = {
            s: labelled(load(args.data / name / f"{s}.txt", fields), None)
            for s in ("train", "valid", "test")
        }
        fit, test = data["train"], data["test"]
        full = train(fit.left, fit.right, fit.labels, data["valid"])
        ceiling = f1_score(
            full.probabilities(test.left, test.right), np.asarray(test.labels), full.threshold
        )
        for strategy in ("random", "uncertain"):
            started = time.perf_counter()
            runs = [
                curve(fit, test, strategy, seed, args.batch) for seed in range(1, args.seeds + 1)
            ]
            medians = [statistics.median(r[k] for r in runs) for k in range(len(CHECKPOINTS))]
            cells = "".join(f"{m:>8.3f}" for m in medians)
            seconds = time.perf_counter() - started
            print(f"{name:<16}{strategy:<12}{cells}{ceiling:>9.3f}{seconds:>9.0f}", flush=True)


if __name__ == "__main__":
    main()
