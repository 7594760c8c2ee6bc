"""How fast written TN VED codes are parsed, against a bare regular-expression baseline.

Usage: python bench/parse_codes.py [--codes 1000000] [--repeat 3]

Input: codes in the spellings real lists use (spaced, dotted, plain, «из …», 4 to 10 digits).
Baseline: stripping separators with one compiled regex and checking the length (no errors,
no «из», no objects). Target (issue 4): ≥ 200,000 codes/s.
"""

from __future__ import annotations

import argparse
import random
import re
from collections.abc import Callable

from _timing import median_seconds

from unionsync.nomenclature.codes import parse_tnved


def written_codes(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    styles: list[Callable[[str], str]] = [
        lambda c: c,
        lambda c: f"{c[:4]} {c[4:6]} {c[6:9]} {c[9]}",
        lambda c: f"{c[:4]}.{c[4:6]}.{c[6:9]}.{c[9]}",
        lambda c: c[:4],
        lambda c: c[:6],
        lambda c: f"из {c[:4]}",
    ]
    codes = []
    for _ in range(count):
        digits = f"{rng.randint(101, 9706):04d}{rng.randint(0, 999_999):06d}"
        codes.append(rng.choice(styles)(digits))
    return codes


_STRIP = re.compile(r"[\s.]+")


def baseline(codes: list[str]) -> int:
    return sum(len(_STRIP.sub("", c)) in (2, 4, 6, 8, 10) for c in codes)


def ours(codes: list[str]) -> int:
    return sum(parse_tnved(c).level for c in codes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--codes", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    codes = written_codes(args.codes)
    base = median_seconds(lambda: baseline(codes), args.repeat)
    mine = median_seconds(lambda: ours(codes), args.repeat)
    print(f"codes={args.codes:,} repeat={args.repeat} (medians)")
    print(f"{'baseline: regex strip + length':<34}{base:>8.2f} s{args.codes / base:>14,.0f} /s")
    print(
        f"{'parse_tnved':<34}{mine:>8.2f} s{args.codes / mine:>14,.0f} /s"
        f"   ({mine / base:.1f}× baseline; target 200,000 /s)"
    )


if __name__ == "__main__":
    main()
