"""Large CSV files are streamed from disk: read by Arrow column by column, or a row at a time
when Arrow cannot place a row. Both readers give the same stored table and the same errors (row
numbers as the file's lines), whatever the cells look like."""

from __future__ import annotations

import os
import random
from pathlib import Path

import duckdb
import pytest
from sqlalchemy.orm import Session

from unionsync.access.policy import SYSTEM
from unionsync.core.tabular import ImportFailedError
from unionsync.trade import imports
from unionsync.trade.imports import import_file

COLUMNS = "reporter, partner, year, flow, code, hs6, value, currency, quantity, unit, net_kg"


def stored(folder: Path) -> list[tuple[object, ...]]:
    """The stored table, sorted (the readers may write the rows in other files)."""
    return (
        duckdb.connect()
        .execute(
            f"SELECT {COLUMNS} FROM read_parquet('{folder}/**/*.parquet', "
            f"hive_partitioning = true) ORDER BY ALL"
        )
        .fetchall()
    )


def messy_customs(rows: int, seed: int, bad: bool) -> str:
    """A customs table as people export it: numbers with spaces and commas, blanks, cells with
    spaces around them, a formula escaped with an apostrophe, blank lines, codes with dots."""
    rng = random.Random(seed)
    lines = ["направление;период;страна;код;единица;стоимость;вес нетто;количество"]
    for _ in range(rows):
        value = rng.choice(
            [
                f"{rng.uniform(0, 1e7):.2f}",
                f"{rng.randint(0, 10**6)}",
                f"{rng.randint(1, 999)} {rng.randint(100, 999)},{rng.randint(0, 99):02d}",
                f" {rng.uniform(0, 100):.6f} ",
                f"{rng.uniform(0, 1):.17f}",
                "1e3",
                "'+5",  # escaped as a formula by an export, read as 5
            ]
        )
        weight = rng.choice(["", "  ", f"{rng.uniform(0, 1e4):.3f}", "12,5"])
        code = rng.choice(["8482 10 100 0", "8482101000", "3004.90.000.9", "870323", " 8471 "])
        unit = rng.choice(["шт", "кг", "", "796", "166"])
        line = [
            rng.choice(["ЭК", "ИМ", "экспорт", " ИМ "]),
            rng.choice(["2022-03", "2023", "2021-12-01"]),
            rng.choice(["RU", "KZ", "398", "RUS", "051"]),
            code,
            unit,
            value,
            weight,
            rng.choice(["", "10", "1 000"]),
        ]
        if bad and rng.random() < 0.02:
            column = rng.randrange(len(line))
            line[column] = rng.choice(["Q", "84821", "-5", "abc", "штуковина", "1899"])
        lines.append(";".join(line))
        if rng.random() < 0.01:
            lines.append("")
    return "\n".join(lines) + "\n"


def both_readers(
    session: Session,
    tmp_path: Path,
    name: str,
    text: str,
    layout: str,
    monkeypatch: pytest.MonkeyPatch,
    **options: object,
) -> tuple[object, object]:
    """(columnar outcome, row-at-a-time outcome): the stored table or the errors."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    outcomes = []
    by_rows = imports._row_batches
    for columnar in (True, False):
        data = tmp_path / f"data-{columnar}"
        used: list[bool] = []

        def spy(*args: object, used: list[bool] = used) -> object:
            used.append(True)
            return by_rows(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(imports, "_row_batches", spy)
        try:
            result = import_file(session, SYSTEM, path, layout, data, columnar=columnar, **options)
        except ImportFailedError as failed:
            outcomes.append([(e.row, e.column, e.reason, e.value) for e in failed.errors])
            assert not (data / "trade").exists()  # nothing stored
            assert [p.name for p in data.iterdir()] == []  # no staging left behind
        else:
            outcomes.append(stored(result.parquet))
        assert used == ([] if columnar else [True])  # each reader did read the file
    monkeypatch.setattr(imports, "_row_batches", by_rows)
    return outcomes[0], outcomes[1]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_both_readers_store_the_same_table(
    session: Session, tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch
):
    text = messy_customs(3_000, seed, bad=False)
    columnar, rows = both_readers(
        session, tmp_path, "c.csv", text, "customs", monkeypatch, reporter="BY", currency="RUB"
    )
    assert isinstance(columnar, list) and len(columnar) == 3_000
    assert columnar == rows


@pytest.mark.parametrize("seed", [4, 5])
def test_both_readers_find_the_same_errors_on_the_same_lines(
    session: Session, tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch
):
    text = messy_customs(3_000, seed, bad=True)
    columnar, rows = both_readers(
        session, tmp_path, "b.csv", text, "customs", monkeypatch, reporter="BY"
    )
    assert columnar == rows
    assert isinstance(columnar, list) and len(columnar) > 20
    lines = text.split("\n")
    for row, column, _reason, value in columnar:  # type: ignore[misc]
        cells = lines[row - 1].split(";")
        header = lines[0].split(";")
        assert str(value).strip() in cells[header.index(column)]


def test_baci_thousands_and_na_quantities(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    rng = random.Random(9)
    lines = ["t,i,j,k,v,q"]
    for _ in range(2_000):
        quantity = rng.choice(["           NA", "NA", f"{rng.uniform(0, 50):.3f}", ""])
        value = rng.choice([f"{rng.uniform(0, 1e4):.3f}", f"{rng.uniform(0, 1):.12f}", "7"])
        lines.append(f"2022,{rng.choice(['112', '643', '398', '4'])},643,848210,{value},{quantity}")
    columnar, rows = both_readers(
        session, tmp_path, "baci.csv", "\n".join(lines), "baci", monkeypatch
    )
    assert columnar == rows
    assert isinstance(columnar, list)
    values = {line.split(",")[4] for line in lines[1:]}
    # «0.123» thousand USD is 123 USD exactly, not 123.00000000000001
    assert {row[6] for row in columnar} == {float(f"{v}e3") for v in values}
    assert all((row[8] is None) == (row[9] is None) for row in columnar)  # q and its unit


def test_a_row_arrow_cannot_place_is_read_a_row_at_a_time(session: Session, tmp_path: Path):
    header = "refYear,reporterISO,flowCode,partnerISO,cmdCode,qtyUnitAbbr,qty,primaryValue"
    body = [f"2022,BLR,X,RUS,848210,u,{n},{n * 10}.5" for n in range(1, 500)]
    body[300] = "2022,BLR,X,RUS,848210,u"  # cut short: value missing
    path = tmp_path / "short.csv"
    path.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    with pytest.raises(ImportFailedError) as caught:
        import_file(session, SYSTEM, path, "comtrade", tmp_path / "d")
    assert [(e.row, e.column) for e in caught.value.errors] == [(302, "primaryValue")]
    body[300] = '2022,BLR,X,RUS,848210,u,7,"70"'
    body[10] = '2022,BLR,X,RUS,848210,u,7,"1,5",extra'
    path.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    result = import_file(session, SYSTEM, path, "comtrade", tmp_path / "d")
    assert result.rows == 499
    assert (0, 0) not in {(r[6], 0) for r in stored(result.parquet)}
    assert 1.5 in {r[6] for r in stored(result.parquet)}


def test_windows_1251_and_a_stop_after_too_many_errors(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    text = messy_customs(500, 7, bad=False)
    path = tmp_path / "cp.csv"
    path.write_bytes(text.encode("cp1251"))
    data = tmp_path / "d"
    result = import_file(session, SYSTEM, path, "customs", data, reporter="BY")
    utf8, _rows = both_readers(
        session, tmp_path, "u.csv", text, "customs", monkeypatch, reporter="BY"
    )
    assert stored(result.parquet) == utf8
    monkeypatch.setattr(imports, "MAX_ERRORS", 10)
    wrong = text.replace(";RU;", ";R2;")
    path.write_bytes(wrong.encode("cp1251"))
    with pytest.raises(ImportFailedError) as caught:
        import_file(session, SYSTEM, path, "customs", tmp_path / "e", reporter="BY")
    assert len(caught.value.errors) == 10
    assert [e.column for e in caught.value.errors] == ["страна"] * 10


def test_a_long_import_reports_the_rows_read_so_far(session: Session, tmp_path: Path):
    path = tmp_path / "big.csv"
    path.write_text(messy_customs(400_000, 8, bad=False), encoding="utf-8")  # three blocks
    heard: list[int] = []
    result = import_file(
        session, SYSTEM, path, "customs", tmp_path / "d", reporter="BY", progress=heard.append
    )
    assert len(heard) >= 2 and heard == sorted(heard) and heard[-1] == result.rows == 400_000


def test_the_stored_table_is_as_readable_as_the_data_directory(session: Session, tmp_path: Path):
    """Dask workers and the job worker may run as other users on the same data directory: the
    stored table's folders get the umask's mode, as the directory's other folders, not a
    temporary folder's private one."""
    path = tmp_path / "flows.csv"
    path.write_text(
        "refYear,reporterISO,flowCode,partnerISO,cmdCode,qtyUnitAbbr,qty,primaryValue\n"
        "2022,BLR,X,RUS,848210,u,7,70\n",
        encoding="utf-8",
    )
    before = os.umask(0o022)
    try:
        result = import_file(session, SYSTEM, path, "comtrade", tmp_path / "d")
    finally:
        os.umask(before)
    folders = [result.parquet, *(p for p in result.parquet.rglob("*") if p.is_dir())]
    assert {oct(p.stat().st_mode & 0o777) for p in folders} == {oct(0o755)}
    assert all(p.stat().st_mode & 0o044 == 0o044 for p in result.parquet.rglob("*.parquet"))
