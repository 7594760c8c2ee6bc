"""Precision and recall of stored matching runs (`unionsync match run`) on the demo's true links.

Usage: python bench/match_demo.py [--top 5 10 15]

Builds the demo in a temporary SQLite file, runs every program against the partner country with
each `--top`, and compares the stored matches with the generator's 3,922 true item–capability
links. The demo's items have 1 to 13 true producers (7 on average), so `top` bounds recall; the
bound is printed as "reachable".
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from _demo import temporary_demo
from sqlalchemy import delete, select

from unionsync.access.policy import SYSTEM
from unionsync.catalog.models import Program
from unionsync.core.meta import DemoMatchTruth
from unionsync.matching.models import Match, MatchRun, MatchSeen
from unionsync.matching.scoring import Band
from unionsync.matching.service import Engine, execute_run, request_run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--top", type=int, nargs="+", default=[5, 10, 15])
    args = parser.parse_args()
    with temporary_demo() as factory, factory() as session:
        truth = set(session.execute(select(DemoMatchTruth.item_id, DemoMatchTruth.capability_id)))
        per_item = Counter(item for item, _cap in truth)
        print(f"{len(truth):,} true links over {len(per_item):,} items")
        print(
            f"{'top':>4}{'band':>10}{'kept':>7}{'precision':>10}{'recall':>8}"
            f"{'reachable':>10}{'seconds':>9}"
        )
        for top in args.top:
            for table in (Match, MatchSeen, MatchRun):
                session.execute(delete(table))
            session.commit()
            started = time.perf_counter()
            for program in session.scalars(select(Program)).all():
                run = request_run(session, SYSTEM, program.id, Engine(), top=top)
                session.commit()
                execute_run(session, run.id, Engine())
            seconds = time.perf_counter() - started
            reachable = sum(min(n, top) for n in per_item.values()) / len(truth)
            for name, band in (("accept", Band.ACCEPT), ("all kept", None)):
                query = select(Match.item_id, Match.capability_id)
                if band is not None:
                    query = query.where(Match.band == band)
                kept = set(session.execute(query))
                hits = len(kept & truth)
                print(
                    f"{top:>4}{name:>10}{len(kept):>7,}{hits / len(kept):>10.3f}"
                    f"{hits / len(truth):>8.3f}{reachable:>10.3f}{seconds:>9.1f}"
                )


if __name__ == "__main__":
    main()
