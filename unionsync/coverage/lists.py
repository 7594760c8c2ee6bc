"""The synchronisation report's long lists, filtered, sorted and paged like every other list.

The report holds hundreds of items per section on the demo and tens of thousands on a real
installation: one page cannot show them all. These functions cut the (shared, precomputed)
report in memory; nothing is recomputed per request. Filters are validated here, so the page
and any other caller refuse the same bad input with the same field error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from unionsync.core.errors import DomainValidationError, FieldError
from unionsync.core.listing import ListParams, PageResult
from unionsync.core.messages import N_, Message
from unionsync.coverage.allocation import Verdict
from unionsync.coverage.service import quantity_share, value_share
from unionsync.coverage.sync import Line, Overlap, SyncReport
from unionsync.trade.service import MissingRateError

T = TypeVar("T")
COUNTRIES = ("BY", "RU")


class Section(StrEnum):
    """Which of the report's lists: every item, the covered ones, the gaps, the overlaps."""

    ITEMS = "items"
    COMPLEMENTS = "complements"
    GAPS = "gaps"
    OVERLAPS = "overlaps"


@dataclass(frozen=True, slots=True)
class SyncFilter:
    country: str | None = None  # whose demand (for overlaps: either side)
    industry_id: int | None = None
    q: str | None = None  # in the item's name, program code or TN VED code
    verdict: Verdict | None = None
    conflict: bool = False  # overlaps whose target years differ only


def line_key(sort: str) -> Callable[[Line], Any]:
    """The sort key of one field of a line; a missing value sorts below every value (last when
    descending, as gaps are by default)."""
    keys: dict[str, Callable[[Line], Any]] = {
        "program": lambda x: (x.item.country, x.item.program, x.item.position),
        "name": lambda x: x.item.name.casefold(),
        "code": lambda x: x.item.code or "~",
        "covered": lambda x: x.covered_share,
        "value": lambda x: x.value_usd if x.value_usd is not None else float("-inf"),
        "target": lambda x: x.item.target_year or 0,
    }
    return keys[sort]


LINE_SORTS = ("program", "name", "code", "covered", "value", "target")
OVERLAP_SORTS = ("code", "target")
DEFAULT_SORT = {
    Section.ITEMS: "program",
    Section.COMPLEMENTS: "program",
    Section.GAPS: "-value",  # the largest demand by money first
    Section.OVERLAPS: "code",
}


def parse_filter(
    country: str | None,
    industry: str | None,
    q: str | None,
    verdict: str | None,
    conflict: str | None,
) -> SyncFilter:
    """The filters as the page's query string gives them, checked; every bad one is named."""
    errors: list[FieldError] = []
    country = (country or "").strip().upper() or None
    if country is not None and country not in COUNTRIES:
        errors.append(FieldError.explained("country", Message(N_("must be BY or RU")), country))
    industry_id: int | None = None
    if industry not in (None, ""):
        try:
            industry_id = int(industry)
        except ValueError:
            errors.append(
                FieldError.explained("industry", Message(N_("must be a whole number")), industry)
            )
    chosen: Verdict | None = None
    if verdict not in (None, ""):
        try:
            chosen = Verdict(verdict)
        except ValueError:
            errors.append(
                FieldError.explained(
                    "verdict", Message(N_("must be fully, partly or not")), verdict
                )
            )
    if errors:
        raise DomainValidationError(errors)
    text = (q or "").strip() or None
    return SyncFilter(country, industry_id, text, chosen, conflict in ("1", "on", "true"))


def check_sort(section: Section, sort: str | None) -> str:
    """The sort asked for, or the section's default; an unknown field names the known ones."""
    if not sort:
        return DEFAULT_SORT[section]
    known = OVERLAP_SORTS if section is Section.OVERLAPS else LINE_SORTS
    if sort.lstrip("-") not in known:
        raise DomainValidationError(
            [
                FieldError.explained(
                    "sort",
                    Message(N_("unknown field; known: %(known)s"), known=", ".join(known)),
                    sort,
                )
            ]
        )
    return sort


def lines(report: SyncReport, section: Section, flt: SyncFilter, sort: str) -> list[Line]:
    """The report's items of one section that pass the filter, sorted."""
    chosen = [x for x in report.lines if _in_section(x, section) and _keeps(x, flt)]
    return _sorted(chosen, sort, line_key)


def overlaps(report: SyncReport, flt: SyncFilter, sort: str) -> list[Overlap]:
    """The report's overlaps that pass the filter, sorted by subheading or earliest target."""

    def key(field: str) -> Callable[[Overlap], Any]:
        if field == "target":
            return lambda o: min(
                (i.target_year for i in (*o.by_items, *o.ru_items) if i.target_year),
                default=0,
            )
        return lambda o: o.code

    chosen = [o for o in report.overlaps if _overlap_keeps(o, flt)]
    return _sorted(chosen, sort, key)


def page_of(rows: Sequence[T], params: ListParams) -> PageResult[T]:
    """One page of rows already in memory (a page past the last is empty, not an error)."""
    start = params.offset()
    return PageResult(
        rows[start : start + params.per_page], len(rows), params.page, params.per_page
    )


@dataclass(frozen=True, slots=True)
class Shares:
    """The covered shares of the lines listed, computed as the summary computes them, so that
    the list opened from a figure shows that figure again over the rows behind it."""

    quantity: float | None
    value: float | None
    demand_lines: int  # item-years with demand


def shares_of(report: SyncReport, chosen: Sequence[Line]) -> Shares:
    ids = {x.item.item_id for x in chosen}
    rows = [
        year
        for coverage in report.coverage.values()
        for item in coverage.items
        if item.item_id in ids
        for year in item.years
    ]
    try:
        valued = value_share(rows, report.converter)
    except MissingRateError:
        valued = None
    return Shares(quantity_share(rows), valued, sum(1 for y in rows if y.demand > 0))


def _in_section(line: Line, section: Section) -> bool:
    if section is Section.GAPS:
        return line.gap
    if section is Section.COMPLEMENTS:
        return line.verdict is not Verdict.NOT and line.covered_share > 0
    return True


def _keeps(line: Line, flt: SyncFilter) -> bool:
    item = line.item
    if flt.country is not None and item.country != flt.country:
        return False
    if flt.industry_id is not None and item.industry_id != flt.industry_id:
        return False
    if flt.verdict is not None and line.verdict is not flt.verdict:
        return False
    return flt.q is None or _matches(flt.q, item.name, item.program, item.code)


def _overlap_keeps(overlap: Overlap, flt: SyncFilter) -> bool:
    if flt.industry_id is not None and flt.industry_id not in overlap.industry_ids:
        return False
    if flt.conflict and not overlap.timing_conflict:
        return False
    if flt.country is not None:
        mine = overlap.by_items if flt.country == "BY" else overlap.ru_items
        if not mine:
            return False
    items = (*overlap.by_items, *overlap.ru_items)
    return (
        flt.q is None
        or any(_matches(flt.q, i.name, i.program, i.code) for i in items)
        or flt.q in overlap.code
    )


def _matches(text: str, *fields: str | None) -> bool:
    needle = text.casefold()
    return any(needle in f.casefold() for f in fields if f)


def _sorted(rows: list[T], sort: str, key: Callable[[str], Callable[[T], Any]]) -> list[T]:
    field = sort.lstrip("-")
    return sorted(rows, key=key(field), reverse=sort.startswith("-"))
