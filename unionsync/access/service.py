"""Users, passwords, API tokens, web sessions and sign-in (rate-limited, audited)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from unionsync.access import audit
from unionsync.access.models import (
    ApiToken,
    AuditEntry,
    Role,
    Side,
    SignInFailure,
    User,
    WebSession,
)
from unionsync.access.passwords import (
    digest,
    dummy_hash,
    hash_password,
    new_secret,
    verify_password,
)
from unionsync.access.policy import Action, Kind, Principal, require
from unionsync.core.errors import (
    ConflictError,
    DomainValidationError,
    FieldError,
    NotFoundError,
    UnionSyncError,
)
from unionsync.core.listing import ListParams, PageResult, paginate

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,79}$")
MIN_PASSWORD = 10
TOKEN_PREFIX = "ust"
SESSION_PREFIX = "uss"


class AuthenticationError(UnionSyncError):
    """A failed sign-in; the message never says whether the user exists."""

    status = 401
    title = "Unauthorized"

    def __init__(self) -> None:
        super().__init__("wrong user name or password")


class RateLimitedError(UnionSyncError):
    status = 429
    title = "Too many requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many sign-in attempts; try again in {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class SignInLimiter:
    """Failed sign-ins counted in the database (so every worker process sees them), separately
    by account and address, by address, and by account.

    Only failures count, and a success clears its account-and-address count. A stranger who
    guesses at an account from one address is stopped after `per_pair` failures, and from many
    accounts after `per_address`; the account itself is refused from every address only after
    `per_account` failures (a distributed attack), and then for at most `window` (stated on the
    page and in `Retry-After`). So nobody locks a user out from one address.
    """

    per_pair: int = 5
    per_address: int = 30
    per_account: int = 100
    window: timedelta = timedelta(minutes=10)

    def check(self, session: Session, username: str, address: str) -> None:
        """Raise `RateLimitedError` when a limit is reached, before the password is checked."""
        since = datetime.now(UTC) - self.window
        recent = select(func.count(), func.min(SignInFailure.at)).where(SignInFailure.at > since)
        for condition, limit in (
            (
                (SignInFailure.username == username) & (SignInFailure.address == address),
                self.per_pair,
            ),
            (SignInFailure.address == address, self.per_address),
            (SignInFailure.username == username, self.per_account),
        ):
            count, oldest = session.execute(recent.where(condition)).one()
            if count >= limit:
                wait = _aware(oldest) + self.window - datetime.now(UTC)
                raise RateLimitedError(max(1, int(wait.total_seconds()) + 1))

    def failed(self, session: Session, username: str, address: str) -> None:
        session.add(SignInFailure(at=datetime.now(UTC), username=username, address=address))
        session.execute(
            delete(SignInFailure).where(SignInFailure.at < datetime.now(UTC) - 6 * self.window)
        )

    def succeeded(self, session: Session, username: str, address: str) -> None:
        session.execute(
            delete(SignInFailure).where(
                SignInFailure.username == username, SignInFailure.address == address
            )
        )


def principal_for(user: User) -> Principal:
    return Principal(user.username, user.side, user.role, user.id, user.organization_id)


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError("user", username)
    return user


def list_users(session: Session, actor: Principal) -> Sequence[User]:
    """The users an admin manages (their own side); the operator sees all."""
    require(actor, Action.VIEW, Kind.USER)
    stmt = select(User).order_by(User.side, User.username)
    if not actor.system and actor.side is not None:
        stmt = stmt.where(User.side == actor.side)
    return session.scalars(stmt).all()


def create_user(
    session: Session,
    actor: Principal,
    username: str,
    password: str,
    side: Side,
    role: Role,
    organization_id: int | None = None,
    *,
    allow_weak_password: bool = False,
) -> User:
    """A new user of `side`; only that side's admins (or the operator) may create one."""
    require(actor, Action.MANAGE_USERS, Kind.USER, owner=side.value)
    errors = []
    if not USERNAME.match(username):
        errors.append(FieldError("username", "3–80 of a-z, 0-9, '.', '_', '-'", username))
    if not allow_weak_password and len(password) < MIN_PASSWORD:
        errors.append(FieldError("password", f"at least {MIN_PASSWORD} characters"))
    if side is Side.BANK and organization_id is None:
        errors.append(FieldError("org", "a bank user needs its bank organization"))
    if errors:
        raise DomainValidationError(errors)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ConflictError(f"user {username!r} already exists")
    user = User(
        username=username,
        password_hash=hash_password(password),
        side=side,
        role=role,
        organization_id=organization_id,
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, actor: Principal, username: str, password: str) -> None:
    user = get_user(session, username)
    require(actor, Action.MANAGE_USERS, Kind.USER, owner=user.side.value)
    if len(password) < MIN_PASSWORD:
        raise DomainValidationError([FieldError("password", f"at least {MIN_PASSWORD} characters")])
    user.password_hash = hash_password(password)
    audit.record(session, "password_change", "user", user.id)


def authenticate(
    session: Session, username: str, password: str, address: str | None, limiter: SignInLimiter
) -> User:
    """The user whose password matches, else `AuthenticationError`; both outcomes audited."""
    account, where = username.lower()[:80], (address or "?")[:64]
    limiter.check(session, account, where)
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None or not verify_password(user.password_hash, password):
        if user is None:
            verify_password(dummy_hash(), password)  # same time as a wrong password
        audit.record(
            session,
            "sign_in_failed",
            "user",
            None,
            after={"username": username[:80]},
            actor=Principal(username[:80] or "?"),
        )
        limiter.failed(session, account, where)
        raise AuthenticationError()
    limiter.succeeded(session, account, where)
    user.last_sign_in_at = datetime.now(UTC)
    audit.record(session, "sign_in", "user", user.id, actor=principal_for(user))
    return user


# --- web sessions ----------------------------------------------------------------------------


def start_web_session(session: Session, user: User) -> str:
    """A new browser session; returns the cookie value (only its digest is stored)."""
    secret = new_secret(SESSION_PREFIX)
    session.add(WebSession(token_hash=digest(secret), user_id=user.id))
    session.flush()
    return secret


def principal_from_session_cookie(
    session: Session, cookie: str, idle: timedelta
) -> Principal | None:
    """The signed-in user of a live session; an idle or ended one yields None."""
    web = session.scalar(select(WebSession).where(WebSession.token_hash == digest(cookie)))
    if web is None or web.ended_at is not None or not web.user.active:
        return None
    now = datetime.now(UTC)
    last_seen = _aware(web.last_seen_at)
    if now - last_seen > idle:
        web.ended_at = now
        return None
    if now - last_seen > timedelta(seconds=60):
        web.last_seen_at = now  # written at most once a minute
    return principal_for(web.user)


def end_web_session(session: Session, cookie: str) -> None:
    web = session.scalar(select(WebSession).where(WebSession.token_hash == digest(cookie)))
    if web is not None and web.ended_at is None:
        web.ended_at = datetime.now(UTC)
        audit.record(session, "sign_out", "user", web.user_id, actor=principal_for(web.user))


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- API tokens ------------------------------------------------------------------------------


def issue_token(
    session: Session, actor: Principal, username: str, days: int = 90
) -> tuple[ApiToken, str]:
    """A new bearer token for `username`; the secret is returned once and never stored."""
    user = get_user(session, username)
    if actor.user_id != user.id:
        require(actor, Action.MANAGE_USERS, Kind.USER, owner=user.side.value)
    if not 1 <= days <= 366:
        raise DomainValidationError([FieldError("days", "between 1 and 366", days)])
    secret = new_secret(TOKEN_PREFIX)
    token = ApiToken(
        user=user,
        token_hash=digest(secret),
        prefix=secret[:10],
        expires_at=datetime.now(UTC) + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    return token, secret


def revoke_token(session: Session, actor: Principal, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFoundError("API token", token_id)
    if actor.user_id != token.user_id:
        require(actor, Action.MANAGE_USERS, Kind.USER, owner=token.user.side.value)
    if token.revoked_at is None:
        token.revoked_at = datetime.now(UTC)
        session.flush()
    return token


def list_tokens(session: Session, actor: Principal, username: str) -> Sequence[ApiToken]:
    user = get_user(session, username)
    if actor.user_id != user.id:
        require(actor, Action.MANAGE_USERS, Kind.USER, owner=user.side.value)
    return user.tokens


def principal_from_bearer(session: Session, secret: str) -> Principal | None:
    """The user of a live token; expired, revoked or unknown tokens yield None."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    now = datetime.now(UTC)
    if (
        token is None
        or token.revoked_at is not None
        or _aware(token.expires_at) <= now
        or not token.user.active
    ):
        return None
    if token.last_used_at is None or now - _aware(token.last_used_at) > timedelta(seconds=60):
        token.last_used_at = now
    return principal_for(token.user)


# --- the audit trail ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    entity: str | None = None
    since: str | None = None
    until: str | None = None


def list_audit(
    session: Session, actor: Principal, flt: AuditFilter, params: ListParams
) -> PageResult[AuditEntry]:
    """Audit entries, newest first, filtered by who, what and when (ISO dates)."""
    require(actor, Action.VIEW_AUDIT, Kind.AUDIT)
    stmt = select(AuditEntry)
    if flt.actor:
        stmt = stmt.where(func.lower(AuditEntry.actor) == flt.actor.lower())
    if flt.action:
        stmt = stmt.where(AuditEntry.action == flt.action)
    if flt.entity:
        stmt = stmt.where(AuditEntry.entity == flt.entity)
    if flt.since:
        stmt = stmt.where(AuditEntry.at >= flt.since)
    if flt.until:
        stmt = stmt.where(AuditEntry.at < flt.until + "T99")
    return paginate(session, stmt, params, {"seq": AuditEntry.seq}, [AuditEntry.seq.desc()])
