"""Sign-in and sign-out pages, and the audit trail page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.access import service
from unionsync.access.audit import ADDRESS_KEY, verify_chain
from unionsync.access.deps import SESSION_COOKIE, ActorDep, client_address, signed_in
from unionsync.access.models import AuditEntry
from unionsync.access.service import AuditFilter, list_audit
from unionsync.api.deps import SessionDep
from unionsync.core.listing import ListParams
from unionsync.core.meta import DEMO_KEY, get_meta
from unionsync.web.csrf import verify_csrf
from unionsync.web.pages import PageNumber, blank_to_none, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
audit_router = APIRouter(include_in_schema=False, dependencies=[Depends(signed_in)])

DEMO_USERS = (
    "by-editor",
    "by-approver",
    "ru-editor",
    "ru-approver",
    "union-viewer",
    "bank-viewer",
    "by-admin",
    "ru-admin",
)


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


def _login_page(
    request: Request, session: Session, status_code: int = 200, **context: Any
) -> HTMLResponse:
    demo = get_meta(session, DEMO_KEY) is not None
    return render(
        request,
        session,
        "access/login.html",
        status_code=status_code,
        demo_users=DEMO_USERS if demo else (),
        **context,
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, session: SessionDep, next: str = "/") -> HTMLResponse:
    return _login_page(request, session, next=_safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password (rate-limited), open a session and go where the user was going."""
    session.info[ADDRESS_KEY] = client_address(request)
    try:
        user = service.authenticate(
            session,
            username.strip(),
            password,
            client_address(request),
            request.app.state.sign_in_limiter,
        )
    except service.RateLimitedError as exc:
        page = _login_page(
            request,
            session,
            429,
            next=_safe_next(next),
            username=username,
            error="rate",
            retry_after=exc.retry_after,
        )
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except service.AuthenticationError:
        return _login_page(
            request, session, 401, next=_safe_next(next), username=username, error="credentials"
        )
    cookie = service.start_web_session(session, user)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, cookie, httponly=True, samesite="lax", secure=request.url.scheme == "https"
    )
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> Response:
    if cookie := request.cookies.get(SESSION_COOKIE):
        service.end_web_session(session, cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@audit_router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    page: PageNumber = 1,
    who: str | None = None,
    action: str | None = None,
    entity: str | None = None,
    since: str | None = None,
    until: str | None = None,
    verify: str | None = None,
) -> HTMLResponse:
    flt = AuditFilter(
        blank_to_none(who),
        blank_to_none(action),
        blank_to_none(entity),
        blank_to_none(since),
        blank_to_none(until),
    )
    result = list_audit(session, actor, flt, ListParams(page, 100))
    actions = session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    entities = session.scalars(select(AuditEntry.entity).distinct().order_by(AuditEntry.entity))
    report = verify_chain(session) if verify else None
    return render(
        request,
        session,
        "access/audit.html",
        active="audit",
        page=result,
        flt=flt,
        params=dict(request.query_params),
        actions=list(actions),
        entities=[e for e in entities if e],
        report=report,
    )
