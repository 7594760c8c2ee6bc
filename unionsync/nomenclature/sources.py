"""Readers of the official classifier files into plain records (no database here).

- TN VED EAEU as the Russian tax service distributes it: `TNVED1.TXT` (sections), `TNVED2.TXT`
  (chapters), `TNVED3.TXT` (headings), `TNVED4.TXT` (10-digit codes) when present: pipe-separated,
  cp866, a header record first, each record with its validity dates `DD.MM.YYYY`; the 10-digit
  level of the 2022 edition also from the JSON tree (codes already read from TNVED4 are kept).
  Headings without subdivision are in neither (see `service.complete_undivided_headings`).
- HS 2022 (`harmonized-system.csv`: section, hscode, description, parent, level).
- OKPD2 (the open-data CSV `code,name,section,idx,description,global_id`, or the XML zip whose
  `Kod` lost leading zeros while `Idx` kept them).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree

from unionsync.core.messages import N_, ExplainedError
from unionsync.nomenclature.models import CodeSystem

HS_2022 = date(2022, 1, 1)
OKPD2_EDITION = date(2022, 5, 25)
_DASHES = re.compile(r"^[-\s\u00a0]+")
_FOOTNOTE = re.compile(r"\d\)$")


class SourceError(ExplainedError):
    """A classifier file that is missing or not in the expected layout."""


@dataclass(frozen=True, slots=True)
class CodeRecord:
    system: CodeSystem
    code: str
    level: int
    parent: str | None
    name_ru: str | None
    name_en: str | None
    note: str | None
    valid_from: date
    valid_to: date | None
    edition: str


def _day(text: str) -> date | None:
    text = text.strip()
    return datetime.strptime(text, "%d.%m.%Y").date() if text else None


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    cleaned = re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()
    return cleaned or None


def leaf_text(name: str) -> str:
    """A 10-digit line without its leading dashes and footnote mark: «- - прочие5)» → «прочие»."""
    return _FOOTNOTE.sub("", _DASHES.sub("", name.replace("\u00a0", " "))).strip()


def _pipe_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    if not path.exists():
        raise SourceError(N_("%(file)s is missing"), file=str(path))
    with path.open(encoding="cp866", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            if number == 1 or not line.strip():
                continue  # the first record describes the file itself
            yield number, line.rstrip("\r\n").split("|")


def _edition(day: date) -> str:
    return f"TNVED {day:%Y-%m-%d}"


def read_tnved_dir(folder: Path) -> list[CodeRecord]:
    """Sections, chapters and headings with their history, and the 2022 10-digit codes."""
    records: list[CodeRecord] = []
    for number, row in _pipe_rows(folder / "TNVED1.TXT"):
        section, name, note, start, end = _fields(folder / "TNVED1.TXT", number, row, 5)
        records.append(_record(f"S{section}", 0, None, name, note, start, end))
    for number, row in _pipe_rows(folder / "TNVED2.TXT"):
        section, chapter, name, note, start, end = _fields(folder / "TNVED2.TXT", number, row, 6)
        records.append(_record(chapter, 2, f"S{section}", name, note, start, end))
    for number, row in _pipe_rows(folder / "TNVED3.TXT"):
        chapter, heading, name, start, end = _fields(folder / "TNVED3.TXT", number, row, 5)
        records.append(_record(chapter + heading, 4, chapter, name, None, start, end))
    if (folder / "TNVED4.TXT").exists():
        records.extend(read_tnved4(folder / "TNVED4.TXT"))
    if (folder / "tnved_2022_tree.json").exists() or not (folder / "TNVED4.TXT").exists():
        tree = read_tnved_tree(folder / "tnved_2022_tree.json")
        have = {(r.code, r.valid_from) for r in records if r.level == 10}
        records.extend(r for r in tree if (r.code, r.valid_from) not in have)
    return records


def read_tnved4(path: Path) -> list[CodeRecord]:
    """10-digit codes with their history from the official `TNVED4.TXT`:
    chapter | heading | the last six digits | name | valid from | valid to."""
    records = []
    for number, row in _pipe_rows(path):
        chapter, heading, rest, name, start, end = _fields(path, number, row, 6)
        code = chapter + heading + rest
        if len(code) != 10 or not code.isdigit():
            raise SourceError(
                N_("%(file)s, line %(line)s: bad TN VED code %(code)s"),
                file=path.name,
                line=number,
                code=code,
            )
        valid_from = _day(start) or date(2002, 1, 1)
        records.append(
            CodeRecord(
                CodeSystem.TNVED,
                code,
                10,
                chapter + heading,
                _clean(name),
                None,
                None,
                valid_from,
                _day(end),
                _edition(valid_from),
            )
        )
    return records


def _fields(path: Path, number: int, row: list[str], count: int) -> list[str]:
    if len(row) < count:
        raise SourceError(
            N_("%(file)s, line %(line)s: expected %(n)s fields, found %(found)s"),
            file=path.name,
            line=number,
            n=count,
            found=len(row),
        )
    return row[:count]


def _record(
    code: str, level: int, parent: str | None, name: str, note: str | None, start: str, end: str
) -> CodeRecord:
    valid_from = _day(start) or date(2002, 1, 1)
    return CodeRecord(
        CodeSystem.TNVED,
        code,
        level,
        parent,
        _clean(name),
        None,
        _clean(note),
        valid_from,
        _day(end),
        _edition(valid_from),
    )


def read_tnved_tree(path: Path) -> list[CodeRecord]:
    """10-digit codes of the 2022 edition (headings without subdivision are not in the tree)."""
    if not path.exists():
        raise SourceError(N_("%(file)s is missing"), file=str(path))
    tree = json.loads(path.read_text(encoding="utf-8"))
    records = []
    for section in tree:
        for group in section.get("groups") or []:
            for heading in group.get("goods") or []:
                for sub in heading.get("subs") or []:
                    day = date.fromisoformat(sub["date"][:10])
                    records.append(
                        CodeRecord(
                            CodeSystem.TNVED,
                            sub["code"],
                            10,
                            heading["code"],
                            _clean(sub["naim"]),
                            None,
                            None,
                            day,
                            None,
                            _edition(day),
                        )
                    )
    return records


def read_hs_csv(path: Path) -> list[CodeRecord]:
    """HS 2022 chapters, headings and subheadings with English names."""
    if not path.exists():
        raise SourceError(N_("%(file)s is missing"), file=str(path))
    records = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            code = (row.get("hscode") or "").strip()
            if code == "TOTAL":
                continue
            if not code.isdigit() or len(code) not in (2, 4, 6):
                raise SourceError(
                    N_("%(file)s, line %(line)s: bad HS code %(code)s"),
                    file=path.name,
                    line=number,
                    code=code,
                )
            parent = row.get("parent") if row.get("parent") not in (None, "", "TOTAL") else None
            records.append(
                CodeRecord(
                    CodeSystem.HS,
                    code,
                    len(code),
                    parent,
                    None,
                    _clean(row.get("description")),
                    None,
                    HS_2022,
                    None,
                    "HS2022",
                )
            )
    return records


def read_okpd2(path: Path) -> list[CodeRecord]:
    """OKPD2 from the open-data CSV or the XML zip (codes rebuilt from `Idx`)."""
    if not path.exists():
        raise SourceError(N_("%(file)s is missing"), file=str(path))
    rows = _okpd2_xml(path) if path.suffix.lower() in (".zip", ".xml") else _okpd2_csv(path)
    records = []
    known = {code for code, *_ in rows}
    for code, name, note, section in rows:
        parent = _okpd2_parent(code, known) or (section if code[:1].isdigit() else None)
        records.append(
            CodeRecord(
                CodeSystem.OKPD2,
                code,
                _okpd2_level(code),
                parent,
                _clean(name),
                None,
                _clean(note),
                OKPD2_EDITION,
                None,
                "OK 034-2014 (2022-05-25)",
            )
        )
    return records


OkpdRow = tuple[str, str, str | None, str]


def _okpd2_csv(path: Path) -> list[OkpdRow]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            (_okpd2_code(r["idx"]), r["name"], r.get("description") or None, r["section"])
            for r in csv.DictReader(handle)
        ]


def _okpd2_xml(path: Path) -> list[OkpdRow]:
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            content = archive.read(archive.namelist()[0])
    else:
        content = path.read_bytes()
    root = ElementTree.parse(io.BytesIO(content)).getroot()
    return [
        (
            _okpd2_code(item.findtext("Idx") or ""),
            item.findtext("Name") or "",
            item.findtext("Nomdescr") or None,
            item.findtext("Razdel") or "",
        )
        for item in root.iter("array")
    ]


def _okpd2_code(idx: str) -> str:
    """`A.01.11.111` → `01.11.111`; a section `A.` → `A`."""
    section, _, rest = idx.strip().partition(".")
    return rest or section


def _okpd2_level(code: str) -> int:
    return sum(ch.isdigit() for ch in code)


def _okpd2_parent(code: str, known: set[str]) -> str | None:
    """The nearest shorter code that exists (`28.15.10.120` → `28.15.10`)."""
    if not code[:1].isdigit():
        return None
    candidate = code
    while len(candidate) > 2:
        candidate = candidate[:-1].rstrip(".")
        if candidate in known:
            return candidate
    return None
