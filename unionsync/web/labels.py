"""Human names of enumerations, marked for translation (Russian words live in the catalog)."""

from __future__ import annotations

from enum import StrEnum

from unionsync.access.models import Role, Side
from unionsync.access.policy import Action, Kind, PermissionDeniedError, Principal
from unionsync.catalog.models import OrganizationKind, ProgramStatus
from unionsync.core.errors import NotFoundError
from unionsync.coverage.allocation import Verdict
from unionsync.coverage.service import Scenario
from unionsync.finance.models import AllocationStatus, DrawdownStatus
from unionsync.finance.schedules import RepaymentMethod
from unionsync.matching.models import Decision, RunStatus
from unionsync.matching.scoring import Band
from unionsync.nomenclature.models import CodeSystem
from unionsync.passports.models import ChangeRequestStatus, ParticipantRole, PassportStatus
from unionsync.passports.places import place
from unionsync.passports.workflow import Act
from unionsync.selection.models import AwardCriteria, CallStatus, Method, TenderStatus
from unionsync.trade.models import FlowDirection
from unionsync.web.i18n import N_, current_language, gettext, translations

# (member, name) pairs, not a dict keyed by members: members of different enumerations with
# the same value (a passport's "reconciled" state and the "reconciled" scenario) are equal
# strings and would overwrite each other as keys
_NAMES: tuple[tuple[StrEnum, str], ...] = (
    (CodeSystem.TNVED, N_("TN VED EAEU")),
    (CodeSystem.HS, N_("HS")),
    (CodeSystem.OKPD2, N_("OKPD 2")),
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
    (Side.BY, N_("Belarus")),
    (Side.RU, N_("Russia")),
    (Side.UNION, N_("Standing Committee")),
    (Side.BANK, N_("bank")),
    (Role.VIEWER, N_("viewer")),
    (Role.EDITOR, N_("editor")),
    (Role.APPROVER, N_("approver")),
    (Role.ADMIN, N_("administrator")),
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
    "delete": N_("deleted"),
    "sign_in": N_("signed in"),
    "sign_out": N_("signed out"),
    "password_change": N_("changed the password"),
    "demo_load": N_("loaded the demo data"),
    "crosswalk_load": N_("loaded a crosswalk"),
    "nomenclature_import": N_("imported a classifier"),
    "facility.create": N_("opened the loan facility"),
    "reference_rate.import": N_("imported reference rates"),
    "reference_rate.replace": N_("replaced reference rates"),
    "roadmap.baseline": N_("approved a baseline"),
    "roadmap.output": N_("reported output"),
}
# the records of the audit trail (their tables), in the reader's words
AUDIT_ENTITIES = {
    "app_user": N_("User"),
    "user": N_("User"),
    "api_token": N_("API token"),
    "organization": N_("Organization"),
    "program": N_("Program"),
    "program_item": N_("Program item"),
    "program_item_demand": N_("Demand of an item"),
    "capability": N_("Capability"),
    "match_run": N_("Matching run"),
    "match": N_("Match"),
    "match_decision": N_("Match decision"),
    "nomenclature": N_("Classifier"),
    "nomenclature_code": N_("Classifier code"),
    "crosswalk": N_("Crosswalk"),
    "code_list": N_("Code list"),
    "code_list_entry": N_("Code list entry"),
    "passport": N_("Passport"),
    "passport_participant": N_("Passport participant"),
    "passport_product": N_("Passport product"),
    "passport_change_request": N_("Change request"),
    "passport_comment": N_("Passport comment"),
    "finance_facility": N_("Loan facility"),
    "finance_reference_rate": N_("Reference rate"),
    "finance_allocation": N_("Allocation"),
    "finance_agreement": N_("Credit agreement"),
    "finance_drawdown": N_("Drawdown request"),
    "finance_repayment": N_("Repayment"),
    "roadmap_task": N_("Roadmap task"),
    "roadmap_dependency": N_("Task link"),
    "roadmap_holiday": N_("Holiday"),
    "roadmap_baseline": N_("Roadmap baseline"),
    "roadmap_output": N_("Output report"),
    "selection_call": N_("Call"),
    "call": N_("Call"),
    "selection_application": N_("Application"),
    "selection_tender": N_("Tender"),
    "tender": N_("Tender"),
    "selection_bid": N_("Bid"),
    "selection_contract": N_("Contract"),
    "selection_delivery": N_("Delivery"),
    "trade_flow": N_("Trade record"),
    "exchange_rate": N_("Exchange rate"),
    "industry": N_("Industry"),
    "country": N_("Country"),
    "demo": N_("Demo data"),
}


def entity_label(key: str) -> str:
    """A record of the audit trail by its table, in the reader's words."""
    return gettext(AUDIT_ENTITIES[key]) if key in AUDIT_ENTITIES else key.replace("_", " ")


def audit_value(value: object, field: str = "") -> str:
    """A value before or after a change as a reader says it: states by their names, nothing
    as a dash, yes and no."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, str) and field in ("status", "state"):
        return status_label(value)
    return str(value)


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


# what a refusal was about, in the reader's words (see `PermissionDeniedError`)
ACTIONS = {
    Action.VIEW: N_("view"),
    Action.CREATE: N_("create"),
    Action.UPDATE: N_("change"),
    Action.DELETE: N_("delete"),
    Action.APPROVE: N_("approve"),
    Action.COMMENT: N_("comment on"),
    Action.MANAGE_USERS: N_("manage"),
    Action.VIEW_AUDIT: N_("view"),
}
KINDS = {
    Kind.REFERENCE: N_("reference data"),
    Kind.PROGRAM: N_("programs"),
    Kind.ORGANIZATION: N_("enterprises and organizations"),
    Kind.CAPABILITY: N_("production capabilities"),
    Kind.PASSPORT: N_("project passports"),
    Kind.TRADE: N_("trade records"),
    Kind.DASHBOARD: N_("the overview"),
    Kind.CODE_LIST: N_("code lists"),
    Kind.MATCH: N_("matching"),
    Kind.SELECTION: N_("selection and tenders"),
    Kind.FINANCE: N_("financing"),
    Kind.ROADMAP: N_("the roadmap"),
    Kind.USER: N_("users"),
    Kind.AUDIT: N_("the audit log"),
}
# what a missing record was, in the reader's words (see `NotFoundError`)
ENTITIES = {
    "passport": N_("Passport"),
    "program": N_("Program"),
    "program item": N_("Program item"),
    "organization": N_("Organization"),
    "capability": N_("Capability"),
    "match run": N_("Matching run"),
    "match": N_("Match"),
    "tender": N_("Tender"),
    "call": N_("Call"),
    "contract": N_("Contract"),
    "facility": N_("Loan facility"),
    "allocation": N_("Allocation"),
    "credit agreement": N_("Credit agreement"),
    "drawdown request": N_("Drawdown request"),
    "roadmap task": N_("Roadmap task"),
    "change request": N_("Change request"),
    "passport version": N_("Passport version"),
    "user": N_("User"),
    "industry": N_("Industry"),
    "country": N_("Country"),
    "code list": N_("Code list"),
}


def denial(error: PermissionDeniedError, actor: Principal) -> str:
    """Why a page is refused, in the reader's language: who they are and, when the policy
    said, what they may not do."""
    who = {
        "user": actor.username,
        "side": label(actor.side) if actor.side else "—",
        "role": label(actor.role) if actor.role else "—",
    }
    if error.action in ACTIONS and error.kind in KINDS:
        return gettext(
            "Your account %(user)s (%(side)s, %(role)s) may not %(action)s: %(kind)s."
        ) % {
            **who,
            "action": gettext(ACTIONS[error.action]),
            "kind": gettext(KINDS[error.kind]),
        }
    return gettext("Your account %(user)s (%(side)s, %(role)s) may not do this.") % who


def missing(error: NotFoundError) -> str:
    """What does not exist, in the reader's language."""
    what = ENTITIES.get(error.entity)
    if what is None:
        return gettext("What you asked for does not exist (it may have been removed).")
    return gettext("%(what)s «%(key)s» does not exist (it may have been removed).") % {
        "what": gettext(what),
        "key": error.key,
    }


# fields as forms label them, for errors shown away from their form (see `field_label`)
FIELDS = {
    "file": N_("File"),
    "year": N_("Year"),
    "quarter": N_("Quarter"),
    "quantity": N_("Quantity"),
    "value": N_("Value"),
    "currency": N_("Currency"),
    "amount": N_("Amount"),
    "to_partner": N_("Sold to the partner"),
    "product_position": N_("Product"),
    "passport_id": N_("Passport"),
    "organization_id": N_("Organization"),
    "initiator_id": N_("Initiator"),
    "industry_id": N_("Industry"),
    "item_id": N_("Program item"),
    "title": N_("Title"),
    "duration": N_("Duration, working days"),
    "optimistic": N_("Optimistic, working days"),
    "pessimistic": N_("Pessimistic, working days"),
    "planned_start": N_("Planned start"),
    "actual_start": N_("Actual start"),
    "actual_finish": N_("Actual finish"),
    "progress": N_("Progress"),
    "lag": N_("Lag, working days"),
    "after_id": N_("Next task"),
    "before_id": N_("Previous task"),
    "since": N_("Due from"),
    "until": N_("to"),
    "reason": N_("Reason"),
    "comment": N_("Comment"),
    "purpose": N_("Purpose"),
    "contract_id": N_("Contract"),
    "units": N_("Units"),
    "unit": N_("Unit"),
    "delivered_on": N_("Delivered on"),
    "username": N_("User name"),
    "password": N_("Password"),
    "role": N_("Role"),
    "days": N_("Valid for, days"),
    "org": N_("Organization"),
    "tnved": N_("TN VED"),
    "country_code": N_("Country"),
    "page": N_("Page"),
    "per_page": N_("Rows per page"),
    "sort": N_("Sort"),
    "q": N_("Search"),
    "verdict": N_("Satisfiable"),
    "industry": N_("Industry"),
    "country": N_("Country"),
}


def field_label(key: str) -> str:
    """A field's name for the reader: the form's label, a passport's place, else the key."""
    if key in FIELDS:
        return gettext(FIELDS[key])
    where = place(key, current_language.get())
    return where.label
