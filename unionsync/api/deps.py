"""Dependencies every router uses: one transaction per request, list parameters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from unionsync.core.listing import MAX_PER_PAGE, ListParams
from unionsync.core.validation import MAX_PAGE


def get_session(request: Request) -> Iterator[Session]:
    """A session whose transaction commits when the handler succeeds and rolls back otherwise.

    Its scope is the handler (`scope="function"`): the commit happens before the response is
    sent, so a client that reads right after a write sees it (with the default scope the commit
    ran after the response, and a quick second request could read the state before it)."""
    factory = request.app.state.session_factory
    with factory() as session, session.begin():
        yield session


def list_params(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number")] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 50,
    sort: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=r"^-?[a-z_]+(,-?[a-z_]+)*$",
            description="field, or -field for descending; comma-separated",
        ),
    ] = None,
) -> ListParams:
    return ListParams(page=page, per_page=per_page, sort=sort)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ListDep = Annotated[ListParams, Depends(list_params)]
