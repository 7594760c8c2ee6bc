"""Russian program items against English product names: the lexicon's part in matching.

Usage: python bench/match_crosslingual.py [--nomenclature ../shared/data/nomenclature]

Builds the demo in a temporary SQLite file and takes the capabilities that also have an English
product name (an English catalogue line for the same product). Each is paired with every item of
the partner's programs in the same 2-digit chapter, and the pairs are scored by the default
scorer with the codes hidden, so that only the names decide: once comparing the words as
written, once through the Russian → English lexicon learnt from the TN VED and HS editions in
`--nomenclature`. Against the generator's true links: average precision over all pairs, the
best F1 over thresholds, how often a capability's best-scored item is a true one, and how often
it is at least the same kind of product (same 4-digit heading, which the words decide). A second
table repeats it with every token holding a digit removed from both names (no model numbers,
sizes or ratings), where only the words can tell a bearing from a pump.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from _demo import temporary_demo
from sklearn.metrics import average_precision_score
from sqlalchemy import select

from unionsync.catalog.models import Capability, Program, ProgramItem
from unionsync.core.meta import DemoMatchTruth
from unionsync.matching.candidates import Candidate, MatchRecord
from unionsync.matching.features import char_cosines
from unionsync.matching.model import best_threshold
from unionsync.matching.normalise import normalise_name
from unionsync.matching.scoring import DEFAULT_WEIGHTS, score_candidates
from unionsync.nomenclature.bilingual import Lexicon, aligned_pairs
from unionsync.nomenclature.sources import read_hs_csv, read_tnved_dir


def learn_lexicon(folder: Path) -> Lexicon:
    russian = {r.code: r.name_ru or "" for r in read_tnved_dir(folder / "tnved-eaeu")}
    english = {
        r.code: r.name_en or "" for r in read_hs_csv(folder / "hs2022-en" / "harmonized-system.csv")
    }
    return Lexicon.learn(aligned_pairs(russian, english))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nomenclature", type=Path, default=Path("../shared/data/nomenclature"))
    args = parser.parse_args()
    started = time.perf_counter()
    lexicon = learn_lexicon(args.nomenclature)
    print(f"lexicon: {len(lexicon.table):,} Russian words ({time.perf_counter() - started:.1f} s)")
    with temporary_demo() as factory, factory() as session:
        truth = set(session.execute(select(DemoMatchTruth.item_id, DemoMatchTruth.capability_id)))
        items = session.execute(
            select(
                ProgramItem.id,
                ProgramItem.name_ru,
                ProgramItem.tnved_code,
                Program.country_code,
            ).join(Program)
        ).all()
        caps = session.scalars(
            select(Capability).where(Capability.product_name_en.is_not(None))
        ).all()
        by_heading: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
        heading: dict[tuple[str, int], str] = {}
        for item_id, name, code, country in items:
            if code:
                by_heading[(country, code[:2])].append((item_id, name))
                heading[("l", item_id)] = code[:4]
        left: dict[int, MatchRecord] = {}
        right: dict[int, MatchRecord] = {}
        keys: list[tuple[int, int]] = []
        for cap in caps:
            if not cap.tnved_code:
                continue
            partner = "RU" if cap.enterprise.country_code == "BY" else "BY"
            heading[("r", cap.id)] = cap.tnved_code[:4]
            for item_id, name in by_heading.get((partner, cap.tnved_code[:2]), []):
                left[item_id] = MatchRecord(item_id, name, None)  # codes hidden
                right[cap.id] = MatchRecord(cap.id, cap.product_name_en or "", None)
                keys.append((item_id, cap.id))
    labels = np.array([(i, c) in truth for i, c in keys])
    kind = np.array([heading[("l", i)] == heading[("r", c)] for i, c in keys])
    print(
        f"{len(right)} English names, {len(keys):,} pairs, {int(labels.sum())} true "
        f"({labels.mean():.1%})"
    )
    measure(left, right, keys, labels, kind, lexicon, "names as they are")
    bare = {k: MatchRecord(k, _NUMBERED.sub(" ", r.name), None) for k, r in left.items()}
    bare_right = {k: MatchRecord(k, _NUMBERED.sub(" ", r.name), None) for k, r in right.items()}
    measure(bare, bare_right, keys, labels, kind, lexicon, "without tokens holding a digit")


_NUMBERED = re.compile(r"\S*\d\S*")


def measure(
    left: dict[int, MatchRecord],
    right: dict[int, MatchRecord],
    keys: list[tuple[int, int]],
    labels: np.ndarray,
    kind: np.ndarray,
    lexicon: Lexicon,
    title: str,
) -> None:
    texts = char_cosines(
        [normalise_name(left[i].name).text for i, _c in keys],
        [normalise_name(right[c].name).text for _i, c in keys],
    )
    pairs = [Candidate(i, c, float(s)) for (i, c), s in zip(keys, texts, strict=True)]
    print(f"\n{title}")
    print(
        f"{'words compared':<22}{'avg precision':>14}{'best F1':>9}{'top-1 true':>11}"
        f"{'top-1 kind':>11}{'s':>6}"
    )
    for label, used in (("as written", None), ("through the lexicon", lexicon)):
        started = time.perf_counter()
        scored = score_candidates(
            list(left.values()), list(right.values()), pairs, weights=DEFAULT_WEIGHTS, lexicon=used
        )
        seconds = time.perf_counter() - started
        p = np.array([s.probability for s in scored])
        best: dict[int, tuple[float, bool, bool]] = {}
        for (_item, cap_id), value, true, same in zip(keys, p, labels, kind, strict=True):
            if cap_id not in best or value > best[cap_id][0]:
                best[cap_id] = (float(value), bool(true), bool(same))
        top1 = sum(t for _v, t, _s in best.values()) / len(best)
        top1_kind = sum(s for _v, _t, s in best.values()) / len(best)
        _threshold, f1 = best_threshold(p, labels.astype(int))
        ap = average_precision_score(labels, p)
        print(f"{label:<22}{ap:>14.3f}{f1:>9.3f}{top1:>11.3f}{top1_kind:>11.3f}{seconds:>6.1f}")


if __name__ == "__main__":
    main()
