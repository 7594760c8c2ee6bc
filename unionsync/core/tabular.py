"""Reading and writing the Excel/CSV files users exchange, with row numbers as Excel shows them."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from unionsync.core.messages import render_message
from unionsync.core.validation import NumberError as NumberError  # re-exported for importers
from unionsync.core.validation import parse_decimal as parse_decimal
from unionsync.core.validation import parse_int as parse_int


@dataclass(frozen=True, slots=True)
class RowError:
    """What is wrong with one cell (or row) of an imported file.

    `reason` is English; `template` and `params` let a page show it in the reader's language.
    """

    file: str
    row: int
    column: str
    reason: str
    value: object = None
    template: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def explained(
        cls, file: str, row: int, column: str, template: str, cell: object = None, **params: Any
    ) -> RowError:
        """A row error from a translatable template; `cell` is the offending value."""
        reason = template % params if params else template
        return cls(file, row, column, reason, cell, template, params)

    def localized(self, translate: Any) -> str:
        """The reason in the language `translate` speaks."""
        if not self.template:
            return self.reason
        return render_message(self.template, self.params, translate)

    def __str__(self) -> str:
        shown = "" if self.value in (None, "") else f" (value: «{shown_value(self.value)}»)"
        return f"{self.file}, row {self.row}, column «{self.column}»: {self.reason}{shown}"


def shown_value(value: object) -> str:
    """A cell's value as its user would read it: «99999999», not «Decimal('99999999.000')»."""
    if isinstance(value, Decimal) and value.is_finite():
        return format(value.normalize(), "f")
    return str(value)


class ImportFailedError(Exception):
    """An import that wrote nothing because some rows are wrong; lists every error found."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        lines = "\n".join(str(e) for e in self.errors[:50])
        more = f"\n… and {len(self.errors) - 50} more" if len(self.errors) > 50 else ""
        super().__init__(f"{len(self.errors)} error(s); nothing was imported:\n{lines}{more}")


@dataclass
class Sheet:
    """A table read from a file: headers and data rows with their 1-based row numbers."""

    name: str
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    _found: dict[tuple[str, ...], str | None] = field(default_factory=dict, repr=False)

    def find_column(self, *spellings: str) -> str | None:
        """The file's header for the first of `spellings` it has (case, ё and spacing
        folded), resolved once per sheet rather than once per row."""
        if spellings not in self._found:
            headers = {normalise_header(h): h for h in self.headers}
            self._found[spellings] = next(
                (headers[k] for k in map(normalise_header, spellings) if k in headers), None
            )
        return self._found[spellings]


def normalise_header(header: str) -> str:
    """Case, ё and spacing folded, so «Код ТН ВЭД  ЕАЭС» and «код тн вэд еаэс» are one column."""
    return re.sub(r"\s+", " ", header.replace("ё", "е").replace("Ё", "Е").strip()).casefold()


SUPPORTED = (".xlsx", ".xlsm", ".csv")


class UnreadableFileError(ValueError):
    """A file that is not an Excel workbook or CSV we can read."""


@dataclass(frozen=True, slots=True)
class Limits:
    """How much a file may unpack to: an upload's guard against a workbook that is small on
    the wire and enormous once unzipped (None: no limit, for files an operator imports)."""

    max_cells: int | None = None
    max_unpacked_bytes: int | None = None


NO_LIMITS = Limits()
# A 20 MB upload of real rows unpacks to well under this; a zip bomb does not.
UPLOAD_LIMITS = Limits(max_cells=3_000_000, max_unpacked_bytes=200 * 2**20)


@dataclass
class RowStream:
    """A table read lazily: the header now, the data rows as they are iterated (a large file
    is never held in memory whole)."""

    name: str
    headers: list[str]
    rows: Iterator[tuple[int, dict[str, Any]]]


def read_table(content: bytes, filename: str, limits: Limits = NO_LIMITS) -> Sheet:
    """The first sheet of an xlsx, or a CSV (`,` `;` or tab; UTF-8 or Windows-1251)."""
    stream = stream_table(content, filename, limits)
    return Sheet(stream.name, stream.headers, list(stream.rows))


def stream_table(content: bytes, filename: str, limits: Limits = NO_LIMITS) -> RowStream:
    """Like `read_table`, but the rows come one by one as they are read from the file."""
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        raw = _xlsx_rows(content, filename, limits)
    elif suffix == ".csv":
        raw = _csv_rows(content, filename)
    else:
        kinds = ", ".join(SUPPORTED)
        raise UnreadableFileError(f"{filename}: unsupported file type; use one of {kinds}")
    counted = _counted(raw, filename, limits)
    for _number, values in counted:
        cells = [_clean(v) for v in values]
        if any(c not in (None, "") for c in cells):
            headers = [str(c or "").strip() for c in cells]
            return RowStream(filename, headers, _data_rows(headers, counted))
    raise UnreadableFileError(f"{filename}: the file is empty (no header row)")


def _data_rows(
    headers: list[str], numbered: Iterator[tuple[int, Sequence[Any]]]
) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, values in numbered:
        cells = [_clean(v) for v in values]
        if any(c not in (None, "") for c in cells):
            yield number, dict(zip(headers, cells, strict=False))


def _counted(
    numbered: Iterator[tuple[int, Sequence[Any]]], filename: str, limits: Limits
) -> Iterator[tuple[int, Sequence[Any]]]:
    cells = 0
    for number, values in numbered:
        cells += len(values)
        if limits.max_cells is not None and cells > limits.max_cells:
            raise UnreadableFileError(
                f"{filename}: more than {limits.max_cells:,} cells; split the file"
            )
        yield number, values


def _xlsx_rows(
    content: bytes, filename: str, limits: Limits
) -> Iterator[tuple[int, Sequence[Any]]]:
    if limits.max_unpacked_bytes is not None:
        _check_unpacked(content, filename, limits.max_unpacked_bytes)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise UnreadableFileError(f"{filename}: not a readable Excel workbook ({exc})") from exc
    return _closing_rows(workbook)


def _closing_rows(workbook: Any) -> Iterator[tuple[int, Sequence[Any]]]:
    try:
        yield from enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1)
    finally:
        workbook.close()


def _check_unpacked(content: bytes, filename: str, limit: int) -> None:
    """Refuse a workbook whose parts unpack to more than `limit` bytes, before unpacking."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFileError(f"{filename}: not a readable Excel workbook ({exc})") from exc
    if unpacked > limit:
        raise UnreadableFileError(
            f"{filename}: unpacks to {unpacked // 2**20:,} MB, more than the "
            f"{limit // 2**20} MB allowed; split the file"
        )


def _csv_rows(content: bytes, filename: str) -> Iterator[tuple[int, Sequence[Any]]]:
    text = _decode(content, filename)
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    return enumerate(([csv_uncell(cell) for cell in row] for row in reader), start=1)


@dataclass(frozen=True, slots=True)
class CsvFormat:
    """How a CSV file on disk is written: what a columnar reader needs to read it the same way."""

    encoding: str  # "utf-8-sig" or "cp1251"
    delimiter: str
    header_row: int  # 1-based: the rows before it are blank
    headers: list[str]


@contextmanager
def open_csv(path: Path) -> Iterator[tuple[CsvFormat, RowStream]]:
    """A CSV file read from disk row by row (never whole in memory, unlike `read_table`), with
    the same encodings, separators, header rule and row numbers."""
    encoding = file_encoding(path)
    with path.open(encoding=encoding, newline="") as handle:
        delimiter = _delimiter(handle.read(65536))
        handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter)
        numbered = enumerate(([csv_uncell(cell) for cell in row] for row in reader), start=1)
        for number, values in numbered:
            cells = [_clean(v) for v in values]
            if any(c not in (None, "") for c in cells):
                headers = [str(c or "").strip() for c in cells]
                rows = _data_rows(headers, numbered)
                yield (
                    CsvFormat(encoding, delimiter, number, headers),
                    RowStream(path.name, headers, rows),
                )
                return
    raise UnreadableFileError(f"{path.name}: the file is empty (no header row)")


def file_encoding(path: Path, chunk: int = 1 << 24) -> str:
    """UTF-8 when the whole file decodes as UTF-8 (checked chunk by chunk), else Windows-1251,
    the two encodings `read_table` accepts."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while block := handle.read(chunk):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1251"
    return "utf-8-sig"


def _delimiter(text: str) -> str:
    """The separator the header line uses most (`;` from Russian Excel, tab, or `,`).

    csv.Sniffer guesses `,` for Russian headers such as «Потребность 2025, кол-во».
    """
    header = next((line for line in text[:65536].splitlines() if line.strip()), "")
    counts = {sep: header.count(sep) for sep in (";", "\t", ",")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _decode(content: bytes, filename: str) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFileError(f"{filename}: text is neither UTF-8 nor Windows-1251")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        stripped = value.strip()
        return stripped or None
    return value


def write_xlsx(
    path: Path,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    text_columns: Sequence[int] = (),
) -> None:
    """A workbook with a bold frozen header; `text_columns` hold text (codes keep their zeros).

    Written in openpyxl's write-only mode so that a large export streams instead of building
    every cell in memory; every value goes through `excel_cell`, so no text becomes a formula.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, min(45, len(header) + 4))
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE6F0")
    wrap = Alignment(wrap_text=True, vertical="top")
    header_cells = []
    for header in headers:
        cell = excel_cell(sheet, header)
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
        header_cells.append(cell)
    sheet.append(header_cells)
    text = set(text_columns)
    for row in rows:
        sheet.append([excel_cell(sheet, v, i in text) for i, v in enumerate(row)])
    workbook.save(path)


# What spreadsheet programs take for the start of a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def excel_text(value: str) -> str:
    """`value` without the characters XML 1.0 cannot carry (openpyxl refuses them).

    Validation keeps them out of the database; rows stored before it existed still export,
    with U+FFFD marking where such a character was.
    """
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)


def excel_cell(sheet: Any, value: Any, text: bool = False) -> Cell:
    """One cell whose text stays text: `=cmd|...` is written as a string, never as a formula."""
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, str):
        value = excel_text(value)
    cell = WriteOnlyCell(sheet, value)
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    if text:
        cell.number_format = "@"
    return cell


def csv_cell(value: Any) -> Any:
    """A value for a CSV cell: text that a spreadsheet would run as a formula gets a leading
    apostrophe (and so does text that already starts with one); `csv_uncell` undoes it."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, "'")):
        return "'" + value
    return value


def csv_uncell(value: str) -> str:
    """The text `csv_cell` escaped, as it was."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r'":
        return value[1:]
    return value


def write_csv(path: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """UTF-8 CSV with a BOM and `;` separators, which Russian Excel opens correctly."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow([csv_cell(h) for h in headers])
        for row in rows:
            writer.writerow([csv_cell(v) for v in row])
