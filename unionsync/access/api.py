"""JSON API of the signed-in user, their tokens, the users an admin manages, the audit trail."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, status

from unionsync.access import service
from unionsync.access.deps import ActorDep
from unionsync.access.policy import NotAuthenticatedError, Principal
from unionsync.access.schemas import AuditEntryPublic, TokenPublic, UserCreate, UserPublic
from unionsync.access.service import AuditFilter, list_audit
from unionsync.api.deps import ListDep, SessionDep
from unionsync.core.schemas import IdPath, Page, to_page

router = APIRouter(prefix="/api/v1", tags=["access"])


def _username(actor: Principal) -> str:
    if actor.user_id is None:
        raise NotAuthenticatedError("a user account is needed")
    return actor.username


@router.get("/me")
def me(session: SessionDep, actor: ActorDep) -> UserPublic:
    return UserPublic.model_validate(service.get_user(session, _username(actor)))


@router.get("/me/tokens")
def my_tokens(session: SessionDep, actor: ActorDep) -> list[TokenPublic]:
    tokens = service.list_tokens(session, actor, _username(actor))
    return [TokenPublic.model_validate(t) for t in tokens]


@router.delete("/me/tokens/{token_id}", status_code=status.HTTP_200_OK)
def revoke_my_token(token_id: IdPath, session: SessionDep, actor: ActorDep) -> TokenPublic:
    return TokenPublic.model_validate(service.revoke_token(session, actor, token_id))


@router.get("/users")
def users(session: SessionDep, actor: ActorDep) -> list[UserPublic]:
    """The users of the admin's own side."""
    return [UserPublic.model_validate(u) for u in service.list_users(session, actor)]


@router.post("/users", status_code=status.HTTP_201_CREATED)
def add_user(data: UserCreate, session: SessionDep, actor: ActorDep) -> UserPublic:
    """A new user of the admin's own side."""
    user = service.create_user(
        session, actor, data.username, data.password, data.side, data.role, data.organization_id
    )
    return UserPublic.model_validate(user)


@router.get("/audit")
def audit_entries(
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    who: Annotated[str | None, Query(max_length=80)] = None,
    action: Annotated[str | None, Query(max_length=40)] = None,
    entity: Annotated[str | None, Query(max_length=60)] = None,
    since: Annotated[date | None, Query(description="from this day (YYYY-MM-DD)")] = None,
    until: Annotated[date | None, Query(description="to this day, inclusive")] = None,
) -> Page[AuditEntryPublic]:
    """Audit entries, newest first (admins and the Standing Committee)."""
    flt = AuditFilter(
        who,
        action,
        entity,
        since.isoformat() if since else None,
        until.isoformat() if until else None,
    )
    result = list_audit(session, actor, flt, params)
    return to_page(AuditEntryPublic, result)
