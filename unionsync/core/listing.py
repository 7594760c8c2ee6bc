"""Filtering, sorting and pagination shared by every list (API, pages and CLI)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from unionsync.core.errors import DomainValidationError, FieldError

T = TypeVar("T")
Column = ColumnElement[Any] | QueryableAttribute[Any]
MAX_PER_PAGE = 500


@dataclass(frozen=True, slots=True)
class ListParams:
    """Which page, how big, sorted by which field (`-field` for descending)."""

    page: int = 1
    per_page: int = 50
    sort: str | None = None

    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True, slots=True)
class PageResult(Generic[T]):
    """One page of rows and the total that matched."""

    items: Sequence[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def paginate(
    session: Session,
    stmt: Select[T],
    params: ListParams,
    sortable: Mapping[str, Column],
    default_sort: Sequence[Column],
) -> PageResult[T]:
    """Count, sort and slice `stmt`; an unknown sort field is an error that lists the known."""
    _check_bounds(params)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    stmt = stmt.order_by(*_order(params.sort, sortable), *default_sort)
    rows = session.scalars(stmt.offset(params.offset()).limit(params.per_page)).unique().all()
    return PageResult(rows, total, params.page, params.per_page)


def _check_bounds(params: ListParams) -> None:
    errors = []
    if params.page < 1:
        errors.append(FieldError("page", "must be 1 or more", params.page))
    if not 1 <= params.per_page <= MAX_PER_PAGE:
        errors.append(
            FieldError("per_page", f"must be between 1 and {MAX_PER_PAGE}", params.per_page)
        )
    if errors:
        raise DomainValidationError(errors)


def _order(sort: str | None, sortable: Mapping[str, Column]) -> list[ColumnElement[Any]]:
    if not sort:
        return []
    order: list[ColumnElement[Any]] = []
    for part in sort.split(","):
        name = part.strip().lstrip("-")
        column = sortable.get(name)
        if column is None:
            known = ", ".join(sorted(sortable))
            raise DomainValidationError(
                [FieldError("sort", f"unknown field; known: {known}", name)]
            )
        order.append(column.desc() if part.strip().startswith("-") else column.asc())
    return order


def like_pattern(text: str) -> str:
    """A case-insensitive LIKE pattern for a free-text search, with wildcards escaped."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def text_search(text: str, *columns: Column) -> ColumnElement[bool]:
    """Rows where any column contains `text`, ignoring case (Unicode-aware on every backend)."""
    pattern = like_pattern(text.lower())
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))
