"""Named code lists (critical products, …): entries as written, fast membership, import.

Membership is vectorised with numpy: each level's entries become merged integer intervals, and
a batch of codes is answered with one `searchsorted` per level.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from unionsync.access.policy import Action, Kind, Principal, require
from unionsync.core.errors import NotFoundError
from unionsync.core.messages import N_
from unionsync.core.tabular import ImportFailedError, RowError, Sheet
from unionsync.nomenclature.codes import CodeError, CodeRange, TnvedCode, parse_code_list
from unionsync.nomenclature.models import CodeList, CodeListEntry

CODE_HEADERS = ("код", "код тн вэд", "код тн вэд еаэс", "code", "tnved", "tn ved code")
NOTE_HEADERS = ("примечание", "наименование", "note", "name")


@dataclass(frozen=True, slots=True)
class Span:
    """Codes from `first` to `last` at one level; `ex` = only part of them."""

    first: str
    last: str
    ex: bool = False


def spans_of(written: str) -> list[Span]:
    """The spans one written cell stands for (`8482 10 – 8482 80; из 8708`)."""
    spans = []
    for spec in parse_code_list(written):
        if isinstance(spec, CodeRange):
            spans.append(Span(spec.first, spec.last, spec.ex))
        elif isinstance(spec, TnvedCode):
            spans.append(Span(spec.digits, spec.digits, spec.ex))
    return spans


def display(span: Span) -> str:
    """A span written the customary way: `8482 10`, `из 8708`, `8482 10 – 8482 80`."""
    first = TnvedCode(span.first).formatted()
    text = first if span.first == span.last else f"{first} – {TnvedCode(span.last).formatted()}"
    return f"из {text}" if span.ex else text


class MembershipIndex:
    """Answers "is this code in the list?" for millions of codes at a time."""

    def __init__(self, spans: Iterable[Span]) -> None:
        by_level: dict[int, list[tuple[int, int]]] = {}
        for span in spans:
            by_level.setdefault(len(span.first), []).append((int(span.first), int(span.last)))
        self.levels: dict[int, tuple[NDArray[np.int64], NDArray[np.int64]]] = {}
        for level, pairs in by_level.items():
            merged: list[list[int]] = []
            for start, end in sorted(pairs):
                if merged and start <= merged[-1][1] + 1:
                    merged[-1][1] = max(merged[-1][1], end)
                else:
                    merged.append([start, end])
            self.levels[level] = (
                np.array([m[0] for m in merged], dtype=np.int64),
                np.array([m[1] for m in merged], dtype=np.int64),
            )

    def contains(self, codes: Sequence[str]) -> NDArray[np.bool_]:
        """One flag per code: covered by an entry at its own level or above."""
        result = np.zeros(len(codes), dtype=bool)
        array = np.asarray(codes, dtype="U10")
        lengths = np.char.str_len(array)
        for length in np.unique(lengths):
            where = np.nonzero(lengths == length)[0]
            values = array[where].astype(np.int64)
            found = np.zeros(len(where), dtype=bool)
            for level, (starts, ends) in self.levels.items():
                if level > length:
                    continue
                prefix = values // (10 ** (int(length) - level))
                slot = np.searchsorted(starts, prefix, side="right") - 1
                inside = (slot >= 0) & (prefix <= ends[np.clip(slot, 0, None)])
                found |= inside
            result[where] = found
        return result

    def __contains__(self, code: object) -> bool:
        return bool(self.contains([str(code)])[0])


def get_list(session: Session, actor: Principal, code: str) -> CodeList:
    require(actor, Action.VIEW, Kind.CODE_LIST)
    found = session.scalar(
        select(CodeList).options(selectinload(CodeList.entries)).where(CodeList.code == code)
    )
    if found is None:
        raise NotFoundError("code list", code)
    return found


def all_lists(session: Session, actor: Principal) -> Sequence[CodeList]:
    require(actor, Action.VIEW, Kind.CODE_LIST)
    return session.scalars(
        select(CodeList).options(selectinload(CodeList.entries)).order_by(CodeList.code)
    ).all()


def entry_spans(code_list: CodeList) -> list[Span]:
    return [Span(e.first, e.last, e.ex) for e in code_list.entries]


def index_of(code_list: CodeList) -> MembershipIndex:
    return MembershipIndex(entry_spans(code_list))


def create_list(session: Session, actor: Principal, code: str, name: str, owner: str) -> CodeList:
    """A new, empty list maintained by `owner` (BY, RU or UNION)."""
    require(actor, Action.CREATE, Kind.CODE_LIST, owner=owner)
    code_list = CodeList(code=code, name=name, owner=owner)
    session.add(code_list)
    session.flush()
    return code_list


def add_entries(
    session: Session, actor: Principal, code_list: CodeList, written: str, note: str | None = None
) -> list[CodeListEntry]:
    """Add what one cell says; a line already there is not added twice."""
    require(actor, Action.UPDATE, Kind.CODE_LIST, owner=code_list.owner)
    have = {(e.first, e.last, e.ex) for e in code_list.entries}
    added = []
    for span in spans_of(written):
        if (span.first, span.last, span.ex) in have:
            continue
        entry = CodeListEntry(
            written=display(span), first=span.first, last=span.last, ex=span.ex, note=note
        )
        code_list.entries.append(entry)
        have.add((span.first, span.last, span.ex))
        added.append(entry)
    session.flush()
    return added


def remove_entry(session: Session, actor: Principal, code_list: CodeList, entry_id: int) -> None:
    require(actor, Action.DELETE, Kind.CODE_LIST, owner=code_list.owner)
    entry = next((e for e in code_list.entries if e.id == entry_id), None)
    if entry is None:
        raise NotFoundError("list entry", entry_id)
    code_list.entries.remove(entry)
    session.flush()


def import_entries(session: Session, actor: Principal, code_list: CodeList, sheet: Sheet) -> int:
    """A column of codes (Russian or English header) added all-or-nothing; returns lines added."""
    require(actor, Action.UPDATE, Kind.CODE_LIST, owner=code_list.owner)
    headers = {h.strip().casefold(): h for h in sheet.headers}
    code_header = next((headers[h] for h in CODE_HEADERS if h in headers), None)
    note_header = next((headers[h] for h in NOTE_HEADERS if h in headers), None)
    if code_header is None:
        raise ImportFailedError(
            [
                RowError.explained(
                    sheet.name,
                    1,
                    "Код",
                    N_("required column is missing (in English: %(en)s)"),
                    en="«Code»",
                )
            ]
        )
    errors: list[RowError] = []
    rows: list[tuple[str, str | None]] = []
    for number, cells in sheet.rows:
        written = str(cells.get(code_header) or "").strip()
        try:
            spans_of(written)
        except CodeError as exc:
            errors.append(
                RowError.explained(
                    sheet.name, number, code_header, exc.template, written, **exc.params
                )
            )
            continue
        note = cells.get(note_header) if note_header else None
        rows.append((written, str(note) if note else None))
    if errors:
        raise ImportFailedError(errors)
    return sum(len(add_entries(session, actor, code_list, w, n)) for w, n in rows)
