"""Normalising product text for search: case, ё, Latin look-alikes, Russian lemmas (pymorphy3)."""

from __future__ import annotations

import re
from functools import cache

import pymorphy3

_WORD = re.compile(r"[0-9a-zа-яё]+(?:[-.][0-9a-zа-яё]+)*", re.IGNORECASE)
# Latin letters typed inside Russian words (a classic data-entry slip)
_LOOKALIKE = str.maketrans(
    {
        "a": "а",
        "c": "с",
        "e": "е",
        "o": "о",
        "p": "р",
        "x": "х",
        "y": "у",
        "k": "к",
        "m": "м",
        "t": "т",
        "h": "н",
        "b": "в",
    }
)
_CYRILLIC = re.compile(r"[а-яё]")


@cache
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


@cache
def lemma(word: str) -> str:
    """The dictionary form of a Russian word (cached: the same words recur in every list)."""
    if not _CYRILLIC.search(word):
        return word
    return str(_morph().parse(word)[0].normal_form)


def fold(word: str) -> str:
    """A mixed-script word written in Cyrillic; digits and pure Latin words stay."""
    word = word.lower().replace("ё", "е")
    if _CYRILLIC.search(word):
        word = word.translate(_LOOKALIKE)
    return word


def lemmas(text: str) -> list[str]:
    """Lower-cased, folded, lemmatised words of `text`."""
    return [lemma(fold(w)) for w in _WORD.findall(text)]


def normalise(text: str) -> str:
    """The lemmatised text as one string (for vectorisers)."""
    return " ".join(lemmas(text))
