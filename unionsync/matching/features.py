"""Numeric features of a pair of records, the input of the trained scorer.

The default scorer turns evidence into weights set by hand; the trained one learns how much each
feature counts from labelled pairs. Both see the same normalised names, so the features are the
evidence steps in numeric form plus string similarities that are cheap to compute in bulk
(rapidfuzz) and similarities of n-gram and word TF-IDF vectors fitted on the texts at hand.

When a record has more than a name (a brand, a model number, a price, a category: the columns of
a supplier's list), the attributes are compared one by one: a model number found anywhere on the
other side, the same brand, a price within a factor, the same quantity with its unit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz

from unionsync.matching.candidates import MatchRecord, common_code_level
from unionsync.matching.normalise import NormalName, normalise_name
from unionsync.matching.scoring import score_pair, units_compatible
from unionsync.matching.vectors import VectorStore

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

FEATURES = (
    "char_tfidf",
    "word_tfidf",
    "token_set",
    "token_sort",
    "partial",
    "word_jaccard",
    "models_shared",
    "models_conflict",
    "models_one_side",
    "numbers_same",
    "numbers_subset",
    "numbers_differ",
    "code_level",
    "code_disagree",
    "code_missing",
    "unit_conflict",
    "length_ratio",
    "default_log_odds",
    "price_ratio",
    "price_missing",
    "brand_same",
    "brand_in_other",
    "brand_conflict",
    "model_found",
    "model_conflict",
    "quantities_same",
    "quantities_conflict",
    "category_similarity",
    "rare_shared",
    "rare_only_one",
    "rare_only_other",
    "embedding",
)
# What a column of a list means, by its name in either language (other columns count as text)
ROLES = {
    "brand": "brand",
    "manufacturer": "brand",
    "maker": "brand",
    "производитель": "brand",
    "изготовитель": "brand",
    "марка": "brand",
    "modelno": "model",
    "model": "model",
    "partno": "model",
    "sku": "model",
    "модель": "model",
    "артикул": "model",
    "price": "price",
    "цена": "price",
    "category": "category",
    "категория": "category",
}
# A number with its unit: «500 gb», «2.4ghz», «85"», «220 в»; the unit spellings folded to one
_QUANTITY = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(tb|gb|mb|kb|ghz|mhz|mp|mm|cm|inch|in|\"|w|v|mah|ah|kg|g|lb|oz|ml|l"
    r"|тб|гб|мб|ггц|мгц|мп|мм|см|вт|в|мач|кг|г|мл|л)(?![\w])",
    re.IGNORECASE,
)
_UNIT_SPELLING = {
    "inch": "in",
    '"': "in",
    "тб": "tb",
    "гб": "gb",
    "мб": "mb",
    "ггц": "ghz",
    "мгц": "mhz",
    "мп": "mp",
    "мм": "mm",
    "см": "cm",
    "вт": "w",
    "в": "v",
    "мач": "mah",
    "кг": "kg",
    "г": "g",
    "мл": "ml",
    "л": "l",
}
_NOT_ALNUM = re.compile(r"[^0-9a-zа-я]+")


@dataclass(frozen=True, slots=True)
class PairRecord:
    """What the features need from one side of a pair."""

    name: str
    code: str | None = None
    unit: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()

    def role(self, role: str) -> str:
        """The first non-empty attribute playing this role (brand, model, price, category)."""
        for key, value in self.attributes:
            if ROLES.get(key.strip().lower()) == role and value.strip():
                return value.strip()
        return ""

    @property
    def everything(self) -> str:
        """The name and every attribute as one lower-case text (where a model number may hide)."""
        return " ".join([self.name, *(v for _k, v in self.attributes)]).lower()


def _cosines(left: Sequence[str], right: Sequence[str], vectoriser: TfidfVectorizer) -> np.ndarray:
    matrix = vectoriser.fit_transform([*left, *right])
    a, b = matrix[: len(left)], matrix[len(left) :]
    return np.asarray(a.multiply(b).sum(axis=1)).ravel()


def char_cosines(left: Sequence[str], right: Sequence[str]) -> np.ndarray:
    """Character 2–4-gram TF-IDF cosine of each pair of texts (fitted on the texts at hand)."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # slow to import: on first use

    return _cosines(
        left, right, TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    )


def pair_features(
    left: Sequence[PairRecord],
    right: Sequence[PairRecord],
    text_scores: np.ndarray | None = None,
    embedding: np.ndarray | None = None,
) -> np.ndarray:
    """A (pairs × FEATURES) float32 matrix; `text_scores` reuses the candidate stage's cosines,
    `embedding` gives the pairs' sentence-vector cosines (absent: a constant 0 column, so a model
    trained without vectors is used without them)."""
    normal_left = [normalise_name(r.name) for r in left]
    normal_right = [normalise_name(r.name) for r in right]
    text_left = [n.text for n in normal_left]
    text_right = [n.text for n in normal_right]
    char = text_scores if text_scores is not None else char_cosines(text_left, text_right)
    from sklearn.feature_extraction.text import TfidfVectorizer

    words = TfidfVectorizer(analyzer="word", token_pattern=r"\S+", sublinear_tf=True)
    word = _cosines(text_left, text_right, words)
    idf = dict(zip(words.get_feature_names_out(), words.idf_ / words.idf_.max(), strict=True))
    rows = np.zeros((len(left), len(FEATURES)), dtype=np.float32)
    for index, (a, b) in enumerate(zip(left, right, strict=True)):
        na, nb = normal_left[index], normal_right[index]
        rows[index, :-1] = [
            *_one(a, b, na, nb, float(char[index]), float(word[index])),
            *_attributes(a, b, na, nb),
            *_rarity(set(text_left[index].split()), set(text_right[index].split()), idf),
        ]
    rows[:, -1] = 0.0 if embedding is None else embedding
    return rows


def _price(text: str) -> float | None:
    try:
        value = float(text.replace(",", ".").replace(" ", "").lstrip("$€₽"))
    except ValueError:
        return None
    return value if value > 0 else None


def _compact(text: str) -> str:
    return _NOT_ALNUM.sub("", text.lower())


def _has_brand(brand: str, text: str) -> bool:
    """`brand` in `text`: a short one as whole words («hp» is in "hp toner", not in "chip"), a
    longer one also written without its spaces or hyphens ("Hewlett-Packard", "hewlettpackard")."""
    if not brand:
        return False
    if len(_compact(brand)) >= 4 and _compact(brand) in _compact(text):
        return True
    return re.search(rf"(?<![0-9a-zа-яё]){re.escape(brand)}(?![0-9a-zа-яё])", text) is not None


def quantities(text: str) -> dict[str, set[float]]:
    """The numbers written with a unit, by unit («2 x 500gb» → {gb: {500}})."""
    found: dict[str, set[float]] = {}
    for number, unit in _QUANTITY.findall(text.lower()):
        unit = _UNIT_SPELLING.get(unit, unit)
        found.setdefault(unit, set()).add(float(number.replace(",", ".")))
    return found


def _models(record: PairRecord, normal: NormalName) -> set[str]:
    """Model tokens of the name and of every attribute, compacted (HP-Q6511X → hpq6511x);
    a quantity such as «500gb» is compared as one, not as a model."""
    tokens = {_compact(m) for m in normal.models}
    tokens.update(_compact(m) for m in normalise_name(record.everything).models)
    model = _compact(record.role("model"))
    if model:
        tokens.add(model)
    return {t for t in tokens if len(t) >= 4 and not _QUANTITY.fullmatch(t)}


def _attributes(a: PairRecord, b: PairRecord, na: NormalName, nb: NormalName) -> list[float]:
    """Brand, model number, price, quantities with units and category, compared one by one;
    0 when a side does not give the attribute (the missing flags tell the trees so)."""
    price_a, price_b = _price(a.role("price")), _price(b.role("price"))
    ratio = min(price_a, price_b) / max(price_a, price_b) if price_a and price_b else 0.0
    brand_a, brand_b = a.role("brand").lower(), b.role("brand").lower()
    all_a, all_b = _compact(a.everything), _compact(b.everything)
    brand_same = bool(brand_a and _compact(brand_a) == _compact(brand_b))
    brand_in = _has_brand(brand_a, b.everything) or _has_brand(brand_b, a.everything)
    brand_conflict = bool(brand_a and brand_b and not brand_same and not brand_in)
    models_a, models_b = _models(a, na), _models(b, nb)
    found = any(m in all_b for m in models_a) or any(m in all_a for m in models_b)
    conflict = bool(models_a and models_b and not found)
    qa, qb = quantities(a.everything), quantities(b.everything)
    shared_units = qa.keys() & qb.keys()
    same = sum(1 for u in shared_units if qa[u] & qb[u])
    category_a, category_b = a.role("category"), b.role("category")
    category = (
        fuzz.token_set_ratio(category_a.lower(), category_b.lower()) / 100
        if category_a and category_b
        else 0.0
    )
    return [
        ratio,
        float(price_a is None or price_b is None),
        float(brand_same),
        float(brand_in),
        float(brand_conflict),
        float(found),
        float(conflict),
        float(same),
        float(len(shared_units) - same),
        category,
    ]


def _rarity(a: set[str], b: set[str], idf: dict[str, float]) -> tuple[float, float, float]:
    """How rare the rarest shared word is, and the rarest word found on one side only: a rare
    word in common ("dreamweaver") says match, a rare word alone ("upgrade") says another
    product."""

    def rarest(words: set[str]) -> float:
        return max((idf.get(w, 1.0) for w in words), default=0.0)

    only_a, only_b = rarest(a - b), rarest(b - a)
    return rarest(a & b), max(only_a, only_b), min(only_a, only_b)


def embedding_cosines(store: VectorStore, left: Sequence[str], right: Sequence[str]) -> np.ndarray:
    """Cosine of each pair's name vectors (the vectors are normalised: a dot product)."""
    a, b = store.vectors(left), store.vectors(right)
    return np.asarray(np.einsum("ij,ij->i", a, b), dtype=np.float32)


def _one(
    a: PairRecord, b: PairRecord, na: NormalName, nb: NormalName, char: float, word: float
) -> list[float]:
    ta, tb = na.text, nb.text
    words_a, words_b = set(na.words), set(nb.words)
    union = words_a | words_b
    models_a, models_b = set(na.models), set(nb.models)
    numbers_a, numbers_b = set(na.numbers), set(nb.numbers)
    level = common_code_level(a.code, b.code)
    compatible = units_compatible(a.unit, b.unit)
    steps = score_pair(MatchRecord(0, a.name, a.code), MatchRecord(1, b.name, b.code), char)
    odds = sum(step.weight for step in steps)
    both_numbers = bool(numbers_a and numbers_b)
    nested = numbers_a <= numbers_b or numbers_b <= numbers_a
    return [
        char,
        word,
        fuzz.token_set_ratio(ta, tb) / 100,
        fuzz.token_sort_ratio(ta, tb) / 100,
        fuzz.partial_ratio(ta, tb) / 100,
        len(words_a & words_b) / len(union) if union else 0.0,
        float(len(models_a & models_b)),
        float(bool(models_a and models_b and not models_a & models_b)),
        float(bool(models_a) != bool(models_b)),
        float(both_numbers and numbers_a == numbers_b),
        float(both_numbers and numbers_a != numbers_b and nested),
        float(both_numbers and not nested),
        float(level or 0),
        float(level == 0),
        float(level is None),
        float(compatible is False),
        min(len(ta), len(tb)) / max(len(ta), len(tb), 1),
        odds,
    ]
