"""How fast a large program file is read, checked and written (SQLite), against reading alone.

Usage: python bench/import_programs.py [--rows 20000] [--repeat 3] [--format csv|xlsx]

The baseline is reading the file into rows (csv module / openpyxl read-only); the measured path
adds the row checks (codes, units, numbers, duplicates) and the writes in one transaction.
Medians of --repeat runs are printed; the machine is shared and noisy, so compare ratios.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _timing import median_seconds

from unionsync.access.policy import SYSTEM
from unionsync.catalog.template import PROGRAM_COLUMNS, demand_headers
from unionsync.catalog.transfer import import_programs, read_program_rows
from unionsync.core.tabular import read_table, write_csv, write_xlsx
from unionsync.db.bootstrap import init_database
from unionsync.db.session import make_engine, make_session_factory, transaction
from unionsync.demo.catalogue import INDUSTRIES
from unionsync.reference.models import Industry

YEARS = (2025, 2026, 2027, 2028)


def make_rows(count: int) -> tuple[list[str], list[list[object]]]:
    """`count` items spread over programs of 500 items each."""
    headers = [c.ru for c in PROGRAM_COLUMNS]
    for year in YEARS:
        headers.extend(demand_headers(year))
    rows = []
    for n in range(count):
        program = n // 500
        row: list[object] = [
            "RU",
            f"RU-BENCH-{program:03d}",
            f"Программа {program}",
            None,
            "machine-tools",
            2024,
            2030,
            1,
            "действует",
            n % 500 + 1,
            f"Подшипник шариковый 62{n % 90:02d}-2RS",
            None,
            f"8482 10 {n % 900 + 100:03d} 9",
            "шт",
            2027,
            "75",
            "RUB",
            None,
        ]
        for year in YEARS:
            row.extend([1000 + n % 77 + year % 10, f"{(1000 + n) * 15}.50"])
        rows.append(row)
    return headers, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"programs.{args.format}"
        headers, rows = make_rows(args.rows)
        if args.format == "csv":
            write_csv(path, headers, rows)
        else:
            write_xlsx(path, "Программы", headers, rows, text_columns=(12,))
        content = path.read_bytes()

        def fresh_factory() -> object:
            db = Path(tempfile.mkdtemp(dir=tmp)) / "bench.db"
            url = f"sqlite:///{db}"
            factory = make_session_factory(make_engine(url))
            init_database(url, factory)
            with transaction(factory) as session:
                session.add_all(
                    Industry(code=i.code, name_ru=i.name_ru, name_en=i.name_en) for i in INDUSTRIES
                )
            return factory

        def check_only() -> None:
            with transaction(fresh_factory()) as session:
                read_program_rows(session, SYSTEM, read_table(content, path.name))

        def full_import() -> None:
            with transaction(fresh_factory()) as session:
                import_programs(session, SYSTEM, read_table(content, path.name))

        read_s = median_seconds(lambda: read_table(content, path.name), args.repeat)
        check_s = median_seconds(check_only, args.repeat)
        import_s = median_seconds(full_import, args.repeat)
    print(f"rows={args.rows} format={args.format} repeat={args.repeat} (medians)")
    print(f"{'step':<28}{'seconds':>10}{'rows/s':>12}{'x read':>9}")
    for name, seconds in (
        ("baseline: read file", read_s),
        ("read + check rows", check_s),
        ("read + check + write", import_s),
    ):
        print(f"{name:<28}{seconds:>10.2f}{args.rows / seconds:>12,.0f}{seconds / read_s:>9.1f}")


if __name__ == "__main__":
    main()
