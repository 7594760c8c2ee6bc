"""Code lists: entries as written, membership that agrees with the plain definition, editing
under the policy, imports with row errors."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from unionsync.access.models import Role, Side
from unionsync.access.policy import SYSTEM, PermissionDeniedError, Principal
from unionsync.core.tabular import ImportFailedError, read_table
from unionsync.nomenclature import lists
from unionsync.nomenclature.lists import MembershipIndex, Span, spans_of


def naive(spans: list[Span], code: str) -> bool:
    return any(
        len(code) >= len(s.first) and s.first <= code[: len(s.first)] <= s.last for s in spans
    )


def test_written_cells_become_spans():
    assert spans_of("8482 10 – 8482 80; из 8708, 8501") == [
        Span("848210", "848280"),
        Span("8708", "8708", ex=True),
        Span("8501", "8501"),
    ]


def test_membership_covers_prefixes_ranges_and_deeper_codes_only():
    index = MembershipIndex(spans_of("8482 10 – 8482 80; 8501; 0101210000"))
    codes = ["8482300009", "848290", "8501", "8501529009", "85", "0101210000", "0101290000"]
    assert index.contains(codes).tolist() == [True, False, True, True, False, True, False]
    assert "8482" not in index and "848250" in index


levels = st.sampled_from([2, 4, 6, 10])


@st.composite
def span_lists(draw: st.DrawFn) -> list[Span]:
    spans = []
    for _ in range(draw(st.integers(1, 12))):
        level = draw(levels)
        a = draw(st.integers(0, 10**level - 1))
        b = draw(st.integers(a, min(a + 50, 10**level - 1)))
        spans.append(Span(str(a).zfill(level), str(b).zfill(level)))
    return spans


@settings(max_examples=60, deadline=None)
@given(span_lists(), st.lists(st.integers(0, 10**10 - 1), min_size=1, max_size=40), levels)
def test_membership_agrees_with_the_definition(spans, numbers, level):
    codes = [str(n).zfill(10)[:level] for n in numbers]
    index = MembershipIndex(spans)
    assert index.contains(codes).tolist() == [naive(spans, c) for c in codes]


BY_EDITOR = Principal("by-editor", Side.BY, Role.EDITOR, user_id=1)
UNION_EDITOR = Principal("union-editor", Side.UNION, Role.EDITOR, user_id=2)


def test_lists_are_edited_by_writers_of_their_side(session: Session):
    crit = lists.create_list(session, UNION_EDITOR, "CRIT", "Критическая", "UNION")
    assert len(lists.add_entries(session, UNION_EDITOR, crit, "8482; из 8708")) == 2
    assert lists.add_entries(session, UNION_EDITOR, crit, "8482") == []  # no duplicates
    with pytest.raises(PermissionDeniedError):
        lists.add_entries(session, BY_EDITOR, crit, "8501")
    with pytest.raises(PermissionDeniedError):
        lists.create_list(session, BY_EDITOR, "RU-X", "x", "RU")
    lists.remove_entry(session, UNION_EDITOR, crit, crit.entries[0].id)
    assert [e.written for e in crit.entries] == ["из 8708"]


def test_list_import_reports_bad_rows_and_adds_nothing(session: Session):
    crit = lists.create_list(session, SYSTEM, "CRIT2", "x", "UNION")
    bad = "Код;Примечание\n8482;подшипники\n84A2;опечатка\n8482 80 – 8482 10;\n".encode()
    with pytest.raises(ImportFailedError) as info:
        lists.import_entries(session, SYSTEM, crit, read_table(bad, "list.csv"))
    assert [(e.row, e.column) for e in info.value.errors] == [(3, "Код"), (4, "Код")]
    assert crit.entries == []
    good = "Code,Note\n8482 10 – 8482 80,bearings\n".encode()
    assert lists.import_entries(session, SYSTEM, crit, read_table(good, "list.csv")) == 1


def test_many_codes_are_checked_at_once():
    rng = random.Random(5)
    spans = [
        Span(f"{rng.randint(100, 9799):04d}", f"{rng.randint(100, 9799):04d}") for _ in range(100)
    ]
    spans = [Span(min(s.first, s.last), max(s.first, s.last)) for s in spans]
    codes = [f"{rng.randint(0, 9_999_999_999):010d}" for _ in range(5000)]
    assert MembershipIndex(spans).contains(codes).tolist() == [naive(spans, c) for c in codes]
