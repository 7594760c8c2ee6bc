"""Dependencies every router uses: one transaction per request, list parameters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from unionsync.core.listing import MAX_PER_PAGE, ListParams


def get_session(request: Request) -> Iterator[Session]:
    """A session whose transaction commits when the request succeeds and rolls back otherwise."""
    factory = request.app.state.session_factory
    with factory() as session, session.begin():
        yield session


def list_params(
    page: Annotated[int, Query(ge=1, description="1-based page number")] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 50,
    sort: Annotated[
        str | None, Query(description="field, or -field for descending; comma-separated")
    ] = None,
) -> ListParams:
    return ListParams(page=page, per_page=per_page, sort=sort)


SessionDep = Annotated[Session, Depends(get_session)]
ListDep = Annotated[ListParams, Depends(list_params)]
