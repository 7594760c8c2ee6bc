"""Enumeration names: members of different enumerations that share a value keep their own."""

from __future__ import annotations

from unionsync.coverage.service import Scenario
from unionsync.passports.models import ChangeRequestStatus, PassportStatus
from unionsync.passports.workflow import Act
from unionsync.web.i18n import current_language
from unionsync.web.labels import _NAMES, act_label, label, status_label


def test_same_valued_members_of_two_enumerations_are_named_apart():
    token = current_language.set("en")
    try:
        _check_names()
    finally:
        current_language.reset(token)  # later tests read the default language


def _check_names() -> None:
    assert label(PassportStatus.RECONCILED) == "reconciled"
    assert label(Scenario.RECONCILED) == "+ reconciled passports"
    assert status_label("approved_by_ru") == "approved by RU, pending BY"
    assert act_label("return") == "Return with comments"
    assert label(ChangeRequestStatus.APPLIED) == "applied"
    named = {(type(m), m.value) for m, _ in _NAMES}
    for enumeration in (PassportStatus, Act, ChangeRequestStatus, Scenario):
        assert {(enumeration, m.value) for m in enumeration} <= named, enumeration
