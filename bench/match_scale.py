"""Link demand lines to catalogue lines at scale: UnionSync's engine against Splink (DuckDB).

Usage: python bench/match_scale.py [--demand 100000] [--catalogue 1000000] [--only ours|splink]

Data, generated here with a fixed seed: the demo's 100 product families (real TN VED codes, name
templates with a model, size or series); each product is a family with its own model token made
by changing the digits of a real one (6205-2RS → 6317-2RS). A catalogue line names a product the
way real lists do (the alternative name, abbreviations, Latin look-alike letters, the model
written apart or glued); about half of the lines carry a code, some of them shortened to 4 or 6
digits. Most catalogue products have 1–4 lines (several producers); 70 % of demand lines name a
catalogue product, the rest name products nobody makes. Every catalogue line of the same product
is a true link.

Each engine runs in a process of its own (peak memory = that process's maximum resident size).
Both get the same preprocessing (UnionSync's normalised name and model token as columns), so
the comparison is of linking, not of cleaning. Quality is over pairs (found against true), at
the best for each engine of the match-probability thresholds 0.1, 0.3, 0.5, 0.7 and 0.9. Peak
memory is that of the engine's process plus its largest forked worker.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import re
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from unionsync.demo.catalogue import PRODUCTS
from unionsync.demo.names import abbreviate, lookalike, mangle_model, write_code
from unionsync.matching.candidates import MatchRecord, candidates, normalise_records
from unionsync.matching.normalise import normalise_name
from unionsync.matching.parallel import workers
from unionsync.matching.scoring import DEFAULT_WEIGHTS, score_probabilities

SEED = 20261127
# a 4-gram in more catalogue names than this is no blocking key: without the cap, 100k × 1M
# made DuckDB spill more than 50 GB and stop (the names of a family share their common 4-grams)
GRAM_LIMIT = 200


def _new_model(variant: str, rng: random.Random) -> str:
    return re.sub(r"\d", lambda _m: str(rng.randrange(10)), variant)


def generate(demand: int, catalogue: int, folder: Path, splink_columns: bool = True) -> int:
    """Write demand.parquet, catalogue.parquet and truth.parquet; returns the true pairs.
    `splink_columns`: the normalised name, model, numbers, first word and short code that
    Splink is given (not needed by UnionSync, which normalises itself)."""
    rng = random.Random(SEED)
    products: list[tuple[int, str]] = []
    seen: set[tuple[int, str]] = set()
    wanted = int(catalogue / 2.5 + demand * 0.3) + 1
    attempts = 0
    while len(products) < wanted and attempts < wanted * 20:
        attempts += 1
        family = rng.randrange(len(PRODUCTS))
        model = _new_model(rng.choice(PRODUCTS[family].variants), rng)
        if (family, model) not in seen:
            seen.add((family, model))
            products.append((family, model))
    in_catalogue = products[: int(catalogue / 2.5)]
    outside = products[int(catalogue / 2.5) :]

    def name(product: tuple[int, str], alternative: float) -> str:
        family = PRODUCTS[product[0]]
        template = family.alt_ru if rng.random() < alternative else family.name_ru
        text = template.format(v=mangle_model(product[1], rng))
        if rng.random() < 0.35:
            text = abbreviate(text, rng)
        if rng.random() < 0.1:
            text = lookalike(text, rng)
        return text

    def code(product: tuple[int, str]) -> str | None:
        if rng.random() < 0.5:
            return None
        written = write_code(PRODUCTS[product[0]].tnved, rng, allow_short=True)
        return re.sub(r"\D", "", written) if written else None

    lines: dict[int, list[int]] = {}
    cat_rows: dict[str, list[Any]] = {"id": [], "name": [], "code": [], "product": []}
    index = 0
    while index < catalogue:
        product_index = rng.randrange(len(in_catalogue))
        product = in_catalogue[product_index]
        for _copy in range(min(rng.randint(1, 4), catalogue - index)):
            cat_rows["id"].append(index)
            cat_rows["name"].append(name(product, 0.5))
            cat_rows["code"].append(code(product))
            cat_rows["product"].append(product_index)
            lines.setdefault(product_index, []).append(index)
            index += 1
    dem_rows: dict[str, list[Any]] = {"id": [], "name": [], "code": [], "product": []}
    truth: dict[str, list[int]] = {"demand": [], "catalogue": []}
    for demand_id in range(demand):
        if rng.random() < 0.7 and lines:
            product_index = cat_rows["product"][rng.randrange(len(cat_rows["id"]))]
            product = in_catalogue[product_index]
            for line in lines[product_index]:
                truth["demand"].append(demand_id)
                truth["catalogue"].append(line)
            key = product_index
        else:
            product = outside[rng.randrange(len(outside))] if outside else in_catalogue[0]
            key = -1
        dem_rows["id"].append(demand_id)
        dem_rows["name"].append(name(product, 0.2))
        dem_rows["code"].append(code(product))
        dem_rows["product"].append(key)
    for table, rows in (("catalogue", cat_rows), ("demand", dem_rows)):
        if not splink_columns:
            pq.write_table(pa.table(rows), folder / f"{table}.parquet")
            continue
        normal = [normalise_name(n) for n in rows["name"]]
        rows["norm"] = [" ".join((n.text, *n.numbers)) for n in normal]
        rows["model"] = [(n.models or ("",))[0] or None for n in normal]
        rows["numbers"] = ["|".join(sorted(set(n.numbers))) or None for n in normal]
        rows["first"] = [n.words[0] if n.words else None for n in normal]
        rows["code4"] = [c[:4] if c else None for c in rows["code"]]
        pq.write_table(pa.table(rows), folder / f"{table}.parquet")
    pq.write_table(pa.table(truth), folder / "truth.parquet")
    return len(truth["demand"])


def _truth(folder: Path) -> set[tuple[int, int]]:
    table = pq.read_table(folder / "truth.parquet").to_pydict()
    return set(zip(table["demand"], table["catalogue"], strict=True))


def _quality(found: set[tuple[int, int]], truth: set[tuple[int, int]]) -> dict[str, float]:
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pairs": len(found)}


def run_ours(folder: Path) -> dict[str, float]:
    started = time.perf_counter()
    demand = pq.read_table(folder / "demand.parquet", columns=["id", "name", "code"]).to_pydict()
    catalogue = pq.read_table(
        folder / "catalogue.parquet", columns=["id", "name", "code"]
    ).to_pydict()
    left = [MatchRecord(i, n, c) for i, n, c in zip(*demand.values(), strict=True)]
    right = [MatchRecord(i, n, c) for i, n, c in zip(*catalogue.values(), strict=True)]
    processes = workers()
    normals = (normalise_records(left, processes), normalise_records(right, processes))
    normalised = time.perf_counter()
    pairs = candidates(left, right, top=10, processes=processes, normals=normals)
    candidate_seconds = time.perf_counter() - started
    probabilities = score_probabilities(
        left, right, pairs, normals=normals, processes=processes, weights=DEFAULT_WEIGHTS
    )
    seconds = time.perf_counter() - started
    truth = _truth(folder)
    recall_candidates = len({(p.left, p.right) for p in pairs} & truth) / max(len(truth), 1)
    return {
        "seconds": seconds,
        "reading_and_normalising_seconds": normalised - started,
        "candidate_seconds": candidate_seconds,  # from the start, normalising included
        "scoring_seconds": seconds - candidate_seconds,
        "candidates": len(pairs),
        "candidate_recall": recall_candidates,
        **_best(
            [(p.left, p.right, float(v)) for p, v in zip(pairs, probabilities, strict=True)],
            folder,
        ),
    }


def run_splink(folder: Path) -> dict[str, float]:
    """Splink 5 (DuckDB) set up as its documentation recommends for this data: blocking rules
    on the model token, on the code with the numbers, and on the name's rarest character
    4-grams (each name keeps its five rarest of those in at most GRAM_LIMIT catalogue names, so
    that common n-grams do not make every name a candidate of every other); comparison levels
    on the normalised name (Jaro-Winkler), the model (with term-frequency adjustment), the
    numbers and the code; the share of matches from deterministic rules, u by random sampling,
    m by expectation maximisation on two blocking rules that leave out the compared columns in
    turn. (Also tried at 2k × 20k: the shared
    words as a comparison, F1 0.15, the m values of its lowest level cannot be trained; Jaccard
    on the name instead of Jaro-Winkler, F1 0.71 against 0.70 in 2.5 times the time; more
    blocking rules on the first word or the code with the numbers, no change; the code with the
    first word instead of the numbers, for prediction and EM, made hundreds of millions of pairs
    at 100k × 1M: 21 GB and 20 GB of spill after five minutes, stopped.)"""
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    started = time.perf_counter()
    connection = duckdb.connect()
    db_api = DuckDBAPI(connection)
    columns = (
        "id AS unique_id, norm, model, numbers, first, code, code4, "
        "CASE WHEN length(code) >= 6 THEN code[1:6] END AS code6"
    )
    for table in ("demand", "catalogue"):
        connection.execute(
            f"CREATE TABLE {table}_raw AS SELECT {columns} FROM '{folder / table}.parquet'"
        )
    # character 4-grams of each name and their frequency in the catalogue; each name keeps its
    # five rarest as blocking keys
    connection.execute(
        """
        CREATE TABLE gram_frequency AS
        SELECT gram, count(*) AS n FROM (
            SELECT DISTINCT unique_id, norm[i:i + 3] AS gram
            FROM catalogue_raw, range(1, greatest(length(norm) - 2, 1)) AS r(i)
            WHERE length(norm) >= 4 AND NOT contains(norm[i:i + 3], ' ')
        ) GROUP BY gram
        """
    )
    for table in ("demand", "catalogue"):
        connection.execute(
            f"""
            CREATE TABLE {table}_input AS
            SELECT r.*, coalesce(g.grams, []) AS grams FROM {table}_raw r LEFT JOIN (
                SELECT unique_id, list(gram ORDER BY n, gram)[1:5] AS grams FROM (
                    SELECT DISTINCT unique_id, norm[i:i + 3] AS gram
                    FROM {table}_raw, range(1, greatest(length(norm) - 2, 1)) AS r(i)
                    WHERE length(norm) >= 4 AND NOT contains(norm[i:i + 3], ' ')
                ) JOIN gram_frequency USING (gram) WHERE n <= {GRAM_LIMIT} GROUP BY unique_id
            ) g USING (unique_id)
            """
        )
    left = db_api.register("demand_input")
    right = db_api.register("catalogue_input")
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("norm", [0.95, 0.88, 0.8]),
            cl.ExactMatch("model").configure(term_frequency_adjustments=True),
            cl.ExactMatch("numbers"),
            cl.ExactMatch("code4"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("model"),
            block_on("code6", "numbers"),
            block_on("grams", arrays_to_explode=["grams"]),
        ],
        retain_matching_columns=False,
    )
    linker = Linker([left, right], settings, log_level="WARNING")
    linker.training.estimate_probability_two_random_records_match(
        [block_on("model", "code4"), block_on("norm")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("model"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("code6", "numbers"))
    predictions = linker.inference.predict(threshold_match_probability=0.1)
    relation = predictions.as_duckdbpyrelation()
    rows = relation.select("unique_id_l, unique_id_r, match_probability").fetchall()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, **_best([(int(a), int(b), float(p)) for a, b, p in rows], folder)}


def _best(scored: list[tuple[int, int, float]], folder: Path) -> dict[str, float]:
    """Quality at the best of the thresholds 0.1 to 0.9 (each engine at its best)."""
    truth = _truth(folder)
    results = []
    for threshold in (0.1, 0.3, 0.5, 0.7, 0.9):
        found = {(a, b) for a, b, p in scored if p >= threshold}
        results.append({"threshold": threshold, **_quality(found, truth)})
    return max(results, key=lambda r: r["f1"])


def _child(name: str, folder: Path, queue: Any) -> None:
    result = run_ours(folder) if name == "unionsync" else run_splink(folder)
    # this process plus the largest of its forked workers: an upper bound of the peak
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result["peak_mb"] = (own + workers_peak) / 1024
    queue.put(result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--demand", type=int, default=100_000)
    parser.add_argument("--catalogue", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["unionsync", "splink"], default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        started = time.perf_counter()
        true_pairs = generate(args.demand, args.catalogue, folder)
        print(
            f"{args.demand:,} demand × {args.catalogue:,} catalogue lines, {true_pairs:,} true "
            f"pairs; generated in {time.perf_counter() - started:.0f} s"
        )
        context = multiprocessing.get_context("spawn")
        print(f"{'engine':<11}{'seconds':>9}{'peak MB':>9}{'precision':>10}{'recall':>8}{'F1':>7}")
        for engine in ("unionsync", "splink"):
            if args.only and engine != args.only:
                continue
            queue = context.Queue()
            process = context.Process(target=_child, args=(engine, folder, queue))
            process.start()
            result = queue.get()
            process.join()
            print(
                f"{engine:<11}{result['seconds']:>9.1f}{result['peak_mb']:>9.0f}"
                f"{result['precision']:>10.3f}{result['recall']:>8.3f}{result['f1']:>7.3f}",
                {k: round(v, 3) for k, v in result.items() if k not in ("seconds", "peak_mb")},
                flush=True,
            )


if __name__ == "__main__":
    main()
