"""The one access policy. API routes, pages and the CLI reach data only through services, and
services ask this module; no route decides access on its own.

Rules (issue 3):
- viewing: BY, RU and UNION users see every program, enterprise, capability, passport and trade
  record; a BANK user sees only the passports its organization finances, and only their
  financing; everyone signed in sees reference data;
- changing: editors and approvers change only their own country's records (and code lists of
  their own side, the Standing Committee's included); passports are drafted and edited by the
  initiating country's editors or the Standing Committee's;
- approving (signing): approvers, only for their own country; UNION and BANK never sign;
- coordinating (comments, requests): UNION and the two countries, editors and above;
- users: admins manage users of their own side; the audit trail is for admins and UNION;
- selection (issue 13): calls and tenders are seen like passports (a bank sees the tenders of
  the passports it finances); they are opened and run by writers of the owning country or the
  Standing Committee; a decision is signed by an approver for their own country; an
  organization applies or bids through its own writers, or a ministry's writer of its country
  on its behalf (`may_act_for`); applications and scores follow `selection/access.py`.
- financing (issue 14): the ministries and the Committee see every facility, allocation and
  credit agreement; a bank sees its own agreements only (`financiers`); who acts is decided by
  `finance/drawdown.py` and `finance/facility.py` (allocations by the ministries' writers,
  approved by each country's approver; agreements, approvals, disbursements and repayments by
  the lending bank's writers; the ministry's approval by Belarus's approver; the Committee
  signs nothing).
- roadmap (issue 15): seen like passports (a bank: the roadmap of passports it finances); a
  passport's tasks are changed by writers of the owning country or the Committee, the Union
  State level by the Committee's writers; a baseline is approved by an approver of either
  country or a writer of the Committee.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from unionsync.access.models import Role, Side
from unionsync.core.errors import UnionSyncError


class Action(StrEnum):
    VIEW = "view"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    APPROVE = "approve"
    COMMENT = "comment"
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"


class Kind(StrEnum):
    """What is acted on."""

    REFERENCE = "reference"
    PROGRAM = "program"
    ORGANIZATION = "organization"
    CAPABILITY = "capability"
    PASSPORT = "passport"
    TRADE = "trade"
    DASHBOARD = "dashboard"
    CODE_LIST = "code_list"
    MATCH = "match"
    SELECTION = "selection"
    FINANCE = "finance"
    ROADMAP = "roadmap"
    USER = "user"
    AUDIT = "audit"


class NotAuthenticatedError(UnionSyncError):
    status = 401
    title = "Unauthorized"


class PermissionDeniedError(UnionSyncError):
    """Refused by the rules; `action` and `kind`, when the policy refused, let a page say what
    was refused in its reader's language."""

    status = 403
    title = "Forbidden"

    def __init__(
        self, message: str, action: Action | None = None, kind: Kind | None = None
    ) -> None:
        super().__init__(message)
        self.action = action
        self.kind = kind


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting. `system` is the local operator at the command line."""

    username: str
    side: Side | None = None
    role: Role | None = None
    user_id: int | None = None
    organization_id: int | None = None
    system: bool = False
    public: bool = False  # an anonymous visitor of the public overview, when it is switched on

    @property
    def authenticated(self) -> bool:
        return self.system or self.user_id is not None

    @property
    def country(self) -> str | None:
        """The country whose records this user may change (BY or RU), if any."""
        return self.side.value if self.side in (Side.BY, Side.RU) else None


ANONYMOUS = Principal("anonymous")
SYSTEM = Principal("system", system=True)
PUBLIC = Principal("public", public=True)
PUBLIC_VIEW = frozenset({Kind.DASHBOARD, Kind.TRADE, Kind.REFERENCE})

COUNTRY_DATA = frozenset({Kind.PROGRAM, Kind.ORGANIZATION, Kind.CAPABILITY})
SHARED_VIEW = frozenset(
    {
        Kind.PROGRAM,
        Kind.ORGANIZATION,
        Kind.CAPABILITY,
        Kind.PASSPORT,
        Kind.TRADE,
        Kind.DASHBOARD,
        Kind.CODE_LIST,
        Kind.MATCH,
        Kind.SELECTION,
        Kind.FINANCE,
        Kind.ROADMAP,
    }
)
WRITERS = frozenset({Role.EDITOR, Role.APPROVER})


def can(
    actor: Principal,
    action: Action,
    kind: Kind,
    *,
    owner: str | None = None,
    financiers: Collection[int] = (),
) -> bool:
    """Whether `actor` may do `action` on a `kind` record owned by side `owner`.

    `financiers` lists the organizations financing a passport (what a bank may see).
    """
    if actor.system:
        return True
    if actor.public:
        return action is Action.VIEW and kind in PUBLIC_VIEW
    if not actor.authenticated or actor.side is None or actor.role is None:
        return False
    if action is Action.VIEW:
        return _can_view(actor, kind, financiers)
    if action in (Action.CREATE, Action.UPDATE, Action.DELETE) and kind is Kind.CODE_LIST:
        return actor.role in WRITERS and owner == actor.side.value  # the committee's lists too
    if action in (Action.CREATE, Action.UPDATE) and kind is Kind.MATCH:
        # matching serves a program: its country's editors run it and judge the matches, and
        # so may the Standing Committee's
        return actor.role in WRITERS and (_own(actor, owner) or actor.side is Side.UNION)
    if action in (Action.CREATE, Action.UPDATE, Action.DELETE) and kind is Kind.ROADMAP:
        # a passport's tasks: its country's writers or the Committee's; the Union State level
        # (owner UNION): the Committee's writers
        if owner == "UNION":
            return actor.side is Side.UNION and actor.role in WRITERS
        return actor.role in WRITERS and (_own(actor, owner) or actor.side is Side.UNION)
    if action in (Action.CREATE, Action.UPDATE) and kind in (Kind.PASSPORT, Kind.SELECTION):
        # a joint project is drafted by its initiating side's editors, or by the Standing
        # Committee's (signing is APPROVE, below)
        return actor.role in WRITERS and (_own(actor, owner) or actor.side is Side.UNION)
    if action in (Action.CREATE, Action.UPDATE, Action.DELETE):
        return (
            kind in COUNTRY_DATA
            and actor.role in WRITERS
            and actor.country is not None
            and owner == actor.country
        )
    if action is Action.APPROVE and kind is Kind.ROADMAP:
        # a baseline of the whole roadmap: an approver of either country or the Committee's
        # writers
        return (actor.role is Role.APPROVER and actor.country is not None) or (
            actor.side is Side.UNION and actor.role in WRITERS
        )
    if action is Action.APPROVE:
        return (
            kind in (Kind.PASSPORT, Kind.SELECTION)
            and actor.role is Role.APPROVER
            and owner is not None
            and owner == actor.country
        )
    if action is Action.COMMENT:
        return actor.side is not Side.BANK and actor.role is not Role.VIEWER
    if action is Action.MANAGE_USERS:
        return actor.role is Role.ADMIN and owner == actor.side.value
    if action is Action.VIEW_AUDIT:
        return actor.role is Role.ADMIN or actor.side is Side.UNION
    return False


def may_act_for(
    actor: Principal, organization_id: int, country: str, actor_is_enterprise: bool
) -> bool:
    """Whether `actor` may apply or bid for an organization of `country`: its own writers, or
    a writer of that country's ministry (a user not attached to an enterprise) on its behalf."""
    if actor.system:
        return True
    if actor.role not in WRITERS or actor.side not in (Side.BY, Side.RU):
        return False
    if actor.organization_id == organization_id:
        return True
    return not actor_is_enterprise and actor.country == country


def _own(actor: Principal, owner: str | None) -> bool:
    """The record belongs to the actor's country (a side without a country owns nothing)."""
    return actor.country is not None and owner == actor.country


def _can_view(actor: Principal, kind: Kind, financiers: Collection[int]) -> bool:
    if kind is Kind.REFERENCE:
        return True
    if kind is Kind.USER:
        return actor.role is Role.ADMIN
    if kind is Kind.AUDIT:
        return actor.role is Role.ADMIN or actor.side is Side.UNION
    if actor.side is Side.BANK:
        return (
            kind in (Kind.PASSPORT, Kind.SELECTION, Kind.FINANCE, Kind.ROADMAP)
            and actor.organization_id in financiers
        )
    return kind in SHARED_VIEW


def require(
    actor: Principal,
    action: Action,
    kind: Kind,
    *,
    owner: str | None = None,
    financiers: Collection[int] = (),
) -> None:
    """Raise 401 for an anonymous actor and 403 for one the rules refuse."""
    if not actor.authenticated and not actor.public:
        raise NotAuthenticatedError("sign in first")
    if not can(actor, action, kind, owner=owner, financiers=financiers):
        scope = f" of {owner}" if owner else ""
        raise PermissionDeniedError(
            f"{actor.username} ({actor.side}, {actor.role}) may not {action.value} "
            f"{kind.value}{scope}",
            action,
            kind,
        )
