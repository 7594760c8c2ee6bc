"""Who is asking: a bearer token (API scripts) or the session cookie (browsers)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request

from unionsync.access import service
from unionsync.access.audit import ACTOR_KEY, ADDRESS_KEY
from unionsync.access.policy import ANONYMOUS, NotAuthenticatedError, Principal
from unionsync.api.deps import SessionDep

SESSION_COOKIE = "us_session"


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def current_actor(request: Request, session: SessionDep) -> Principal:
    """The principal of this request (anonymous when no valid credential is presented).

    It is also put on the database session, so the audit trail records who did what.
    """
    actor = ANONYMOUS
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        actor = service.principal_from_bearer(session, header[7:].strip()) or ANONYMOUS
    elif not request.url.path.startswith("/api/") and (
        cookie := request.cookies.get(SESSION_COOKIE)
    ):  # the API takes tokens only, so a cookie can never be replayed cross-site against it
        idle = timedelta(minutes=request.app.state.settings.session_idle_minutes)
        actor = service.principal_from_session_cookie(session, cookie, idle) or ANONYMOUS
    session.info[ACTOR_KEY] = actor
    session.info[ADDRESS_KEY] = client_address(request)
    request.state.actor = actor
    return actor


ActorDep = Annotated[Principal, Depends(current_actor)]


def signed_in(actor: ActorDep) -> Principal:
    """Router-level guard: nobody anonymous gets past it (pages redirect to the sign-in page)."""
    if not actor.authenticated:
        raise NotAuthenticatedError("sign in first")
    return actor
