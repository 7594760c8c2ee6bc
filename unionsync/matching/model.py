"""The trained scorer: gradient-boosted trees on the pair features, calibrated to probabilities.

Besides the fixed features, the trees get one learnt from the labels: a pair vocabulary, a
logistic regression on which words the two names share and which only one has. It learns what
no general feature knows about a list: that «upgrade» or «spanish» on one side only means
another product (Amazon-Google), that a shared rare name counts more than a shared «software».
Its value on the training pairs is predicted out of fold, so the trees do not learn to trust a
memorised score.

Trained from labelled pairs (a pairs file, or reviewers' decisions), with the decision threshold
chosen on a separate validation set when one is given (best F1), never on the test data. The
model file is a joblib pickle: load only files you trained yourselves (pickles run code).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import joblib
import numpy as np

from unionsync.matching.features import FEATURES, PairRecord, pair_features
from unionsync.matching.normalise import normalise_name

if TYPE_CHECKING:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

FORMAT = "unionsync-match-model/2"
MODEL_FEATURES = (*FEATURES, "vocabulary")
LARGE = 500  # labelled pairs from which gradient-boosted trees are fitted


@dataclass(frozen=True, slots=True)
class Labelled:
    """Pairs with their labels (and, when computed, their sentence-vector cosines)."""

    left: Sequence[PairRecord]
    right: Sequence[PairRecord]
    labels: Sequence[int]
    embedding: np.ndarray | None = None


class ModelFileError(ValueError):
    """The file is not a match model this version can use."""


def pair_words(left: PairRecord, right: PairRecord) -> str:
    """A pair as a document: `b_word` for each word both names have, `d_word` for each word
    only one has."""
    a = set(normalise_name(left.name).text.split())
    b = set(normalise_name(right.name).text.split())
    return " ".join([*(f"b_{w}" for w in sorted(a & b)), *(f"d_{w}" for w in sorted(a ^ b))])


@dataclass(slots=True)
class PairVocabulary:
    """Logistic regression on the pair documents: the words that decide on this list."""

    vectoriser: CountVectorizer
    classifier: LogisticRegression

    @classmethod
    def fit(
        cls, left: Sequence[PairRecord], right: Sequence[PairRecord], labels: np.ndarray, folds: int
    ) -> tuple[PairVocabulary, np.ndarray]:
        """The fitted vocabulary, and its out-of-fold score of each training pair."""
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold, cross_val_predict

        documents = [pair_words(a, b) for a, b in zip(left, right, strict=True)]
        vectoriser = CountVectorizer(token_pattern=r"\S+", binary=True, min_df=2)
        try:
            matrix = vectoriser.fit_transform(documents)
        except ValueError:  # no word is in two pairs: fit on every word there is
            vectoriser = CountVectorizer(token_pattern=r"\S+", binary=True)
            matrix = vectoriser.fit_transform([d or "_" for d in documents])
        classifier = LogisticRegression(C=1.0, max_iter=2000)
        split = StratifiedKFold(folds, shuffle=True, random_state=7)
        held_out = cross_val_predict(classifier, matrix, labels, cv=split, method="predict_proba")
        classifier.fit(matrix, labels)
        return cls(vectoriser, classifier), np.asarray(held_out[:, 1])

    def scores(self, left: Sequence[PairRecord], right: Sequence[PairRecord]) -> np.ndarray:
        documents = [pair_words(a, b) for a, b in zip(left, right, strict=True)]
        return np.asarray(self.classifier.predict_proba(self.vectoriser.transform(documents))[:, 1])


@dataclass(slots=True)
class TrainedScorer:
    """A fitted classifier with the threshold and the facts of its training."""

    classifier: CalibratedClassifierCV
    threshold: float
    vocabulary: PairVocabulary
    features: tuple[str, ...] = MODEL_FEATURES
    facts: dict[str, object] = field(default_factory=dict)

    def probabilities(
        self,
        left: Sequence[PairRecord],
        right: Sequence[PairRecord],
        text_scores: np.ndarray | None = None,
        embedding: np.ndarray | None = None,
    ) -> np.ndarray:
        if not left:
            return np.zeros(0)
        matrix = pair_features(left, right, text_scores, embedding)
        matrix = np.column_stack([matrix, self.vocabulary.scores(left, right)])
        return np.asarray(self.classifier.predict_proba(matrix)[:, 1])

    def save(self, path: Path) -> None:
        joblib.dump(
            {
                "format": FORMAT,
                "classifier": self.classifier,
                "threshold": self.threshold,
                "vocabulary": self.vocabulary,
                "features": self.features,
                "facts": self.facts,
            },
            path,
        )

    @classmethod
    def load(cls, path: Path) -> TrainedScorer:
        try:
            content = joblib.load(path)
        except Exception as error:  # joblib raises many kinds for a file that is not its own
            raise ModelFileError(f"{path.name}: not a match model ({error})") from error
        if not isinstance(content, dict) or content.get("format") != FORMAT:
            raise ModelFileError(f"{path.name}: not a match model of format {FORMAT}")
        if tuple(content["features"]) != MODEL_FEATURES:
            raise ModelFileError(
                f"{path.name}: trained on other features; train it again with this version"
            )
        return cls(
            content["classifier"],
            float(content["threshold"]),
            content["vocabulary"],
            tuple(content["features"]),
            dict(content["facts"]),
        )


def best_threshold(probabilities: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """The threshold with the best F1 on these labels, and that F1."""
    best, best_f1 = 0.5, -1.0
    for threshold in np.arange(0.05, 0.96, 0.01):
        value = f1_score(probabilities, labels, float(threshold))
        if value > best_f1:
            best, best_f1 = float(threshold), value
    return round(best, 2), best_f1


def f1_score(probabilities: np.ndarray, labels: np.ndarray, threshold: float) -> float:
    predicted = probabilities >= threshold
    tp = float(np.sum(predicted & (labels == 1)))
    return 2 * tp / max(1.0, float(predicted.sum() + labels.sum()))


def train(
    left: Sequence[PairRecord],
    right: Sequence[PairRecord],
    labels: Sequence[int],
    valid: Labelled | None = None,
    seed: int = 7,
    embedding: np.ndarray | None = None,
) -> TrainedScorer:
    """Fit on labelled pairs; choose the threshold with the best F1 on `valid`, else on the
    training pairs predicted out of fold (a reviewer's decisions come without a valid split, and
    0.5 is far from the best threshold when matches are rare)."""
    y = np.asarray(labels, dtype=np.int8)
    if len(set(y.tolist())) < 2:
        raise ValueError("training needs both matching (1) and non-matching (0) pairs")
    if int(min(np.sum(y == 0), np.sum(y == 1))) < 3:
        raise ValueError("training needs at least 3 pairs of each label")
    # scikit-learn is imported when a model is trained, not by every command that can train one
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    folds = int(min(5, np.sum(y == 0), np.sum(y == 1)))
    vocabulary, held_out = PairVocabulary.fit(left, right, y, folds)
    x = np.column_stack([pair_features(left, right, embedding=embedding), held_out])
    if len(y) >= LARGE:
        estimator: Any = HistGradientBoostingClassifier(
            learning_rate=0.08,
            max_iter=300,
            max_leaf_nodes=31,
            l2_regularization=0.1,
            random_state=seed,
        )
        method = "isotonic"
    else:  # a few reviewers' decisions: trees cannot split yet, a linear model can
        estimator = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
        method = "sigmoid"
    classifier = CalibratedClassifierCV(estimator, method=method, cv=folds)
    classifier.fit(x, y)
    scorer = TrainedScorer(classifier, 0.5, vocabulary)
    scorer.facts["estimator"] = "gradient-boosted trees" if len(y) >= LARGE else "logistic"
    if valid is not None:
        probabilities = scorer.probabilities(valid.left, valid.right, embedding=valid.embedding)
        scorer.threshold, valid_f1 = best_threshold(probabilities, np.asarray(valid.labels))
        scorer.facts["valid_f1"] = round(valid_f1, 4)
        scorer.facts["valid_pairs"] = len(valid.labels)
    else:
        from sklearn.model_selection import StratifiedKFold, cross_val_predict

        inner = CalibratedClassifierCV(estimator, method=method, cv=2)
        split = StratifiedKFold(folds, shuffle=True, random_state=seed)
        held = cross_val_predict(inner, x, y, cv=split, method="predict_proba")[:, 1]
        scorer.threshold, held_f1 = best_threshold(np.asarray(held), y)
        scorer.facts["held_out_f1"] = round(held_f1, 4)
    scorer.facts.update(
        embedding=embedding is not None,
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
        train_pairs=len(y),
        train_matches=int(y.sum()),
    )
    return scorer
