"""How fast codes are tested against a code list, against a plain Python set of prefixes.

Usage: python bench/list_membership.py [--codes 1000000] [--entries 5000] [--repeat 3]

The list holds `--entries` entries at 4, 6 and 10 digits, a tenth of them ranges. Baseline:
for each code, look its 4-, 6- and 10-digit prefixes up in Python sets (exact codes only;
it cannot do ranges). Target (issue 4): ≥ 1,000,000 codes/s.
"""

from __future__ import annotations

import argparse
import random
import time

from _timing import median_seconds

from unionsync.nomenclature.lists import MembershipIndex, Span


def make_spans(count: int, rng: random.Random) -> list[Span]:
    spans = []
    for n in range(count):
        level = (4, 6, 10)[n % 3]
        start = rng.randint(10 ** (level - 1), 10**level - 100)
        end = start + (rng.randint(1, 20) if n % 10 == 0 else 0)
        spans.append(Span(str(start), str(end)))
    return spans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--codes", type=int, default=1_000_000)
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(3)
    spans = make_spans(args.entries, rng)
    codes = [f"{rng.randint(10**9, 10**10 - 1)}" for _ in range(args.codes)]
    exact = {level: {s.first for s in spans if len(s.first) == level} for level in (4, 6, 10)}

    def baseline() -> int:
        return sum(any(c[:level] in found for level, found in exact.items()) for c in codes)

    built = time.perf_counter()
    index = MembershipIndex(spans)
    built = time.perf_counter() - built
    base = median_seconds(baseline, args.repeat)
    mine = median_seconds(lambda: index.contains(codes), args.repeat)
    print(
        f"codes={args.codes:,} entries={args.entries:,} repeat={args.repeat} (medians); "
        f"index built in {built * 1000:.1f} ms"
    )
    print(f"{'baseline: Python sets of prefixes':<36}{base:>7.2f} s{args.codes / base:>13,.0f} /s")
    print(
        f"{'MembershipIndex.contains (numpy)':<36}{mine:>7.2f} s{args.codes / mine:>13,.0f} /s"
        f"   ({base / mine:.1f}× the baseline's speed; target 1,000,000 /s)"
    )


if __name__ == "__main__":
    main()
