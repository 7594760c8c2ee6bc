"""The state machine over every (state, act) pair, for every kind of person: what is allowed
goes where the diagram says, everything else is refused with a reason."""

from __future__ import annotations

import itertools

import pytest

from unionsync.access.models import Role, Side
from unionsync.access.policy import SYSTEM, PermissionDeniedError, Principal
from unionsync.passports.models import PassportStatus as S
from unionsync.passports.workflow import TRANSITIONS, Act, TransitionError, apply

# written from the issue, independently of the module's table: (state, act, signer) → state
EXPECTED = {
    (S.DRAFT, Act.SUBMIT, None): S.SUBMITTED,
    (S.SUBMITTED, Act.ACCEPT, None): S.UNDER_RECONCILIATION,
    (S.UNDER_RECONCILIATION, Act.APPROVE, "BY"): S.APPROVED_BY_BY,
    (S.UNDER_RECONCILIATION, Act.APPROVE, "RU"): S.APPROVED_BY_RU,
    (S.APPROVED_BY_BY, Act.APPROVE, "RU"): S.RECONCILED,
    (S.APPROVED_BY_RU, Act.APPROVE, "BY"): S.RECONCILED,
    (S.SUBMITTED, Act.RETURN, None): S.DRAFT,
    (S.UNDER_RECONCILIATION, Act.RETURN, None): S.DRAFT,
    (S.APPROVED_BY_BY, Act.RETURN, None): S.DRAFT,
    (S.APPROVED_BY_RU, Act.RETURN, None): S.DRAFT,
    (S.RECONCILED, Act.DRAWDOWN, None): S.IN_DRAWDOWN,
    (S.RECONCILED, Act.SELECTION, None): S.IN_SELECTION,
    (S.IN_DRAWDOWN, Act.SELECTION, None): S.IN_SELECTION,
    (S.IN_SELECTION, Act.DRAWDOWN, None): S.IN_DRAWDOWN,
    (S.IN_DRAWDOWN, Act.IMPLEMENT, None): S.IN_IMPLEMENTATION,
    (S.IN_SELECTION, Act.IMPLEMENT, None): S.IN_IMPLEMENTATION,
    (S.IN_IMPLEMENTATION, Act.COMPLETE, None): S.COMPLETED,
    **{
        (state, Act.CANCEL, None): S.CANCELLED
        for state in S
        if state not in (S.COMPLETED, S.CANCELLED)
    },
}
NEEDS_COMMENT = {Act.RETURN, Act.CANCEL}
SIDES = {"BY", "RU"}


def person(side: Side, role: Role) -> Principal:
    return Principal(f"{side}-{role}", side, role, user_id=1)


def test_the_table_is_the_diagram():
    table = {(t.source, t.act, t.signer): t.target for t in TRANSITIONS}
    assert table == EXPECTED


@pytest.mark.parametrize(("state", "act"), list(itertools.product(S, Act)))
def test_every_state_and_act_for_the_operator(state: S, act: Act):
    comment = "причина" if act in NEEDS_COMMENT else None
    signers = [s for (st, a, s) in EXPECTED if st is state and a is act]
    if not signers:
        with pytest.raises(TransitionError, match=f"cannot {act.value}"):
            apply(SYSTEM, state, act, SIDES, comment, signer="BY")
        return
    for signer in signers:
        assert apply(SYSTEM, state, act, SIDES, comment, signer) is EXPECTED[(state, act, signer)]
    if act in NEEDS_COMMENT:
        with pytest.raises(TransitionError, match="needs a comment"):
            apply(SYSTEM, state, act, SIDES, "  ", signers[0])


def test_only_an_approver_signs_and_only_for_their_country():
    by_approver, ru_approver = person(Side.BY, Role.APPROVER), person(Side.RU, Role.APPROVER)
    assert apply(by_approver, S.UNDER_RECONCILIATION, Act.APPROVE, SIDES) is S.APPROVED_BY_BY
    assert apply(ru_approver, S.UNDER_RECONCILIATION, Act.APPROVE, SIDES) is S.APPROVED_BY_RU
    assert apply(ru_approver, S.APPROVED_BY_BY, Act.APPROVE, SIDES) is S.RECONCILED
    with pytest.raises(TransitionError, match="waits for RU"):
        apply(by_approver, S.APPROVED_BY_BY, Act.APPROVE, SIDES)  # BY has signed already
    for side, role in itertools.product(Side, Role):
        if role is Role.APPROVER and side in (Side.BY, Side.RU):
            continue
        with pytest.raises((PermissionDeniedError, TransitionError)):
            apply(person(side, role), S.UNDER_RECONCILIATION, Act.APPROVE, SIDES)


def test_either_sides_approver_returns_it_with_comments():
    for side in (Side.BY, Side.RU):
        who = person(side, Role.APPROVER)
        assert apply(who, S.APPROVED_BY_RU, Act.RETURN, SIDES, "уточнить") is S.DRAFT
    with pytest.raises(PermissionDeniedError):
        apply(person(Side.BY, Role.EDITOR), S.SUBMITTED, Act.RETURN, SIDES, "нет")


def test_a_sides_editors_and_the_committee_move_it_but_not_strangers_or_viewers():
    only_by = {"BY"}
    assert apply(person(Side.BY, Role.EDITOR), S.DRAFT, Act.SUBMIT, only_by) is S.SUBMITTED
    assert apply(person(Side.UNION, Role.EDITOR), S.DRAFT, Act.SUBMIT, only_by) is S.SUBMITTED
    for who in (
        person(Side.RU, Role.EDITOR),
        person(Side.BY, Role.VIEWER),
        person(Side.BANK, Role.EDITOR),
    ):
        with pytest.raises(PermissionDeniedError):
            apply(who, S.DRAFT, Act.SUBMIT, only_by)
    # accepting for reconciliation is coordination: the committee or either country's editors
    assert apply(person(Side.RU, Role.EDITOR), S.SUBMITTED, Act.ACCEPT, only_by) is (
        S.UNDER_RECONCILIATION
    )
    with pytest.raises(PermissionDeniedError):
        apply(person(Side.UNION, Role.VIEWER), S.SUBMITTED, Act.ACCEPT, only_by)
