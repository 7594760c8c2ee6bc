"""The policy table in small: who may change, sign and manage what."""

import pytest

from unionsync.access.models import Role, Side
from unionsync.access.policy import (
    ANONYMOUS,
    PUBLIC,
    SYSTEM,
    Action,
    Kind,
    NotAuthenticatedError,
    PermissionDeniedError,
    Principal,
    can,
    require,
)


def who(side: Side, role: Role, org: int | None = None) -> Principal:
    return Principal(f"{side}-{role}", side, role, user_id=1, organization_id=org)


def test_editors_change_only_their_own_countrys_records():
    assert can(who(Side.BY, Role.EDITOR), Action.UPDATE, Kind.PROGRAM, owner="BY")
    assert not can(who(Side.BY, Role.EDITOR), Action.UPDATE, Kind.PROGRAM, owner="RU")
    assert not can(who(Side.BY, Role.VIEWER), Action.UPDATE, Kind.PROGRAM, owner="BY")
    assert not can(who(Side.BY, Role.ADMIN), Action.CREATE, Kind.CAPABILITY, owner="BY")


def test_the_committee_and_banks_change_no_country_data_even_without_an_owner():
    for side in (Side.UNION, Side.BANK):
        assert not can(who(side, Role.EDITOR), Action.CREATE, Kind.PROGRAM, owner=None)
        assert not can(who(side, Role.APPROVER), Action.UPDATE, Kind.PROGRAM, owner="BY")


def test_approvers_sign_only_for_their_side_and_the_committee_never_signs():
    assert can(who(Side.RU, Role.APPROVER), Action.APPROVE, Kind.PASSPORT, owner="RU")
    assert not can(who(Side.RU, Role.APPROVER), Action.APPROVE, Kind.PASSPORT, owner="BY")
    assert not can(who(Side.RU, Role.EDITOR), Action.APPROVE, Kind.PASSPORT, owner="RU")
    assert not can(who(Side.UNION, Role.APPROVER), Action.APPROVE, Kind.PASSPORT, owner=None)
    assert can(who(Side.UNION, Role.EDITOR), Action.COMMENT, Kind.PASSPORT)


def test_a_bank_sees_only_passports_it_finances():
    bank = who(Side.BANK, Role.VIEWER, org=7)
    assert can(bank, Action.VIEW, Kind.PASSPORT, financiers=[7, 9])
    assert not can(bank, Action.VIEW, Kind.PASSPORT, financiers=[9])
    assert not can(bank, Action.VIEW, Kind.PROGRAM)
    assert not can(bank, Action.VIEW, Kind.TRADE)


def test_admins_manage_their_own_side_and_see_the_audit():
    assert can(who(Side.BY, Role.ADMIN), Action.MANAGE_USERS, Kind.USER, owner="BY")
    assert not can(who(Side.BY, Role.ADMIN), Action.MANAGE_USERS, Kind.USER, owner="RU")
    assert can(who(Side.BY, Role.ADMIN), Action.VIEW_AUDIT, Kind.AUDIT)
    assert can(who(Side.UNION, Role.VIEWER), Action.VIEW_AUDIT, Kind.AUDIT)
    assert not can(who(Side.RU, Role.APPROVER), Action.VIEW_AUDIT, Kind.AUDIT)


def test_anonymous_is_401_refused_is_403_and_the_operator_may_all():
    with pytest.raises(NotAuthenticatedError):
        require(ANONYMOUS, Action.VIEW, Kind.REFERENCE)
    with pytest.raises(PermissionDeniedError, match="may not update program of RU"):
        require(who(Side.BY, Role.EDITOR), Action.UPDATE, Kind.PROGRAM, owner="RU")
    assert can(SYSTEM, Action.MANAGE_USERS, Kind.USER, owner="RU")
    assert can(PUBLIC, Action.VIEW, Kind.DASHBOARD) and not can(PUBLIC, Action.VIEW, Kind.PROGRAM)


def test_passports_are_drafted_by_the_initiating_sides_editors_or_the_committee():
    assert can(who(Side.BY, Role.EDITOR), Action.CREATE, Kind.PASSPORT, owner="BY")
    assert not can(who(Side.BY, Role.EDITOR), Action.CREATE, Kind.PASSPORT, owner="RU")
    assert not can(who(Side.RU, Role.VIEWER), Action.CREATE, Kind.PASSPORT, owner="RU")
    assert can(who(Side.UNION, Role.EDITOR), Action.CREATE, Kind.PASSPORT, owner=None)
    assert not can(who(Side.BANK, Role.EDITOR), Action.CREATE, Kind.PASSPORT, owner=None)
