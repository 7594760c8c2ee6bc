"""The administrators' pages: the users of their side, and each user's API tokens.

An admin of Belarus manages Belarus's users (the operator, on the command line, all of them):
adds a user with a first password, issues a token (its secret is shown once, on the page that
issued it, and never stored) and revokes one. Every act is refused before the form is read
when the admin may not do it, and audited like any change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from unionsync.access import service
from unionsync.access.deps import ActorDep
from unionsync.access.models import ApiToken, Role, Side
from unionsync.access.policy import Action, Kind, Principal, require
from unionsync.api.deps import SessionDep
from unionsync.catalog.models import Organization, OrganizationKind
from unionsync.core.errors import DomainValidationError, FieldError, NotFoundError
from unionsync.core.messages import N_, Message
from unionsync.core.validation import NumberError, parse_int
from unionsync.web.pages import render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=200)]


def _own_side(actor: Principal) -> Side:
    """The side whose users the admin manages."""
    require(actor, Action.VIEW, Kind.USER)
    if actor.side is None:
        raise DomainValidationError([FieldError("side", "the operator manages users on the CLI")])
    return actor.side


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: SessionDep, actor: ActorDep) -> HTMLResponse:
    """The users of the admin's side, with their roles, last sign-in and live tokens."""
    side = _own_side(actor)
    banks = session.scalars(
        select(Organization)
        .where(Organization.kind == OrganizationKind.BANK)
        .order_by(Organization.name)
    ).all()
    users = service.list_users(session, actor)
    return render(
        request,
        session,
        "access/users.html",
        active="users",
        users=users,
        organizations=_names(session, {u.organization_id for u in users}),
        side=side,
        roles=list(Role),
        banks=banks if side is Side.BANK else [],
    )


@router.post("/admin/users")
def add_user(
    session: SessionDep,
    actor: ActorDep,
    username: Text = "",
    password: Text = "",
    role: Text = "",
    organization: Text = "",
) -> Response:
    """A new user of the admin's side with a first password (they change it themselves)."""
    side = _own_side(actor)
    require(actor, Action.MANAGE_USERS, Kind.USER, owner=side.value)
    roles = {r.value: r for r in Role}
    if role not in roles:
        raise DomainValidationError(
            [FieldError.explained("role", Message(N_("is not one of the values offered")), role)]
        )
    org = _whole("organization", organization) if organization.strip() else None
    user = service.create_user(session, actor, username.strip(), password, side, roles[role], org)
    return RedirectResponse(f"/admin/users/{user.username}", status_code=303)


@router.get("/admin/users/{username}", response_class=HTMLResponse)
def user_page(
    request: Request, username: str, session: SessionDep, actor: ActorDep
) -> HTMLResponse:
    """One user: their tokens (live, expired, revoked) and the form to issue one."""
    return _user_page(request, session, actor, username)


@router.post("/admin/users/{username}/tokens", response_class=HTMLResponse)
def issue(
    request: Request,
    username: str,
    session: SessionDep,
    actor: ActorDep,
    days: Text = "90",
) -> HTMLResponse:
    """A new token; its secret is shown on this answer only."""
    service.list_tokens(session, actor, username)  # refused before the form is read
    lifetime = _whole("days", days)
    token, secret = service.issue_token(session, actor, username, lifetime)
    return _user_page(request, session, actor, username, issued=(token, secret), status_code=201)


@router.post("/admin/tokens/{token_id}/revoke")
def revoke(token_id: int, session: SessionDep, actor: ActorDep) -> Response:
    """Revoke a token: it stops working at once."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFoundError("API token", token_id)
    service.revoke_token(session, actor, token_id)
    return RedirectResponse(f"/admin/users/{token.user.username}", status_code=303)


def _names(session: SessionDep, ids: set[int | None]) -> dict[int, str]:
    """The names of the users' organizations."""
    chosen = [i for i in ids if i is not None]
    rows = session.execute(
        select(Organization.id, Organization.name).where(Organization.id.in_(chosen))
    ).all()
    return {i: name for i, name in rows}


def _whole(field: str, text: str) -> int:
    """A form's whole number, or the field's error."""
    try:
        number = parse_int(text)
    except NumberError:
        number = None
    if number is None:
        raise DomainValidationError(
            [FieldError.explained(field, Message(N_("must be a whole number")), text)]
        )
    return number


def _user_page(
    request: Request,
    session: SessionDep,
    actor: Principal,
    username: str,
    issued: tuple[ApiToken, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    tokens = service.list_tokens(session, actor, username)
    return render(
        request,
        session,
        "access/user.html",
        active="users",
        status_code=status_code,
        user=(user := service.get_user(session, username)),
        organizations=_names(session, {user.organization_id}),
        tokens=tokens,
        issued=issued,
        now=datetime.now(UTC),
    )
