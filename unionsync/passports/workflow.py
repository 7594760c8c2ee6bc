"""The passport's reconciliation workflow: one state machine, and nothing else decides a state.

    draft ──submit──▶ submitted ──accept──▶ under reconciliation
    under reconciliation ──approve (BY)──▶ approved by BY ──approve (RU)──▶ reconciled
    under reconciliation ──approve (RU)──▶ approved by RU ──approve (BY)──▶ reconciled
    submitted / under reconciliation / approved by one side ──return (with comments)──▶ draft
    reconciled ──drawdown──▶ loan drawdown ◀──▶ equipment tenders ◀──selection── reconciled
    loan drawdown / equipment tenders ──implement──▶ in implementation ──complete──▶ completed
    any active state ──cancel (with a reason)──▶ cancelled

Who may act: the passport's sides (the initiator's country and the countries of its
participants) submit, move it through drawdown, tenders and implementation and cancel it, with
the Standing Committee; the Committee and the sides accept it for reconciliation; only an
approver signs, and only for their own country; an approver of either side returns it.
`Transition` says what an act does; `apply` checks it and returns the new state.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from unionsync.access.models import Role, Side
from unionsync.access.policy import WRITERS, PermissionDeniedError, Principal
from unionsync.core.errors import ConflictError
from unionsync.passports.models import PassportStatus

S = PassportStatus


class Act(StrEnum):
    SUBMIT = "submit"
    ACCEPT = "accept"
    APPROVE = "approve"
    RETURN = "return"
    DRAWDOWN = "drawdown"
    SELECTION = "selection"
    IMPLEMENT = "implement"
    COMPLETE = "complete"
    CANCEL = "cancel"


class Who(StrEnum):
    """The kind of person an act needs."""

    SIDE = "side"  # an editor or approver of a side of the passport, or of the Committee
    COORDINATOR = "coordinator"  # the Committee's or a side's editors and approvers
    APPROVER = "approver"  # an approver of BY or RU (signs only for their own country)


@dataclass(frozen=True, slots=True)
class Transition:
    source: PassportStatus
    act: Act
    target: PassportStatus
    who: Who
    needs_comment: bool = False
    signer: str | None = None  # the country whose approver signs (approvals)


ACTIVE = frozenset(S) - {S.COMPLETED, S.CANCELLED}

TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.DRAFT, Act.SUBMIT, S.SUBMITTED, Who.SIDE),
    Transition(S.SUBMITTED, Act.ACCEPT, S.UNDER_RECONCILIATION, Who.COORDINATOR),
    Transition(S.UNDER_RECONCILIATION, Act.APPROVE, S.APPROVED_BY_BY, Who.APPROVER, signer="BY"),
    Transition(S.UNDER_RECONCILIATION, Act.APPROVE, S.APPROVED_BY_RU, Who.APPROVER, signer="RU"),
    Transition(S.APPROVED_BY_BY, Act.APPROVE, S.RECONCILED, Who.APPROVER, signer="RU"),
    Transition(S.APPROVED_BY_RU, Act.APPROVE, S.RECONCILED, Who.APPROVER, signer="BY"),
    *(
        Transition(source, Act.RETURN, S.DRAFT, Who.APPROVER, needs_comment=True)
        for source in (S.SUBMITTED, S.UNDER_RECONCILIATION, S.APPROVED_BY_BY, S.APPROVED_BY_RU)
    ),
    Transition(S.RECONCILED, Act.DRAWDOWN, S.IN_DRAWDOWN, Who.SIDE),
    Transition(S.RECONCILED, Act.SELECTION, S.IN_SELECTION, Who.SIDE),
    Transition(S.IN_SELECTION, Act.DRAWDOWN, S.IN_DRAWDOWN, Who.SIDE),
    Transition(S.IN_DRAWDOWN, Act.SELECTION, S.IN_SELECTION, Who.SIDE),
    Transition(S.IN_DRAWDOWN, Act.IMPLEMENT, S.IN_IMPLEMENTATION, Who.SIDE),
    Transition(S.IN_SELECTION, Act.IMPLEMENT, S.IN_IMPLEMENTATION, Who.SIDE),
    Transition(S.IN_IMPLEMENTATION, Act.COMPLETE, S.COMPLETED, Who.SIDE),
    *(
        Transition(source, Act.CANCEL, S.CANCELLED, Who.SIDE, needs_comment=True)
        for source in ACTIVE
    ),
)

EDITABLE = frozenset({S.DRAFT})  # content changes freely only in a draft
CHANGE_BY_REQUEST = frozenset(
    {S.RECONCILED, S.IN_DRAWDOWN, S.IN_SELECTION, S.IN_IMPLEMENTATION}
)  # after reconciliation a change is a request both sides approve


class TransitionError(ConflictError):
    """An act the passport's state or the actor does not allow; the message says why."""


def transitions_from(status: PassportStatus) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source is status]


def may(actor: Principal, transition: Transition, sides: Collection[str]) -> bool:
    """Whether `actor` may perform `transition` on a passport of these `sides` (countries)."""
    if actor.system:
        return True
    if actor.role is None or actor.side is None:
        return False
    if transition.who is Who.APPROVER:
        if actor.role is not Role.APPROVER or actor.country not in ("BY", "RU"):
            return False
        return transition.signer is None or transition.signer == actor.country
    if actor.role not in WRITERS:
        return False
    if actor.side is Side.UNION:
        return True
    if transition.who is Who.COORDINATOR:
        return actor.country in ("BY", "RU")
    return actor.country in sides


def require_some(actor: Principal, act: Act) -> None:
    """403 before anything else for someone who may do `act` in no state of any passport
    (a viewer, an administrator, a bank), so they learn it is not theirs, not the state."""
    everywhere = {"BY", "RU"}
    if not any(may(actor, t, everywhere) for t in TRANSITIONS if t.act is act):
        raise PermissionDeniedError(
            f"{actor.username} ({actor.side}, {actor.role}) may not {act.value} passports"
        )


def choose(
    actor: Principal,
    status: PassportStatus,
    act: Act,
    sides: Collection[str],
    signer: str | None = None,
) -> Transition:
    """The transition `act` means from `status` for `actor`, or `TransitionError` saying why
    there is none (wrong state, already signed by that side, or not theirs to do). An approval
    is signed for the approver's country (`signer` names it for the local operator)."""
    candidates = [t for t in transitions_from(status) if t.act is act]
    if not candidates:
        allowed = ", ".join(t.act.value for t in transitions_from(status)) or "none"
        raise TransitionError(
            f"cannot {act.value} a passport that is {status.value}; allowed: {allowed}"
        )
    if act is Act.APPROVE:
        country = actor.country if not actor.system else signer
        mine = [t for t in candidates if t.signer == country]
        if not mine:
            raise TransitionError(
                f"{actor.username} cannot sign now: the passport is {status.value} and waits "
                f"for {' or '.join(sorted({t.signer or '' for t in candidates}))}"
            )
        candidates = mine
    transition = candidates[0]
    if not may(actor, transition, sides):
        raise PermissionDeniedError(
            f"{actor.username} ({actor.side}, {actor.role}) may not {act.value} this passport"
        )
    return transition


def apply(
    actor: Principal,
    status: PassportStatus,
    act: Act,
    sides: Collection[str],
    comment: str | None = None,
    signer: str | None = None,
) -> PassportStatus:
    """The state after `act` (checked: state, actor, and a comment where one is required)."""
    transition = choose(actor, status, act, sides, signer)
    if transition.needs_comment and not (comment and comment.strip()):
        raise TransitionError(f"{act.value} needs a comment saying why")
    return transition.target
