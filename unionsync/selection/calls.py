"""Calls for a joint project's executor: opening, candidates, applications, blind scoring by a
two-sided commission, the results and the decision both sides sign.

    draft ──publish──▶ open ──close (at or after the deadline)──▶ evaluation
    evaluation ──sign (BY), sign (RU)──▶ decided        draft/open/evaluation ──cancel──▶ cancelled

Every act is audited. Scores are 0–10 per criterion; an application's total is the weighted
mean over the members who submitted, on a 0–100 scale (10 × Σ weightᵢ/100 × meanᵢ).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from unionsync.access.acts import change_state
from unionsync.access.audit import record
from unionsync.access.models import Role, Side, User
from unionsync.access.policy import (
    SYSTEM,
    Action,
    Kind,
    PermissionDeniedError,
    Principal,
    can,
    may_act_for,
    require,
)
from unionsync.catalog.models import Capability, Organization, OrganizationKind, ProgramItem
from unionsync.core.errors import ConflictError, DomainValidationError, FieldError, NotFoundError
from unionsync.core.listing import ListParams, PageResult, paginate
from unionsync.matching.models import Decision, Match
from unionsync.passports.models import (
    IN_PREPARATION,
    ParticipantRole,
    Passport,
    PassportParticipant,
)
from unionsync.selection.models import (
    Application,
    Call,
    CallStatus,
    CommissionMember,
    Criterion,
    Invitation,
    Score,
)
from unionsync.selection.schemas import ApplicationIn, CallCreate, ScoreIn

CENTI = Decimal("0.01")
S = CallStatus


class CallStateError(ConflictError):
    """An act the call's state does not allow; the message says what is allowed."""


def now() -> datetime:
    return datetime.now(UTC)


# --- reading ----------------------------------------------------------------------------------


def load(session: Session, call_id: int) -> Call:
    call = session.get(
        Call,
        call_id,
        options=[
            selectinload(Call.criteria),
            selectinload(Call.members),
            selectinload(Call.applications).selectinload(Application.organization),
            selectinload(Call.invitations).selectinload(Invitation.organization),
        ],
    )
    if call is None:
        raise NotFoundError("call", call_id)
    return call


def get_call(session: Session, actor: Principal, call_id: int) -> Call:
    require(actor, Action.VIEW, Kind.SELECTION)
    return load(session, call_id)


def list_calls(
    session: Session, actor: Principal, params: ListParams, status: CallStatus | None = None
) -> PageResult[Call]:
    require(actor, Action.VIEW, Kind.SELECTION)
    stmt = select(Call).options(selectinload(Call.criteria), selectinload(Call.members))
    if status is not None:
        stmt = stmt.where(Call.status == status)
    sortable = {"number": Call.number, "deadline": Call.deadline, "status": Call.status}
    return paginate(session, stmt, params, sortable, [Call.id.desc()])


def enterprise_of(session: Session, actor: Principal) -> Organization | None:
    """The enterprise a user works for (None for a ministry's or the Committee's people)."""
    if actor.organization_id is None:
        return None
    organization = session.get(Organization, actor.organization_id)
    if organization is None or organization.kind is not OrganizationKind.ENTERPRISE:
        return None
    return organization


def member_of(call: Call, actor: Principal) -> CommissionMember | None:
    return next((m for m in call.members if m.user_id == actor.user_id), None)


def sees_all_applications(session: Session, actor: Principal, call: Call) -> bool:
    """Commission members, the Committee and the ministries' people (not an enterprise's, who
    see only their own organization's application) see every application of a call."""
    if actor.system:
        return True
    if member_of(call, actor) is not None:
        return True
    if actor.side not in (Side.BY, Side.RU, Side.UNION):
        return False
    return enterprise_of(session, actor) is None


def applications(session: Session, actor: Principal, call_id: int) -> list[Application]:
    call = get_call(session, actor, call_id)
    if sees_all_applications(session, actor, call):
        return list(call.applications)
    return [a for a in call.applications if a.organization_id == actor.organization_id]


# --- opening ----------------------------------------------------------------------------------


def _owner(actor: Principal) -> str:
    if actor.system:
        return "UNION"
    return actor.side.value if actor.side is not None else ""


def _require_run(actor: Principal, call: Call | None = None) -> None:
    """Calls are opened and run by writers of a country's ministry or the Committee; a call
    is then run by its owner's side or the Committee."""
    owner = call.owner_side if call is not None else (actor.country or "UNION")
    require(actor, Action.UPDATE, Kind.SELECTION, owner=owner)


def next_number(session: Session, prefix: str) -> str:
    """<prefix>-<year>-<n>, one more than those numbered in the year."""
    start = f"{prefix}-{now().year}-"
    taken = session.scalar(
        select(func.count()).select_from(Call).where(Call.number.like(start + "%"))
    )
    n = int(taken or 0) + 1
    while session.scalar(select(Call.id).where(Call.number == f"{start}{n:03d}")) is not None:
        n += 1
    return f"{start}{n:03d}"


def open_call(session: Session, actor: Principal, body: CallCreate) -> Call:
    """A new call in `draft`: for a passport in preparation, or for a gap's program item."""
    _require_run(actor)
    errors: list[FieldError] = []
    tnved, unit = body.tnved_code, body.unit_okei
    if body.passport_id is not None:
        passport = session.get(Passport, body.passport_id)
        if passport is None:
            errors.append(FieldError("passport_id", "no such passport", body.passport_id))
        elif passport.status not in IN_PREPARATION:
            errors.append(
                FieldError(
                    "passport_id",
                    f"passport {passport.number} is {passport.status.value}: a call is opened "
                    f"for a passport in preparation",
                    body.passport_id,
                )
            )
        elif passport.products and tnved is None:
            tnved, unit = passport.products[0].tnved_code, passport.products[0].unit_okei
    if body.item_id is not None:
        item = session.get(ProgramItem, body.item_id)
        if item is None:
            errors.append(FieldError("item_id", "no such program item", body.item_id))
        else:
            tnved = tnved or item.tnved_code
            unit = item.unit_okei
    members = _members(session, body.members, errors)
    if errors:
        raise DomainValidationError(errors)
    call = Call(
        number=next_number(session, "ОТБ"),
        title=body.title,
        owner_side=_owner(actor),
        passport_id=body.passport_id,
        item_id=body.item_id,
        tnved_code=tnved,
        unit_okei=unit,
        quantities={str(q.year): str(q.quantity) for q in body.quantities},
        deadline=body.deadline.astimezone(UTC),
        disagreement_margin=body.disagreement_margin,
        created_by=actor.username,
        criteria=[
            Criterion(position=n, key=c.key, name=c.name, weight=c.weight)
            for n, c in enumerate(body.criteria, start=1)
        ],
        members=[
            CommissionMember(user_id=u.id, username=u.username, side=u.side.value) for u in members
        ],
    )
    session.add(call)
    session.flush()
    record(
        session,
        "call.open",
        "call",
        call.id,
        after={"number": call.number, "title": call.title, "status": call.status.value},
        actor=actor,
    )
    return call


def _members(session: Session, usernames: Sequence[str], errors: list[FieldError]) -> list[User]:
    """Commission members: active users of Belarus or Russia (not banks, not administrators)."""
    users: list[User] = []
    for n, name in enumerate(usernames):
        user = session.scalar(select(User).where(User.username == name))
        if user is None:
            errors.append(FieldError(f"members.{n}", f"no user {name!r}", name))
        elif user.side not in (Side.BY, Side.RU) or user.role is Role.ADMIN:
            errors.append(
                FieldError(
                    f"members.{n}",
                    f"{name} cannot sit on a commission: members are Belarusian or Russian "
                    f"viewers, editors or approvers",
                    name,
                )
            )
        elif user in users:
            errors.append(FieldError(f"members.{n}", f"{name} is named twice", name))
        else:
            users.append(user)
    return users


def set_members(session: Session, actor: Principal, call_id: int, usernames: list[str]) -> Call:
    """Name the commission (while the call is a draft or open: before anyone scores)."""
    call = load(session, call_id)
    _require_run(actor, call)
    if call.status not in (S.DRAFT, S.OPEN):
        raise CallStateError(f"the commission of a call that is {call.status.value} is fixed")
    errors: list[FieldError] = []
    users = _members(session, usernames, errors)
    if errors:
        raise DomainValidationError(errors)
    before = sorted(m.username for m in call.members)
    call.members = [
        CommissionMember(user_id=u.id, username=u.username, side=u.side.value) for u in users
    ]
    session.flush()
    record(
        session,
        "call.members",
        "call",
        call.id,
        before={"members": before},
        after={"members": sorted(u.username for u in users)},
        actor=actor,
    )
    return call


# --- the workflow -----------------------------------------------------------------------------


def _transition(
    session: Session,
    actor: Principal,
    call: Call,
    act: str,
    allowed: Iterable[CallStatus],
    target: CallStatus,
    **after: object,
) -> None:
    change_state(
        session,
        actor,
        call,
        act=act,
        allowed=allowed,
        target=target,
        noun="call",
        entity="call",
        error=CallStateError,
        **after,
    )


def publish(session: Session, actor: Principal, call_id: int) -> Call:
    """Open the call to applications: its deadline ahead, its commission on both sides."""
    call = load(session, call_id)
    _require_run(actor, call)
    problems = []
    if call.deadline <= now():
        problems.append("its deadline has passed")
    sides = {m.side for m in call.members}
    if not {"BY", "RU"} <= sides:
        problems.append("its commission needs members of both Belarus and Russia")
    if problems and call.status is S.DRAFT:
        raise CallStateError(f"call {call.number} cannot be published: {'; '.join(problems)}")
    _transition(session, actor, call, "publish", (S.DRAFT,), S.OPEN)
    return call


def close(session: Session, actor: Principal, call_id: int) -> Call:
    """Stop taking applications (at or after the deadline): evaluation starts."""
    call = load(session, call_id)
    _require_run(actor, call)
    if call.status is S.OPEN and call.deadline > now():
        raise CallStateError(
            f"call {call.number} takes applications until {call.deadline:%Y-%m-%d %H:%M} UTC"
        )
    _transition(session, actor, call, "close", (S.OPEN,), S.EVALUATION)
    return call


def cancel(session: Session, actor: Principal, call_id: int, reason: str | None) -> Call:
    call = load(session, call_id)
    _require_run(actor, call)
    if not (reason and reason.strip()):
        raise CallStateError("cancelling a call needs a reason")
    _transition(
        session, actor, call, "cancel", (S.DRAFT, S.OPEN, S.EVALUATION), S.CANCELLED, reason=reason
    )
    call.cancel_reason = reason
    return call


def _close_if_due(session: Session, call: Call) -> None:
    """A call past its deadline is in evaluation whoever looks first (frozen applications)."""
    if call.status is S.OPEN and call.deadline <= now():
        _transition(
            session, Principal("system", system=True), call, "close", (S.OPEN,), S.EVALUATION
        )


def sign(session: Session, actor: Principal, call_id: int) -> Call:
    """An approver signs the decision for their country; the second signature decides the call:
    the top-ranked application wins and its organization joins the passport as participant."""
    call = load(session, call_id)
    _close_if_due(session, call)
    country = actor.country
    if not can(actor, Action.APPROVE, Kind.SELECTION, owner=country) or country is None:
        raise PermissionDeniedError(
            f"{actor.username} ({actor.side}, {actor.role}) may not sign selection decisions"
        )
    if call.status is not S.EVALUATION:
        raise CallStateError(f"a call that is {call.status.value} has no decision to sign")
    pending = [m.username for m in call.members if m.submitted_at is None]
    if pending:
        raise CallStateError(f"the commission has not finished: waiting for {', '.join(pending)}")
    result = results(session, SYSTEM, call.id)
    if not result.standings:
        raise CallStateError(f"call {call.number} has no application to decide on")
    attribute = "signed_by_by" if country == "BY" else "signed_by_ru"
    if getattr(call, attribute) is not None:
        raise CallStateError(f"{country} has already signed the decision of call {call.number}")
    setattr(call, attribute, actor.username)
    record(session, "call.sign", "call", call.id, after={"side": country}, actor=actor)
    if call.signed_by_by and call.signed_by_ru:
        winner = result.standings[0].application
        winner.won = True
        call.decided_at = now()
        _transition(session, actor, call, "decide", (S.EVALUATION,), S.DECIDED, winner=winner.id)
        _make_executor(session, call, winner)
    session.flush()
    return call


def _make_executor(session: Session, call: Call, winner: Application) -> None:
    """The winner joins the call's passport as participant (unless it already takes part)."""
    if call.passport_id is None:
        return
    taken = session.scalar(
        select(PassportParticipant.id).where(
            PassportParticipant.passport_id == call.passport_id,
            PassportParticipant.organization_id == winner.organization_id,
            PassportParticipant.role == ParticipantRole.PARTICIPANT,
        )
    )
    if taken is None:
        session.add(
            PassportParticipant(
                passport_id=call.passport_id,
                organization_id=winner.organization_id,
                role=ParticipantRole.PARTICIPANT,
            )
        )


# --- candidates and invitations ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    organization: Organization
    product: str
    probability: float
    evidence: str
    invited: bool


def candidates(session: Session, actor: Principal, call_id: int, top: int = 10) -> list[Candidate]:
    """Organizations that could execute the call: the matching engine's matches of its item
    (or of the passport products' source items), best first, with the engine's evidence; else
    the capabilities under the same TN VED subheading or heading. Rejected matches are left out.
    """
    call = get_call(session, actor, call_id)
    items = {call.item_id} if call.item_id else set()
    if call.passport is not None:
        items |= {p.source_item_id for p in call.passport.products if p.source_item_id}
    invited = {i.organization_id for i in call.invitations}
    found: dict[int, Candidate] = {}
    if items:
        matches = session.scalars(
            select(Match)
            .where(Match.item_id.in_(items))
            .where((Match.decision.is_(None)) | (Match.decision != Decision.REJECTED))
            .options(selectinload(Match.capability).selectinload(Capability.enterprise))
            .order_by(Match.probability.desc())
        )
        for match in matches:
            org = match.capability.enterprise
            if org.id not in found:
                found[org.id] = Candidate(
                    org,
                    match.capability.product_name,
                    match.probability,
                    match.why,
                    org.id in invited,
                )
    if len(found) < top and call.tnved_code:
        for width, share in ((6, 0.5), (4, 0.3)):
            prefix = call.tnved_code[:width]
            rows = session.scalars(
                select(Capability)
                .where(Capability.tnved_code.like(prefix + "%"))
                .options(selectinload(Capability.enterprise))
                .order_by(Capability.capacity_per_year.desc())
                .limit(top * 3)
            )
            for capability in rows:
                org = capability.enterprise
                if org.id not in found:
                    found[org.id] = Candidate(
                        org,
                        capability.product_name,
                        share,
                        f"TN VED {capability.tnved_code} shares the "
                        f"{'subheading' if width == 6 else 'heading'} {prefix}",
                        org.id in invited,
                    )
    ranked = sorted(found.values(), key=lambda c: -c.probability)
    return ranked[:top]


def invite(
    session: Session, actor: Principal, call_id: int, organization_id: int, evidence: str | None
) -> Invitation:
    call = load(session, call_id)
    _require_run(actor, call)
    if call.status not in (S.DRAFT, S.OPEN):
        raise CallStateError(f"invitations end when the call is {call.status.value}")
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise DomainValidationError(
            [FieldError("organization_id", "no such organization", organization_id)]
        )
    if any(i.organization_id == organization_id for i in call.invitations):
        raise ConflictError(f"{organization.name} is already invited to call {call.number}")
    invitation = Invitation(
        call_id=call.id,
        organization_id=organization_id,
        evidence=evidence,
        invited_by=actor.username,
    )
    call.invitations.append(invitation)
    session.flush()
    record(
        session,
        "call.invite",
        "call",
        call.id,
        after={"organization": organization_id},
        actor=actor,
    )
    return invitation


# --- applications -----------------------------------------------------------------------------


def submit_application(
    session: Session, actor: Principal, call_id: int, body: ApplicationIn
) -> Application:
    """Create or replace an organization's application while the call is open; refused after
    the deadline (applications are frozen) with the time it closed."""
    call = load(session, call_id)
    organization = session.get(Organization, body.organization_id)
    if organization is None:
        raise DomainValidationError(
            [FieldError("organization_id", "no such organization", body.organization_id)]
        )
    if not may_act_for(
        actor, organization.id, organization.country_code, enterprise_of(session, actor) is not None
    ):
        raise PermissionDeniedError(
            f"{actor.username} may not apply on behalf of {organization.name}"
        )
    _close_if_due(session, call)
    if call.status is not S.OPEN:
        when = f" at {call.deadline:%Y-%m-%d %H:%M} UTC" if call.status is S.EVALUATION else ""
        raise CallStateError(
            f"call {call.number} is {call.status.value}: applications closed{when} and can no "
            f"longer be made or changed"
        )
    if organization.kind is not OrganizationKind.ENTERPRISE:
        raise DomainValidationError(
            [FieldError("organization_id", "only enterprises apply", body.organization_id)]
        )
    if any(m.user_id == actor.user_id for m in call.members) and not actor.system:
        raise PermissionDeniedError("a commission member cannot enter applications to the call")
    application = next((a for a in call.applications if a.organization_id == organization.id), None)
    before = None
    if application is None:
        application = Application(call_id=call.id, organization_id=organization.id)
        call.applications.append(application)
    else:
        before = {"price": str(application.price_amount), "product": application.product}
    application.product = body.product
    application.capacity = {str(q.year): str(q.quantity) for q in body.capacity}
    application.price_amount = body.price
    application.price_currency = body.currency
    application.first_output = body.first_output
    application.financing_asked = body.financing_asked
    application.own_share = body.own_share
    application.localisation = body.localisation
    application.documents = body.documents
    application.entered_by = actor.username
    session.flush()
    record(
        session,
        "call.apply",
        "selection_application",
        application.id,
        before=before,
        after={"call": call.id, "organization": organization.id, "price": str(body.price)},
        actor=actor,
    )
    return application


# --- scoring ----------------------------------------------------------------------------------


def _member(call: Call, actor: Principal) -> CommissionMember:
    member = member_of(call, actor)
    if member is None:
        raise PermissionDeniedError(f"{actor.username} is not on the commission of {call.number}")
    return member


def declare(session: Session, actor: Principal, call_id: int) -> CommissionMember:
    """A member declares no conflict of interest; refused to a member whose organization
    applied (they cannot score this call)."""
    call = load(session, call_id)
    member = _member(call, actor)
    _close_if_due(session, call)
    applicants = {a.organization_id: a.organization.name for a in call.applications}
    if actor.organization_id in applicants:
        raise ConflictError(
            f"{actor.username} works for {applicants[actor.organization_id]}, which applied to "
            f"call {call.number}: a conflict of interest; this member cannot score"
        )
    if member.declared_at is None:
        member.declared_at = now()
        session.flush()
        record(
            session, "call.declare", "call", call.id, after={"member": member.username}, actor=actor
        )
    return member


def score(session: Session, actor: Principal, call_id: int, scores: Sequence[ScoreIn]) -> int:
    """Record (or change) some of a member's scores; only in evaluation, after the declaration
    and before the member submits."""
    call = load(session, call_id)
    member = _member(call, actor)
    _close_if_due(session, call)
    if call.status is not S.EVALUATION:
        raise CallStateError(f"scoring starts after the deadline; the call is {call.status.value}")
    if member.declared_at is None:
        raise CallStateError("declare that you have no conflict of interest before scoring")
    if member.submitted_at is not None:
        raise CallStateError("your scores are submitted and can no longer be changed")
    criteria = {c.key: c for c in call.criteria}
    applications = {a.id for a in call.applications}
    errors = []
    for n, given in enumerate(scores):
        if given.criterion not in criteria:
            errors.append(
                FieldError(f"scores.{n}.criterion", "not a criterion of this call", given.criterion)
            )
        if given.application_id not in applications:
            errors.append(
                FieldError(
                    f"scores.{n}.application_id",
                    "not an application to this call",
                    given.application_id,
                )
            )
    if errors:
        raise DomainValidationError(errors)
    existing = {
        (s.application_id, s.criterion_id): s
        for s in session.scalars(select(Score).where(Score.member_id == member.id))
    }
    for given in scores:
        criterion = criteria[given.criterion]
        key = (given.application_id, criterion.id)
        if key in existing:
            existing[key].value = given.value
        else:
            existing[key] = Score(
                member_id=member.id,
                application_id=given.application_id,
                criterion_id=criterion.id,
                value=given.value,
            )
            session.add(existing[key])
    session.flush()
    return len(scores)


def my_scores(session: Session, actor: Principal, call_id: int) -> dict[tuple[int, str], Decimal]:
    """The member's own scores: (application, criterion key) → value."""
    call = load(session, call_id)
    member = _member(call, actor)
    keys = {c.id: c.key for c in call.criteria}
    return {
        (s.application_id, keys[s.criterion_id]): s.value
        for s in session.scalars(select(Score).where(Score.member_id == member.id))
    }


def submit_scores(session: Session, actor: Principal, call_id: int) -> CommissionMember:
    """Submit: every application scored on every criterion; then final for this member."""
    call = load(session, call_id)
    member = _member(call, actor)
    if member.submitted_at is not None:
        raise CallStateError("your scores are already submitted")
    if call.status is not S.EVALUATION:
        raise CallStateError(f"scores are submitted in evaluation; the call is {call.status.value}")
    given = my_scores(session, actor, call_id)
    missing = [
        f"{a.organization.name} / {c.name}"
        for a in call.applications
        for c in call.criteria
        if (a.id, c.key) not in given
    ]
    if missing:
        raise CallStateError(
            f"{len(missing)} score(s) missing, for example: {'; '.join(missing[:3])}"
        )
    member.submitted_at = now()
    session.flush()
    record(
        session,
        "call.submit_scores",
        "call",
        call.id,
        after={"member": member.username},
        actor=actor,
    )
    return member


# --- results ----------------------------------------------------------------------------------


@dataclass
class Standing:
    """One application's place: total (0–100), per criterion and member, and the spreads."""

    application: Application
    rank: int = 0
    total: Decimal = Decimal(0)
    by_criterion: dict[str, Decimal] = field(default_factory=dict)
    by_member: dict[str, Decimal] = field(default_factory=dict)
    spread: Decimal = Decimal(0)
    by_side: dict[str, Decimal] = field(default_factory=dict)
    sides_disagree: bool = False


@dataclass
class Results:
    call: Call
    members_submitted: int
    final: bool  # every member submitted
    standings: list[Standing]


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENTI, rounding=ROUND_HALF_EVEN)


def results(session: Session, actor: Principal, call_id: int) -> Results:
    """The ranking from the submitted scores. A member sees it after submitting their own;
    others who may see the call after the decision; an enterprise sees only its own row."""
    call = get_call(session, actor, call_id)
    member = member_of(call, actor)
    decided = call.status is S.DECIDED
    if not actor.system and not decided and (member is None or member.submitted_at is None):
        raise PermissionDeniedError(
            "scores are visible to a commission member after submitting their own, and to "
            "everyone after the decision"
        )
    submitted = {m.id: m for m in call.members if m.submitted_at is not None}
    weights = {c.id: (c.key, c.weight) for c in call.criteria}
    rows: Sequence[Score] = (
        session.scalars(select(Score).where(Score.member_id.in_(submitted))).all()
        if submitted
        else []
    )
    table: dict[int, dict[int, dict[int, Decimal]]] = {}  # application → member → criterion
    for row in rows:
        table.setdefault(row.application_id, {}).setdefault(row.member_id, {})[row.criterion_id] = (
            row.value
        )
    standings = []
    for application in call.applications:
        per_member = table.get(application.id, {})
        standing = Standing(application)
        member_totals: dict[int, Decimal] = {}
        for member_id, values in per_member.items():
            member_totals[member_id] = sum(
                (
                    values.get(cid, Decimal(0)) * weight / 10
                    for cid, (_k, weight) in weights.items()
                ),
                Decimal(0),
            )
        for cid, (key, _weight) in weights.items():
            given = [v[cid] for v in per_member.values() if cid in v]
            mean = sum(given, Decimal(0)) / len(given) if given else Decimal(0)
            standing.by_criterion[key] = _q(mean)
        if member_totals:
            standing.total = _q(sum(member_totals.values(), Decimal(0)) / len(member_totals))
            standing.by_member = {submitted[m].username: _q(t) for m, t in member_totals.items()}
            standing.spread = _q(max(member_totals.values()) - min(member_totals.values()))
            for side in ("BY", "RU"):
                own = [t for m, t in member_totals.items() if submitted[m].side == side]
                if own:
                    standing.by_side[side] = _q(sum(own, Decimal(0)) / len(own))
            if len(standing.by_side) == 2:
                gap = abs(standing.by_side["BY"] - standing.by_side["RU"])
                standing.sides_disagree = gap > call.disagreement_margin
        standings.append(standing)
    # ties: the higher own co-financing share, then the earlier application
    standings.sort(key=lambda s: (-s.total, -s.application.own_share, s.application.id))
    for n, standing in enumerate(standings, start=1):
        standing.rank = n
    if not actor.system and not sees_all_applications(session, actor, call):
        standings = [s for s in standings if s.application.organization_id == actor.organization_id]
    return Results(call, len(submitted), len(submitted) == len(call.members), standings)
