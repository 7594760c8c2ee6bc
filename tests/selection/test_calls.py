"""Calls for executors on the demo: opening with weighted criteria, candidates from matching,
applications frozen at the deadline, blind scoring by a two-sided commission, conflicts of
interest, the ranking with the sides' disagreement, and the decision both sides sign."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.access.models import Role, Side, User
from unionsync.access.policy import SYSTEM, PermissionDeniedError, Principal
from unionsync.access.service import create_user, principal_for
from unionsync.catalog.models import Organization, OrganizationKind, Program
from unionsync.core.errors import ConflictError
from unionsync.matching.models import Match
from unionsync.matching.service import Engine, execute_run, request_run
from unionsync.passports.models import IN_PREPARATION, Passport, PassportParticipant
from unionsync.selection import calls
from unionsync.selection.calls import CallStateError
from unionsync.selection.models import CallStatus
from unionsync.selection.schemas import ApplicationIn, CallCreate, ScoreIn, YearQuantity


def person(session: Session, username: str) -> Principal:
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None
    return principal_for(user)


def enterprise(session: Session, country: str, n: int = 0) -> Organization:
    found = session.scalars(
        select(Organization)
        .where(
            Organization.kind == OrganizationKind.ENTERPRISE, Organization.country_code == country
        )
        .order_by(Organization.id)
    ).all()
    return found[n]


def new_user(
    session: Session, name: str, side: Side, role: Role, org: int | None = None
) -> Principal:
    return principal_for(
        create_user(
            session, SYSTEM, name, "a-long-password", side, role, org, allow_weak_password=True
        )
    )


def call_body(passport_id: int, members: list[str], **extra: object) -> CallCreate:
    fields: dict[str, object] = {
        "title": "Отбор исполнителя проекта",
        "passport_id": passport_id,
        "quantities": [YearQuantity(year=2027, quantity=Decimal(100))],
        "deadline": datetime.now(UTC) + timedelta(days=10),
        "members": members,
    }
    fields.update(extra)
    return CallCreate.model_validate(fields)


def offer(org: Organization, price: int, own: int = 20) -> ApplicationIn:
    return ApplicationIn(
        organization_id=org.id,
        product="Станок",
        capacity=[YearQuantity(year=2027, quantity=Decimal(120))],
        price=Decimal(price),
        currency="RUB",
        first_output=date(2027, 3, 1),
        own_share=Decimal(own),
        localisation=Decimal(60),
    )


@pytest.fixture
def passport(demo_session: Session) -> Passport:
    found = demo_session.scalars(
        select(Passport).where(Passport.status.in_(IN_PREPARATION)).order_by(Passport.id)
    ).first()
    assert found is not None
    return found


def test_weights_must_sum_to_100_and_keys_differ():
    base = {
        "title": "Отбор",
        "item_id": 1,
        "quantities": [{"year": 2027, "quantity": 5}],
        "deadline": "2030-01-01T00:00:00+03:00",
    }
    with pytest.raises(ValidationError, match="sum to 90"):
        CallCreate.model_validate(
            base | {"criteria": [{"key": "price", "name": "Цена", "weight": 90}]}
        )
    with pytest.raises(ValidationError, match="differ"):
        CallCreate.model_validate(
            base
            | {
                "criteria": [
                    {"key": "price", "name": "Цена", "weight": 50},
                    {"key": "price", "name": "Цена 2", "weight": 50},
                ]
            }
        )
    with pytest.raises(ValidationError, match="time zone"):
        CallCreate.model_validate(base | {"deadline": "2030-01-01T00:00:00"})
    with pytest.raises(ValidationError, match="either passport_id or item_id"):
        CallCreate.model_validate(base | {"passport_id": 3})
    assert sum(c.weight for c in CallCreate.model_validate(base).criteria) == 100


def test_a_call_from_opening_to_the_signed_decision(demo_session: Session, passport: Passport):
    s = demo_session
    by_editor, by_approver = person(s, "by-editor"), person(s, "by-approver")
    ru_approver = person(s, "ru-approver")
    plant_a, plant_b = enterprise(s, "BY", 0), enterprise(s, "RU", 0)
    plant_a_user = new_user(s, "plant-a", Side.BY, Role.EDITOR, plant_a.id)
    ru_ministry = new_user(s, "ru-ministry", Side.RU, Role.EDITOR)
    by_member = new_user(s, "by-member", Side.BY, Role.VIEWER)
    ru_member = new_user(s, "ru-member", Side.RU, Role.VIEWER)
    conflicted = new_user(s, "ru-conflicted", Side.RU, Role.VIEWER, plant_b.id)

    # a viewer may not open a call; an editor opens a draft
    with pytest.raises(PermissionDeniedError):
        calls.open_call(s, by_member, call_body(passport.id, []))
    call = calls.open_call(
        s, by_editor, call_body(passport.id, ["by-member", "ru-member", "ru-conflicted"])
    )
    assert call.status is CallStatus.DRAFT and call.number.startswith("ОТБ-")
    assert call.tnved_code == passport.products[0].tnved_code

    # nobody applies to a draft
    with pytest.raises(CallStateError, match="draft"):
        calls.submit_application(s, plant_a_user, call.id, offer(plant_a, 100))
    calls.publish(s, by_editor, call.id)

    # an enterprise applies for itself only; a ministry's editor on behalf of its country's
    with pytest.raises(PermissionDeniedError):
        calls.submit_application(s, plant_a_user, call.id, offer(plant_b, 100))
    with pytest.raises(PermissionDeniedError):
        calls.submit_application(s, ru_ministry, call.id, offer(plant_a, 100))
    first = calls.submit_application(s, plant_a_user, call.id, offer(plant_a, 90))
    second = calls.submit_application(s, ru_ministry, call.id, offer(plant_b, 100))
    again = calls.submit_application(s, plant_a_user, call.id, offer(plant_a, 95))
    assert again.id == first.id and again.price_amount == 95  # replaced, not duplicated

    # an enterprise sees only its own application; the ministry sees all
    assert [a.id for a in calls.applications(s, plant_a_user, call.id)] == [first.id]
    assert {a.id for a in calls.applications(s, by_editor, call.id)} == {first.id, second.id}

    # scoring waits for the deadline; after it, applications are frozen
    with pytest.raises(CallStateError, match="after the deadline"):
        calls.score(
            s,
            by_member,
            call.id,
            [ScoreIn(application_id=first.id, criterion="price", value=Decimal(5))],
        )
    call.deadline = datetime.now(UTC) - timedelta(seconds=1)
    s.flush()
    with pytest.raises(CallStateError, match=r"closed at .* can no longer"):
        calls.submit_application(s, plant_a_user, call.id, offer(plant_a, 80))
    assert call.status is CallStatus.EVALUATION

    # a member whose organization applied cannot score
    with pytest.raises(ConflictError, match="conflict of interest"):
        calls.declare(s, conflicted, call.id)
    with pytest.raises(CallStateError, match="fixed"):
        calls.set_members(s, by_editor, call.id, ["by-member", "ru-member"])
    # drop the conflicted member the way the committee would: a new call would name others;
    # here the member is removed directly to let the commission finish
    call.members = [m for m in call.members if m.username != "ru-conflicted"]
    s.flush()

    # blind: no declaration, no scores; no results before one's own submission
    with pytest.raises(CallStateError, match="declare"):
        calls.score(
            s,
            by_member,
            call.id,
            [ScoreIn(application_id=first.id, criterion="price", value=Decimal(5))],
        )
    for member in (by_member, ru_member):
        calls.declare(s, member, call.id)
    keys = [c.key for c in call.criteria]

    def sheet(a: int, b: int) -> list[ScoreIn]:
        return [ScoreIn(application_id=first.id, criterion=k, value=Decimal(a)) for k in keys] + [
            ScoreIn(application_id=second.id, criterion=k, value=Decimal(b)) for k in keys
        ]

    calls.score(s, by_member, call.id, sheet(9, 6))
    with pytest.raises(PermissionDeniedError, match="after submitting"):
        calls.results(s, by_member, call.id)
    with pytest.raises(CallStateError, match="missing"):
        calls.submit_scores(s, ru_member, call.id)
    calls.submit_scores(s, by_member, call.id)
    with pytest.raises(CallStateError, match="no longer be changed"):
        calls.score(s, by_member, call.id, sheet(1, 1))
    seen = calls.results(s, by_member, call.id)  # only the by-member's scores so far
    assert not seen.final and seen.standings[0].total == Decimal(90)
    calls.score(s, ru_member, call.id, sheet(3, 7))
    with pytest.raises(CallStateError, match="not finished"):
        calls.sign(s, by_approver, call.id)
    calls.submit_scores(s, ru_member, call.id)

    # weighted totals (0–100): A = (90 + 30) / 2 = 60, B = (60 + 70) / 2 = 65
    found = calls.results(s, SYSTEM, call.id)
    ranking = [(st.application.id, st.total, st.rank) for st in found.standings]
    assert ranking == [(second.id, Decimal(65), 1), (first.id, Decimal(60), 2)]
    a = found.standings[1]
    assert a.by_side == {"BY": Decimal(90), "RU": Decimal(30)} and a.spread == Decimal(60)
    assert a.sides_disagree  # 60 points apart, above the 15-point margin
    assert not found.standings[0].sides_disagree  # 60 against 70

    # the decision: an approver of each side; the second signature decides
    with pytest.raises(PermissionDeniedError):
        calls.sign(s, by_editor, call.id)
    calls.sign(s, by_approver, call.id)
    with pytest.raises(CallStateError, match="already signed"):
        calls.sign(s, by_approver, call.id)
    assert call.status is CallStatus.EVALUATION
    calls.sign(s, ru_approver, call.id)
    assert call.status is CallStatus.DECIDED and second.won and not first.won
    executors = s.scalars(
        select(PassportParticipant.organization_id).where(
            PassportParticipant.passport_id == passport.id
        )
    ).all()
    assert plant_b.id in executors

    # after the decision: everyone sees the ranking; the losing enterprise its own row only
    losing = calls.results(s, plant_a_user, call.id)
    assert [(st.application.id, st.rank) for st in losing.standings] == [(first.id, 2)]
    assert len(calls.results(s, by_editor, call.id).standings) == 2


def test_candidates_come_from_the_matching_engine_with_evidence(demo_session: Session):
    s = demo_session
    program = s.scalars(select(Program).where(Program.country_code == "RU")).first()
    run = request_run(s, SYSTEM, program.id, Engine())
    s.commit()
    execute_run(s, run.id, Engine())
    match = s.scalars(
        select(Match).where(Match.probability > 0.5).order_by(Match.probability.desc())
    ).first()
    assert match is not None
    body = CallCreate.model_validate(
        {
            "title": "Отбор по разрыву",
            "item_id": match.item_id,
            "quantities": [{"year": 2027, "quantity": 5}],
            "deadline": datetime.now(UTC) + timedelta(days=3),
        }
    )
    call = calls.open_call(s, person(s, "ru-editor"), body)
    found = calls.candidates(s, person(s, "union-viewer"), call.id)
    assert found and found[0].organization.id == match.capability.enterprise_id
    assert found[0].evidence == match.why
    calls.invite(s, person(s, "ru-editor"), call.id, found[0].organization.id, found[0].evidence)
    assert calls.candidates(s, person(s, "union-viewer"), call.id)[0].invited
    with pytest.raises(ConflictError, match="already invited"):
        calls.invite(s, person(s, "ru-editor"), call.id, found[0].organization.id, None)
    # a bank sees no calls
    with pytest.raises(PermissionDeniedError):
        calls.candidates(s, person(s, "bank-viewer"), call.id)


def test_a_call_needs_both_sides_on_its_commission_to_open(
    demo_session: Session, passport: Passport
):
    s = demo_session
    call = calls.open_call(s, person(s, "by-editor"), call_body(passport.id, ["by-editor"]))
    with pytest.raises(CallStateError, match="both Belarus and Russia"):
        calls.publish(s, person(s, "by-editor"), call.id)
    with pytest.raises(PermissionDeniedError):  # a Russian editor does not run a Belarusian call
        calls.publish(s, person(s, "ru-editor"), call.id)
    with pytest.raises(CallStateError, match="needs a reason"):
        calls.cancel(s, person(s, "by-editor"), call.id, " ")
    calls.cancel(s, person(s, "by-editor"), call.id, "передумали")
    with pytest.raises(CallStateError, match="cannot publish a call that is cancelled"):
        calls.publish(s, person(s, "by-editor"), call.id)


def test_every_call_act_in_every_state(demo_session: Session, passport: Passport):
    """publish, close, sign and cancel from each state: the allowed ones go where the diagram
    says; the others are refused naming the state."""
    s = demo_session
    editor, approver = person(s, "by-editor"), person(s, "by-approver")
    expected = {
        (CallStatus.DRAFT, "publish"): CallStatus.OPEN,
        (CallStatus.OPEN, "close"): CallStatus.EVALUATION,
        (CallStatus.DRAFT, "cancel"): CallStatus.CANCELLED,
        (CallStatus.OPEN, "cancel"): CallStatus.CANCELLED,
        (CallStatus.EVALUATION, "cancel"): CallStatus.CANCELLED,
        # signing in evaluation needs every member's scores: refused here, for that reason
    }
    for state in CallStatus:
        for act in ("publish", "close", "sign", "cancel"):
            call = calls.open_call(s, editor, call_body(passport.id, ["by-expert", "ru-expert"]))
            call.status = state
            if act == "close":
                call.deadline = datetime.now(UTC) - timedelta(seconds=1)
            s.flush()
            run = {
                "publish": lambda c=call: calls.publish(s, editor, c.id),
                "close": lambda c=call: calls.close(s, editor, c.id),
                "sign": lambda c=call: calls.sign(s, approver, c.id),
                "cancel": lambda c=call: calls.cancel(s, editor, c.id, "причина"),
            }[act]
            target = expected.get((state, act))
            if target is not None:
                assert run().status is target, (state, act)
            elif act == "sign" and state is CallStatus.EVALUATION:
                with pytest.raises(CallStateError, match="not finished"):
                    run()
            else:
                with pytest.raises(CallStateError, match=state.value):
                    run()
