"""Scoring given pairs of names (files of pairs, benchmark sets), with the same scorer."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from unionsync.core.messages import N_
from unionsync.core.tabular import ImportFailedError, RowError, Sheet, read_table
from unionsync.matching.candidates import Candidate, MatchRecord
from unionsync.matching.features import PairRecord, char_cosines
from unionsync.matching.linkage import Weights
from unionsync.matching.normalise import normalise_name
from unionsync.matching.scoring import Scored, Thresholds, score_candidates
from unionsync.nomenclature.codes import CodeError, parse_tnved

_DITTO_FIELD = re.compile(r"COL (\S+) VAL (.*?)(?= COL |$)")


@dataclass(frozen=True, slots=True)
class NamePair:
    left_name: str
    right_name: str
    left_code: str | None = None
    right_code: str | None = None
    label: int | None = None
    left_attributes: tuple[tuple[str, str], ...] = ()
    right_attributes: tuple[tuple[str, str], ...] = ()


def text_similarities(pairs: Sequence[NamePair]) -> np.ndarray:
    """Character n-gram TF-IDF cosine of each pair's normalised names."""
    return char_cosines(
        [normalise_name(p.left_name).text for p in pairs],
        [normalise_name(p.right_name).text for p in pairs],
    )


def score_pairs(
    pairs: Sequence[NamePair],
    thresholds: Thresholds | None = None,
    weights: Weights | None = None,
) -> list[Scored]:
    """Every pair scored by the default scorer, with its band and evidence; unless given, its
    weights are learnt from these pairs by EM, without their labels."""
    similarities = text_similarities(pairs)
    left = [MatchRecord(i, p.left_name, p.left_code) for i, p in enumerate(pairs)]
    right = [MatchRecord(i, p.right_name, p.right_code) for i, p in enumerate(pairs)]
    candidates = [Candidate(i, i, float(s)) for i, s in enumerate(similarities)]
    return score_candidates(left, right, candidates, thresholds, weights=weights)


def parse_ditto(line: str, fields: Sequence[str]) -> NamePair:
    """One line of a DeepMatcher/Ditto file: `left<TAB>right<TAB>label`, each side serialised
    as `COL attr VAL value …`; the name is the listed attributes joined, and every attribute is
    kept for the trained scorer's attribute comparisons."""
    left, right, label = line.rstrip("\n").split("\t")

    def name(values: dict[str, str]) -> str:
        return " ".join(values.get(f, "").strip() for f in fields if values.get(f, "").strip())

    def attributes(values: dict[str, str]) -> tuple[tuple[str, str], ...]:
        return tuple((k, v.strip()) for k, v in values.items() if v.strip())

    a, b = dict(_DITTO_FIELD.findall(left)), dict(_DITTO_FIELD.findall(right))
    return NamePair(
        name(a),
        name(b),
        label=int(label),
        left_attributes=attributes(a),
        right_attributes=attributes(b),
    )


REQUIRED = ("left_name", "right_name")
KNOWN = frozenset({*REQUIRED, "left_code", "right_code", "label"})


def read_pairs(path: Path, need_labels: bool = False) -> tuple[Sheet, list[NamePair]]:
    """A pairs file (CSV or xlsx: left_name,right_name[,left_code,right_code,label], and any
    left_X/right_X columns as attributes, e.g. left_brand, right_price); every bad row is
    reported with its row number and column, and nothing is returned if any is bad."""
    sheet = read_table(path.read_bytes(), path.name)
    errors: list[RowError] = []
    needed = (*REQUIRED, "label") if need_labels else REQUIRED
    missing = [c for c in needed if c not in sheet.headers]
    if missing:
        raise ImportFailedError(
            [
                RowError.explained(
                    path.name, 1, c, N_("required column is missing (in English: %(en)s)"), en=c
                )
                for c in missing
            ]
        )
    pairs = []
    for number, cells in sheet.rows:
        names = [str(cells.get(c) or "").strip() for c in REQUIRED]
        for column, value in zip(REQUIRED, names, strict=True):
            if not value:
                errors.append(
                    RowError.explained(path.name, number, column, N_("required value is missing"))
                )
        label_cell = cells.get("label")
        label: int | None = None
        if label_cell not in (None, ""):
            text = str(label_cell).strip()
            if text in ("1", "0", "1.0", "0.0"):
                label = int(float(text))
            else:
                errors.append(
                    RowError.explained(
                        path.name, number, "label", N_("must be 1 or 0"), cell=label_cell
                    )
                )
        elif need_labels:
            errors.append(
                RowError.explained(path.name, number, "label", N_("required value is missing"))
            )
        codes: list[str | None] = []
        for column in ("left_code", "right_code"):
            written = cells.get(column)
            if written in (None, ""):
                codes.append(None)
                continue
            try:
                codes.append(parse_tnved(written).digits)
            except CodeError as exc:
                errors.append(
                    RowError.explained(
                        path.name, number, column, exc.template, written, **exc.params
                    )
                )
                codes.append(None)
        sides = {
            side: tuple(
                (h.removeprefix(f"{side}_"), str(cells.get(h)).strip())
                for h in sheet.headers
                if h.startswith(f"{side}_") and h not in KNOWN and str(cells.get(h) or "").strip()
            )
            for side in ("left", "right")
        }
        pairs.append(
            NamePair(names[0], names[1], codes[0], codes[1], label, sides["left"], sides["right"])
        )
    if errors:
        raise ImportFailedError(errors)
    return sheet, pairs


def as_records(pairs: Sequence[NamePair]) -> tuple[list[PairRecord], list[PairRecord]]:
    """The two sides of the pairs, as the feature builder takes them."""
    return (
        [PairRecord(p.left_name, p.left_code, attributes=p.left_attributes) for p in pairs],
        [PairRecord(p.right_name, p.right_code, attributes=p.right_attributes) for p in pairs],
    )
