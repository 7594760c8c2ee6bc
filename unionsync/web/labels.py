"""Human names of enumerations, marked for translation (Russian words live in the catalog)."""

from __future__ import annotations

from enum import StrEnum

from unionsync.catalog.models import OrganizationKind, ProgramStatus
from unionsync.coverage.allocation import Verdict
from unionsync.coverage.service import Scenario
from unionsync.finance.models import AllocationStatus, DrawdownStatus
from unionsync.finance.schedules import RepaymentMethod
from unionsync.matching.models import Decision, RunStatus
from unionsync.matching.scoring import Band
from unionsync.passports.models import ChangeRequestStatus, ParticipantRole, PassportStatus
from unionsync.passports.workflow import Act
from unionsync.selection.models import AwardCriteria, CallStatus, Method, TenderStatus
from unionsync.trade.models import FlowDirection
from unionsync.web.i18n import N_, gettext, translations

# (member, name) pairs, not a dict keyed by members: members of different enumerations with
# the same value (a passport's "reconciled" state and the "reconciled" scenario) are equal
# strings and would overwrite each other as keys
_NAMES: tuple[tuple[StrEnum, str], ...] = (
    (ProgramStatus.DRAFT, N_("draft")),
    (ProgramStatus.APPROVED, N_("approved")),
    (ProgramStatus.IN_FORCE, N_("in force")),
    (ProgramStatus.ARCHIVED, N_("archived")),
    (PassportStatus.DRAFT, N_("draft")),
    (PassportStatus.SUBMITTED, N_("submitted")),
    (PassportStatus.UNDER_RECONCILIATION, N_("under reconciliation")),
    (PassportStatus.APPROVED_BY_BY, N_("approved by BY, pending RU")),
    (PassportStatus.APPROVED_BY_RU, N_("approved by RU, pending BY")),
    (PassportStatus.RECONCILED, N_("reconciled")),
    (PassportStatus.IN_DRAWDOWN, N_("loan drawdown")),
    (PassportStatus.IN_SELECTION, N_("equipment tenders")),
    (PassportStatus.IN_IMPLEMENTATION, N_("in implementation")),
    (PassportStatus.COMPLETED, N_("completed")),
    (PassportStatus.CANCELLED, N_("cancelled")),
    (OrganizationKind.MINISTRY, N_("ministry")),
    (OrganizationKind.COMMITTEE, N_("committee")),
    (OrganizationKind.ENTERPRISE, N_("enterprise")),
    (OrganizationKind.BANK, N_("bank")),
    (ParticipantRole.INITIATOR, N_("initiator")),
    (ParticipantRole.CURATOR, N_("curator")),
    (ParticipantRole.LEADER, N_("leader")),
    (ParticipantRole.PARTICIPANT, N_("participant")),
    (ParticipantRole.BANK, N_("bank")),
    (FlowDirection.EXPORT, N_("export")),
    (FlowDirection.IMPORT, N_("import")),
    (RunStatus.QUEUED, N_("queued")),
    (RunStatus.RUNNING, N_("running")),
    (RunStatus.DONE, N_("done")),
    (RunStatus.FAILED, N_("failed")),
    (Band.ACCEPT, N_("accepted automatically")),
    (Band.REVIEW, N_("to review")),
    (Band.REJECT, N_("rejected automatically")),
    (Decision.ACCEPTED, N_("accepted")),
    (Decision.REJECTED, N_("rejected")),
    (Verdict.FULLY, N_("fully")),
    (Verdict.PARTLY, N_("partly")),
    (Verdict.NOT, N_("not satisfiable")),
    (ChangeRequestStatus.OPEN, N_("open")),
    (ChangeRequestStatus.APPLIED, N_("applied")),
    (ChangeRequestStatus.REJECTED, N_("rejected")),
    (ChangeRequestStatus.WITHDRAWN, N_("withdrawn")),
    (Act.SUBMIT, N_("Submit for reconciliation")),
    (Act.ACCEPT, N_("Accept for reconciliation")),
    (Act.APPROVE, N_("Approve (sign for my side)")),
    (Act.RETURN, N_("Return with comments")),
    (Act.DRAWDOWN, N_("Start loan drawdown")),
    (Act.SELECTION, N_("Start equipment tenders")),
    (Act.IMPLEMENT, N_("Start implementation")),
    (Act.COMPLETE, N_("Mark completed")),
    (Act.CANCEL, N_("Cancel the project")),
    (Scenario.EXISTING, N_("existing producers")),
    (Scenario.RECONCILED, N_("+ reconciled passports")),
    (Scenario.ALL, N_("+ all passports")),
    (CallStatus.DRAFT, N_("draft")),
    (CallStatus.OPEN, N_("taking applications")),
    (CallStatus.EVALUATION, N_("evaluation")),
    (CallStatus.DECIDED, N_("decided")),
    (CallStatus.CANCELLED, N_("cancelled")),
    (TenderStatus.PLANNING, N_("planned")),
    (TenderStatus.ACTIVE, N_("taking bids")),
    (TenderStatus.COMPLETE, N_("awarded")),
    (TenderStatus.CANCELLED, N_("cancelled")),
    (TenderStatus.UNSUCCESSFUL, N_("did not take place")),
    (Method.OPEN, N_("open tender")),
    (Method.SELECTIVE, N_("selective")),
    (Method.LIMITED, N_("limited")),
    (Method.DIRECT, N_("direct (single source)")),
    (AwardCriteria.LOWEST_PRICE, N_("lowest price")),
    (AwardCriteria.PRICE_QUALITY, N_("price and quality")),
    (AllocationStatus.PROPOSED, N_("proposed")),
    (AllocationStatus.APPROVED, N_("approved by both sides")),
    (AllocationStatus.CANCELLED, N_("cancelled")),
    (DrawdownStatus.REQUESTED, N_("requested")),
    (DrawdownStatus.BANK_APPROVED, N_("approved by the bank")),
    (DrawdownStatus.APPROVED, N_("approved, awaiting disbursement")),
    (DrawdownStatus.DISBURSED, N_("disbursed")),
    (DrawdownStatus.REFUSED, N_("refused")),
    (RepaymentMethod.ANNUITY, N_("annuity")),
    (RepaymentMethod.EQUAL_PRINCIPAL, N_("equal principal")),
    (RepaymentMethod.BULLET, N_("bullet")),
)
LABELS: dict[tuple[type, str], str] = {(type(m), m.value): name for m, name in _NAMES}


def label(value: StrEnum) -> str:
    """The translated name of an enumeration value."""
    return gettext(LABELS.get((type(value), value.value), value.value))


def label_in(value: StrEnum, language: str) -> str:
    """The name in a given language, outside a request (documents, reports): the same words
    the pages use."""
    return translations(language).gettext(LABELS.get((type(value), value.value), value.value))


EVENTS = {
    "create": N_("created"),
    "update": N_("changed"),
    "passport.version": N_("saved a version"),
    "passport.change_request": N_("proposed a change"),
    "passport.change_approved": N_("approved a change"),
    "passport.change_rejected": N_("rejected a change"),
    **{f"passport.{a.value}": LABELS[(Act, a.value)] for a in Act},
    "call.open": N_("opened the call"),
    "call.members": N_("named the commission"),
    "call.publish": N_("published the call"),
    "call.invite": N_("invited an organization"),
    "call.apply": N_("entered an application"),
    "call.close": N_("closed the applications"),
    "call.declare": N_("declared no conflict of interest"),
    "call.submit_scores": N_("submitted scores"),
    "call.sign": N_("signed the decision"),
    "call.decide": N_("the decision took effect"),
    "call.cancel": N_("cancelled the call"),
    "tender.open": N_("opened the tender"),
    "tender.publish": N_("published the tender"),
    "tender.bid": N_("registered a bid"),
    "tender.late_bid_refused": N_("a late bid was refused"),
    "tender.award": N_("evaluated and awarded"),
    "tender.contract": N_("signed a contract"),
    "tender.delivery": N_("recorded a delivery"),
    "tender.cancel": N_("cancelled the tender"),
    "allocation.propose": N_("proposed an allocation"),
    "allocation.approve": N_("approved the allocation"),
    "agreement.sign": N_("signed the credit agreement"),
    "agreement.repayment": N_("recorded a repayment"),
    "drawdown.request": N_("requested a drawdown"),
    "drawdown.bank_approve": N_("approved the drawdown (bank)"),
    "drawdown.ministry_approve": N_("approved the drawdown (ministry)"),
    "drawdown.disburse": N_("disbursed"),
    "drawdown.refuse": N_("refused the drawdown"),
}
# the acts on a drawdown request, as their buttons say them
DRAWDOWN_ACTS = {
    "bank-approve": N_("Approve (bank)"),
    "ministry-approve": N_("Approve (ministry)"),
    "disburse": N_("Record the disbursement"),
    "refuse": N_("Refuse"),
}


def act_label(value: str) -> str:
    """An act of the workflow (an `Act` or its value, or a drawdown's act) as its button
    says it."""
    if value in DRAWDOWN_ACTS:
        return gettext(DRAWDOWN_ACTS[value])
    return label(Act(value)) if value in {a.value for a in Act} else value


def event_label(action: str) -> str:
    """A line of a passport's history."""
    return gettext(EVENTS[action]) if action in EVENTS else action


def status_label(value: str, kind: str = "passport") -> str:
    """A passport's (or a call's, a tender's) state stored as text (in the audit trail)."""
    enumeration: type[StrEnum] = {"call": CallStatus, "tender": TenderStatus}.get(
        kind, PassportStatus
    )
    states = {s.value: s for s in enumeration}
    return label(states[value]) if value in states else value
