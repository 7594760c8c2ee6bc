from decimal import Decimal
from pathlib import Path

import pytest

from unionsync.core.tabular import (
    NumberError,
    UnreadableFileError,
    parse_decimal,
    parse_int,
    read_table,
    write_csv,
    write_xlsx,
)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1 234,5", Decimal("1234.5")),
        ("1\u00a0000", Decimal("1000")),
        (12, Decimal(12)),
        (0.1, Decimal("0.1")),
        ("", None),
        (None, None),
    ],
)
def test_numbers_are_read_as_users_write_them(cell, expected):
    assert parse_decimal(cell) == expected


@pytest.mark.parametrize(
    ("cell", "reason"),
    [("abc", "not a number"), ("-5", "negative"), (True, "not a number"), ("nan", "not a number")],
)
def test_bad_numbers_say_why(cell, reason):
    with pytest.raises(NumberError, match=reason):
        parse_decimal(cell)


def test_whole_numbers_refuse_fractions():
    assert parse_int("2025") == 2025
    with pytest.raises(NumberError, match="whole"):
        parse_int("2025.5")


def test_csv_in_windows_1251_with_semicolons_keeps_row_numbers(tmp_path: Path):
    content = "Код;Имя\n\n8482;Подшипник\n".encode("cp1251")
    sheet = read_table(content, "list.csv")
    assert sheet.headers == ["Код", "Имя"]
    assert sheet.rows == [(3, {"Код": "8482", "Имя": "Подшипник"})]


def test_xlsx_round_trip_keeps_codes_as_text(tmp_path: Path):
    path = tmp_path / "t.xlsx"
    write_xlsx(path, "Лист", ["Код", "Кол-во"], [["0101210000", Decimal("5")]], text_columns=(0,))
    sheet = read_table(path.read_bytes(), "t.xlsx")
    assert sheet.rows == [(2, {"Код": "0101210000", "Кол-во": 5})]


def test_csv_written_for_russian_excel_reads_back(tmp_path: Path):
    path = tmp_path / "t.csv"
    write_csv(path, ["А", "Б"], [["x", None]])
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert read_table(path.read_bytes(), "t.csv").rows == [(2, {"А": "x", "Б": None})]


def test_unsupported_or_broken_files_are_named():
    with pytest.raises(UnreadableFileError, match=r"list\.pdf: unsupported file type"):
        read_table(b"%PDF", "list.pdf")
    with pytest.raises(UnreadableFileError, match=r"bad\.xlsx: not a readable Excel workbook"):
        read_table(b"not a zip", "bad.xlsx")
    with pytest.raises(UnreadableFileError, match="empty"):
        read_table(b"", "empty.csv")


def test_a_workbook_that_unpacks_too_large_or_holds_too_many_cells_is_refused(tmp_path: Path):
    from unionsync.core.tabular import Limits, UnreadableFileError, stream_table

    path = tmp_path / "big.xlsx"
    write_xlsx(path, "t", ["a", "b"], [["x" * 200, i] for i in range(5_000)])
    content = path.read_bytes()
    with pytest.raises(UnreadableFileError, match=r"unpacks to .* MB allowed"):
        stream_table(content, "big.xlsx", Limits(max_unpacked_bytes=2**20))
    stream = stream_table(content, "big.xlsx", Limits(max_cells=1_000))
    with pytest.raises(UnreadableFileError, match="more than 1,000 cells"):
        list(stream.rows)
    assert len(list(stream_table(content, "big.xlsx").rows)) == 5_000
