"""Every route of the application against every side × role (and anonymous).

The expected outcome is written here from the issue's rules, independently of the policy module.
A route that the application has and this table lacks fails the test: a new route must come
with its rule.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import make_settings
from unionsync.access.models import Role, Side
from unionsync.access.policy import SYSTEM
from unionsync.access.service import create_user, issue_token, start_web_session
from unionsync.app import create_app
from unionsync.catalog.models import (
    Capability,
    Organization,
    OrganizationKind,
    Program,
    ProgramItem,
)
from unionsync.db.session import make_engine, make_session_factory, transaction
from unionsync.finance import drawdown
from unionsync.finance.models import Allocation, CreditAgreement
from unionsync.matching.models import Match
from unionsync.matching.service import Engine, execute_run, request_run
from unionsync.nomenclature.models import CodeListEntry
from unionsync.passports.models import ParticipantRole, PassportParticipant
from unionsync.roadmap.models import RoadmapDependency, RoadmapTask
from unionsync.selection import calls, tenders
from unionsync.selection.models import Contract, Tender
from unionsync.selection.schemas import CallCreate, ContractIn
from unionsync.web.csrf import CSRF_COOKIE, new_token

WRITERS = {Role.EDITOR, Role.APPROVER}
COUNTRIES = {Side.BY, Side.RU}
SEES_DATA = {Side.BY, Side.RU, Side.UNION}


@dataclass(frozen=True)
class Who:
    side: Side | None
    role: Role | None

    @property
    def name(self) -> str:
        return (
            f"{self.side.value.lower()}-{self.role.value}-m" if self.side and self.role else "anon"
        )


# rule name → who may pass (anonymous never, except "public")
RULES: dict[str, Callable[[Who], bool]] = {
    "public": lambda w: True,
    "signed_in": lambda w: w.side is not None,
    "view": lambda w: w.side in SEES_DATA,
    "bank_too": lambda w: w.side is not None,  # a bank sees its own (filtered) passports
    "write_by": lambda w: w.side is Side.BY and w.role in WRITERS,
    "write_union": lambda w: w.side is Side.UNION and w.role in WRITERS,
    # matching serves a program (here a Belarusian one): its country's editors and the committee's
    "match_by": lambda w: w.side in (Side.BY, Side.UNION) and w.role in WRITERS,
    "upload": lambda w: w.side in COUNTRIES and w.role in WRITERS,
    # a joint project is drafted by either country's editors (for their side) or the committee's;
    # the same people edit and move a passport their country takes part in (the test passport
    # has Belarusian and Russian participants)
    "draft": lambda w: w.side in (Side.BY, Side.RU, Side.UNION) and w.role in WRITERS,
    # a passport initiated by a Belarusian enterprise: Belarus's editors or the committee's
    "passport_by": lambda w: w.side in (Side.BY, Side.UNION) and w.role in WRITERS,
    "approver": lambda w: w.side in COUNTRIES and w.role is Role.APPROVER,
    # financing (issue 14): allocations by the ministries' writers; agreements, approvals,
    # disbursements and repayments by the lending bank's writers (the test users' bank lends
    # to the test passport)
    "ministry": lambda w: w.side in COUNTRIES and w.role in WRITERS,
    "bank_writer": lambda w: w.side is Side.BANK and w.role in WRITERS,
    # a roadmap baseline: an approver of either country or a writer of the Committee
    "baseline": lambda w: (
        (w.side in COUNTRIES and w.role is Role.APPROVER)
        or (w.side is Side.UNION and w.role in WRITERS)
    ),
    "admin": lambda w: w.role is Role.ADMIN,
    "admin_by": lambda w: w.role is Role.ADMIN and w.side is Side.BY,
    # a user's own tokens: that user (the matrix asks for Belarus's viewer) or Belarus's admin
    "admin_by_or_self": lambda w: (
        (w.role is Role.ADMIN and w.side is Side.BY) or w.name == "by-viewer-m"
    ),
    "audit": lambda w: w.role is Role.ADMIN or w.side is Side.UNION,
    "nobody": lambda w: False,
}

ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/api/openapi.json"): "public",
    ("GET", "/api/v1/countries"): "signed_in",
    ("GET", "/api/v1/countries/{code}"): "signed_in",
    ("GET", "/api/v1/industries"): "signed_in",
    ("GET", "/api/v1/industries/{industry_id}"): "signed_in",
    ("GET", "/api/v1/organizations"): "view",
    ("GET", "/api/v1/organizations/{org_id}"): "view",
    ("GET", "/api/v1/programs"): "view",
    ("GET", "/api/v1/programs/{program_id}"): "view",
    ("POST", "/api/v1/programs"): "write_by",
    ("PATCH", "/api/v1/programs/{program_id}"): "write_by",
    ("GET", "/api/v1/program-items"): "view",
    ("GET", "/api/v1/program-items/{item_id}"): "view",
    ("POST", "/api/v1/programs/{program_id}/items"): "write_by",
    ("PATCH", "/api/v1/program-items/{item_id}"): "write_by",
    ("GET", "/api/v1/capabilities"): "view",
    ("GET", "/api/v1/capabilities/{capability_id}"): "view",
    ("POST", "/api/v1/capabilities"): "write_by",
    ("PATCH", "/api/v1/capabilities/{capability_id}"): "write_by",
    ("GET", "/api/v1/passports"): "bank_too",
    ("GET", "/api/v1/passports/{passport_id}"): "bank_too",
    ("GET", "/api/v1/trade-flows"): "view",
    ("GET", "/api/v1/trade/critical-totals"): "view",
    ("GET", "/api/v1/trade/mirror"): "view",
    ("GET", "/trade/mirror"): "view",
    ("GET", "/opportunities"): "view",
    ("GET", "/api/v1/stats"): "view",
    ("GET", "/api/v1/me"): "signed_in",
    ("GET", "/api/v1/me/tokens"): "signed_in",
    ("DELETE", "/api/v1/me/tokens/{token_id}"): "signed_in",
    # the admins' pages (issue 19): an admin manages their side's users; the user asked for
    # is Belarus's viewer; a token is revoked by its own user or their side's admin
    ("GET", "/admin/users"): "admin",
    ("POST", "/admin/users"): "admin",
    ("GET", "/admin/users/{username}"): "admin_by_or_self",
    ("POST", "/admin/users/{username}/tokens"): "admin_by_or_self",
    ("POST", "/admin/tokens/{token_id}/revoke"): "signed_in",
    ("GET", "/api/v1/users"): "admin",
    ("POST", "/api/v1/users"): "admin_by",
    ("GET", "/api/v1/audit"): "audit",
    ("GET", "/api/v1/nomenclature/suggest"): "signed_in",
    ("GET", "/api/v1/nomenclature/codes/{system}/{code}"): "signed_in",
    ("GET", "/programs"): "view",
    ("GET", "/programs/{program_id}"): "view",
    ("GET", "/items"): "view",
    ("GET", "/enterprises"): "view",
    ("GET", "/enterprises/{org_id}"): "view",
    ("GET", "/capabilities"): "view",
    ("GET", "/upload"): "signed_in",
    ("POST", "/upload"): "upload",
    ("GET", "/templates/{kind}.xlsx"): "signed_in",
    ("GET", "/passports"): "bank_too",
    ("GET", "/passports/{passport_id}"): "bank_too",
    ("GET", "/trade"): "view",
    ("GET", "/nomenclature"): "signed_in",
    ("GET", "/nomenclature/suggest"): "signed_in",
    ("GET", "/code-lists"): "view",
    ("GET", "/code-lists/{code}"): "view",
    ("POST", "/code-lists/{code}/entries"): "write_union",
    ("POST", "/code-lists/{code}/entries/{entry_id}/delete"): "write_union",
    ("GET", "/api/v1/code-lists"): "view",
    ("GET", "/api/v1/code-lists/{code}"): "view",
    ("GET", "/api/v1/code-lists/{code}/contains"): "view",
    ("GET", "/nomenclature/{system}/{code}"): "signed_in",
    ("POST", "/api/v1/match/runs"): "match_by",
    ("GET", "/api/v1/match/runs"): "view",
    ("GET", "/api/v1/match/runs/{run_id}"): "view",
    ("GET", "/api/v1/match/matches"): "view",
    ("GET", "/api/v1/match/matches/{match_id}"): "view",
    ("POST", "/api/v1/match/matches/{match_id}/decision"): "match_by",
    ("GET", "/api/v1/coverage/programs/{program_id}"): "view",
    ("GET", "/api/v1/sync"): "view",
    ("POST", "/api/v1/passports/from-item/{item_id}"): "draft",
    ("POST", "/api/v1/passports"): "passport_by",
    ("PATCH", "/api/v1/passports/{passport_id}"): "draft",
    ("POST", "/api/v1/passports/{passport_id}/acts/{act}"): "draft",
    ("GET", "/api/v1/passports/{passport_id}/versions"): "view",
    ("GET", "/api/v1/passports/{passport_id}/versions/{number}"): "view",
    ("GET", "/api/v1/passports/{passport_id}/diff"): "view",
    ("POST", "/api/v1/passports/{passport_id}/change-requests"): "draft",
    ("GET", "/api/v1/passports/{passport_id}/change-requests"): "view",
    ("POST", "/api/v1/change-requests/{request_id}/decision"): "approver",
    ("GET", "/api/v1/passports/{passport_id}/timeline"): "view",
    ("GET", "/api/v1/passports/{passport_id}/document"): "view",
    ("GET", "/passports/new"): "draft",
    ("POST", "/passports/new"): "draft",
    ("POST", "/passports/{passport_id}/acts/{what}"): "draft",
    ("GET", "/passports/{passport_id}/edit"): "draft",
    ("POST", "/passports/{passport_id}/edit"): "draft",
    ("POST", "/passports/change-requests/{request_id}/decision"): "approver",
    ("GET", "/passports/{passport_id}/diff"): "view",
    ("GET", "/passports/{passport_id}/document.{fmt}"): "view",
    ("POST", "/passports/from-item/{item_id}"): "draft",
    ("GET", "/sync/items/{item_id}"): "view",
    ("GET", "/matching"): "view",
    ("GET", "/sync"): "view",
    ("GET", "/items/{item_id}"): "view",
    ("GET", "/sync/items"): "view",
    ("GET", "/sync/complements"): "view",
    ("GET", "/sync/gaps"): "view",
    ("GET", "/sync/overlaps"): "view",
    ("GET", "/sync/report.{kind}"): "view",
    ("POST", "/matching/runs"): "match_by",
    ("GET", "/matching/review"): "view",
    ("POST", "/matching/matches/{match_id}/decision"): "match_by",
    ("GET", "/login"): "public",
    ("POST", "/login"): "public",
    ("POST", "/logout"): "public",
    ("GET", "/audit"): "audit",
    ("GET", "/lang/{language}"): "public",
    ("GET", "/static/vendor/plotly.min.js"): "public",
    ("GET", "/static/vendor/{name}"): "public",
    ("GET", "/api/docs"): "public",
    ("GET", "/healthz"): "public",
    ("GET", "/"): "bank_too",  # a bank is sent on to its passports
    # selection (issue 13): the world's call is Belarus's; its tender buys for the bank's
    # passport (a Belarusian initiator with a Russian participant)
    ("GET", "/api/v1/calls"): "view",
    ("POST", "/api/v1/calls"): "draft",
    ("GET", "/api/v1/calls/{call_id}"): "view",
    ("PUT", "/api/v1/calls/{call_id}/members"): "passport_by",
    ("POST", "/api/v1/calls/{call_id}/acts/{act}"): "passport_by",
    ("GET", "/api/v1/calls/{call_id}/candidates"): "view",
    ("POST", "/api/v1/calls/{call_id}/invitations"): "passport_by",
    ("GET", "/api/v1/calls/{call_id}/applications"): "view",
    # an organization applies through its own writers or its country's ministry's
    ("POST", "/api/v1/calls/{call_id}/applications"): "write_by",
    # only commission members declare and score; the matrix's people sit on none
    ("POST", "/api/v1/calls/{call_id}/declaration"): "nobody",
    ("GET", "/api/v1/calls/{call_id}/my-scores"): "nobody",
    ("PUT", "/api/v1/calls/{call_id}/my-scores"): "nobody",
    ("POST", "/api/v1/calls/{call_id}/my-scores/submit"): "nobody",
    # before the decision, results are for members who submitted
    ("GET", "/api/v1/calls/{call_id}/results"): "nobody",
    ("GET", "/api/v1/tenders"): "bank_too",
    ("POST", "/api/v1/tenders"): "draft",
    ("GET", "/api/v1/tenders/{tender_id}"): "bank_too",
    ("POST", "/api/v1/tenders/{tender_id}/acts/{act}"): "draft",
    ("GET", "/api/v1/tenders/{tender_id}/bids"): "bank_too",
    ("POST", "/api/v1/tenders/{tender_id}/bids"): "draft",
    ("GET", "/api/v1/tenders/{tender_id}/awards"): "bank_too",
    ("GET", "/api/v1/tenders/{tender_id}/contracts"): "bank_too",
    ("POST", "/api/v1/tenders/{tender_id}/contracts"): "draft",
    ("POST", "/api/v1/contracts/{contract_id}/deliveries"): "draft",
    ("GET", "/api/v1/tenders/{tender_id}/protocol"): "bank_too",
    ("GET", "/api/v1/selection/overview"): "bank_too",
    ("GET", "/api/v1/ocds/release-package"): "bank_too",
    ("GET", "/selection"): "bank_too",
    ("GET", "/calls/new"): "draft",
    ("POST", "/calls/new"): "draft",
    ("GET", "/calls/{call_id}"): "view",
    ("POST", "/calls/{call_id}/acts/{what}"): "passport_by",
    ("POST", "/calls/{call_id}/invite/{organization_id}"): "passport_by",
    # the form names the organization: any country's writers apply for their enterprises
    ("POST", "/calls/{call_id}/applications"): "upload",
    ("GET", "/calls/{call_id}/sheet"): "nobody",
    ("POST", "/calls/{call_id}/sheet"): "nobody",
    ("POST", "/calls/{call_id}/declaration"): "nobody",
    ("GET", "/tenders/{tender_id}"): "bank_too",
    ("POST", "/tenders/{tender_id}/acts/{what}"): "draft",
    ("GET", "/tenders/{tender_id}/protocol.{fmt}"): "bank_too",
    ("GET", "/tenders"): "bank_too",
    ("GET", "/tenders/new"): "draft",
    ("POST", "/tenders/new"): "draft",
    ("POST", "/tenders/{tender_id}/bids"): "draft",
    ("POST", "/tenders/{tender_id}/contracts"): "draft",
    ("POST", "/contracts/{contract_id}/deliveries"): "draft",
    # financing (issue 14): the ministries and the Committee see all; a bank its own agreements
    ("GET", "/api/v1/finance/facilities"): "bank_too",
    ("GET", "/api/v1/finance/facilities/{facility_id}"): "bank_too",
    ("POST", "/api/v1/finance/facilities/{facility_id}/allocations"): "ministry",
    ("POST", "/api/v1/finance/allocations/{allocation_id}/approve"): "approver",
    ("POST", "/api/v1/finance/allocations/{allocation_id}/agreements"): "bank_writer",
    ("GET", "/api/v1/finance/agreements"): "bank_too",
    ("GET", "/api/v1/finance/agreements/{agreement_id}"): "bank_too",
    ("GET", "/api/v1/finance/agreements/{agreement_id}/schedule"): "bank_too",
    ("POST", "/api/v1/finance/agreements/{agreement_id}/drawdowns"): "write_by",
    ("POST", "/api/v1/finance/agreements/{agreement_id}/repayments"): "bank_writer",
    ("GET", "/api/v1/finance/drawdowns"): "bank_too",
    ("GET", "/api/v1/finance/drawdowns/{drawdown_id}"): "bank_too",
    ("POST", "/api/v1/finance/drawdowns/{drawdown_id}/acts/{act}"): "bank_writer",
    ("GET", "/api/v1/finance/passports/{passport_id}/financing"): "bank_too",
    ("GET", "/finance"): "bank_too",
    ("GET", "/finance/inbox"): "bank_too",
    ("GET", "/finance/agreements/{agreement_id}"): "bank_too",
    ("GET", "/finance/agreements/{agreement_id}/schedule.xlsx"): "bank_too",
    ("POST", "/finance/agreements/{agreement_id}/drawdowns"): "write_by",
    ("POST", "/finance/agreements/{agreement_id}/repayments"): "bank_writer",
    ("POST", "/finance/drawdowns/{drawdown_id}/acts/{what}"): "bank_writer",
    ("GET", "/passports/{passport_id}/financing"): "bank_too",
    # roadmap (issue 15): the test passport is Belarus's, its product made in Belarus
    ("GET", "/api/v1/roadmap"): "bank_too",
    ("GET", "/api/v1/roadmap/risk"): "bank_too",
    ("POST", "/api/v1/roadmap/derive"): "draft",
    ("POST", "/api/v1/roadmap/tasks"): "passport_by",
    ("GET", "/api/v1/roadmap/tasks/{task_id}"): "bank_too",
    ("PATCH", "/api/v1/roadmap/tasks/{task_id}"): "passport_by",
    ("POST", "/api/v1/roadmap/dependencies"): "passport_by",
    ("DELETE", "/api/v1/roadmap/dependencies/{dependency_id}"): "passport_by",
    ("POST", "/api/v1/roadmap/baselines"): "baseline",
    ("POST", "/api/v1/roadmap/outputs"): "passport_by",
    ("GET", "/roadmap"): "bank_too",
    ("GET", "/roadmap/tasks/{task_id}"): "bank_too",
    ("POST", "/roadmap/tasks"): "draft",
    ("POST", "/roadmap/tasks/{task_id}"): "passport_by",
    ("POST", "/roadmap/tasks/{task_id}/dependencies"): "passport_by",
    ("GET", "/roadmap/roadmap.xlsx"): "bank_too",
    ("GET", "/roadmap/milestones.ics"): "bank_too",
    ("GET", "/roadmap/slipped.{fmt}"): "bank_too",
    ("POST", "/roadmap/import"): "draft",
    ("GET", "/api/v1/roadmap/passports/{passport_id}/verdict"): "bank_too",
    # output reported by form (the test passport's product is made in Belarus), the form as a
    # workbook (a bank gets it without rows) and its import (a writer of either country or
    # of the Committee: the rows say which products)
    ("POST", "/roadmap/passports/{passport_id}/output"): "passport_by",
    ("GET", "/roadmap/output.xlsx"): "bank_too",
    ("POST", "/roadmap/output/import"): "draft",
}

PRINCIPALS = [Who(None, None)] + [Who(s, r) for s, r in itertools.product(Side, Role)]


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    found = set()
    for context in iter_route_contexts(app.routes):
        for method in context.methods or ():
            if method != "HEAD":
                found.add((method, context.path))
    return found


@dataclass
class World:
    app: FastAPI
    ids: dict[str, Any]
    clients: dict[str, TestClient]
    spare_tokens: dict[str, int]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("matrix")
    url = f"sqlite:///{folder / 'demo.db'}"
    (folder / "demo.db").write_bytes(demo_template.read_bytes())
    settings = make_settings(folder, url).model_copy(
        update={
            "sign_in_failures_per_account_and_address": 10_000,
            "sign_in_failures_per_address": 10_000,
        }
    )
    app = create_app(settings)
    engine = make_engine(url)
    credentials: dict[str, tuple[str | None, str | None]] = {}
    spare: dict[str, int] = {}
    with transaction(make_session_factory(engine)) as s:
        bank = s.scalars(
            select(Organization)
            .where(Organization.kind == OrganizationKind.BANK)
            .order_by(Organization.id)
        ).first()
        financed = s.scalar(
            select(PassportParticipant.passport_id).where(
                PassportParticipant.organization_id == bank.id,
                PassportParticipant.role == ParticipantRole.BANK,
            )
        )
        by_program = s.scalars(select(Program).where(Program.country_code == "BY")).first()
        by_capability = s.scalars(
            select(Capability).join(Organization).where(Organization.country_code == "BY")
        ).first()
        ids = {
            "program_id": by_program.id,
            "item_id": by_program.items[0].id,
            "capability_id": by_capability.id,
            "org_id": by_capability.enterprise_id,
            "passport_id": financed,
            "industry_id": by_program.industry_id,
            "code": "BY",
            "kind": "programs",
            "language": "en",
            "name": "swagger-ui.css",
            "system": "tnved",
            "entry_id": s.scalars(select(CodeListEntry.id)).first(),
            # a workflow act the test passport (reconciled or later) cannot take: the allowed
            # get 409, the others 403
            "act": "submit",
            "what": "submit",
            "number": 1,
            "request_id": 999_999,
            "fmt": "pdf",
        }
        run = request_run(s, SYSTEM, by_program.id, Engine())
        ids.update(_selection(s, ids, by_program.items[0].id))
        ids.update(_finance(s, bank.id, financed))
        ids.update(_roadmap(s, financed))
        for who in PRINCIPALS[1:]:
            user = create_user(
                s,
                SYSTEM,
                who.name,
                "matrix-password",
                who.side,
                who.role,
                bank.id if who.side is Side.BANK else None,
            )
            _t, secret = issue_token(s, SYSTEM, who.name, 5)
            spare_token, _secret = issue_token(s, SYSTEM, who.name, 5)
            spare[who.name] = spare_token.id
            credentials[who.name] = (secret, start_web_session(s, user))
    with make_session_factory(engine)() as s:
        execute_run(s, run.id, Engine())
        ids["run_id"] = run.id
        ids["match_id"] = s.scalars(
            select(Match.id).join(ProgramItem).where(ProgramItem.program_id == ids["program_id"])
        ).first()
    engine.dispose()
    clients = {}
    for who in PRINCIPALS:
        token, cookie = credentials.get(who.name, (None, None))
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        client = TestClient(app, headers=headers, follow_redirects=False)
        if cookie:
            client.cookies.set("us_session", cookie)
        clients[who.name] = client
    yield World(app, ids, clients, spare)


def _selection(s: Any, ids: dict[str, Any], item_id: int) -> dict[str, Any]:
    """A call of Belarus's ministry (a draft, for a program item) and a completed tender of the
    bank's passport, with its award and contract: what the selection routes act on."""
    now = datetime.now(UTC)
    call = calls.open_call(
        s,
        SYSTEM,
        CallCreate.model_validate(
            {
                "title": "Матрица: отбор",
                "item_id": item_id,
                "quantities": [{"year": 2027, "quantity": 5}],
                "deadline": now + timedelta(days=30),
            }
        ),
    )
    call.owner_side = "BY"  # as if Belarus's ministry had opened it
    # the demo's tender of the bank's passport, with its first award and contract
    tender = s.scalars(
        select(Tender).where(Tender.passport_id == ids["passport_id"]).order_by(Tender.id)
    ).first()
    award = tenders.awards(s, tender)[0]
    contract = s.scalars(select(Contract).where(Contract.award_id == award.id)).first()
    if contract is None:
        contract = tenders.sign_contract(
            s,
            SYSTEM,
            tender.id,
            ContractIn(award_id=award.id, number="МАТРИЦА-1", signed_on=date(2026, 1, 1)),
        )
    s.flush()
    return {
        "call_id": call.id,
        "tender_id": tender.id,
        "contract_id": contract.id,
        "award_id": award.id,
        "lot_id": award.lot_id,
    }


def _finance(s: Any, bank_id: int, passport_id: int) -> dict[str, Any]:
    """The demo's agreement of the test users' bank for the test passport, and a fresh request
    on it for the acts."""
    agreement = s.scalars(
        select(CreditAgreement)
        .join(Allocation)
        .where(CreditAgreement.bank_id == bank_id, Allocation.passport_id == passport_id)
    ).first()
    assert agreement is not None, "the demo's bank lends to the passport it finances"
    pending = drawdown.request(s, SYSTEM, agreement.id, Decimal(1000), "Матрица")
    return {
        "facility_id": agreement.allocation.facility_id,
        "allocation_id": agreement.allocation_id,
        "agreement_id": agreement.id,
        "drawdown_id": pending.id,
    }


def _roadmap(s: Any, passport_id: int) -> dict[str, Any]:
    """Two of the test passport's derived tasks and their derived dependency."""
    first, second = s.scalars(
        select(RoadmapTask).where(RoadmapTask.passport_id == passport_id).order_by(RoadmapTask.id)
    ).all()[:2]
    dependency = s.scalars(
        select(RoadmapDependency).where(RoadmapDependency.before_id == first.id)
    ).first()
    assert dependency is not None, "the demo's control points follow one another"
    return {"task_id": first.id, "task_2": second.id, "dependency_id": dependency.id}


def request(world: World, who: Who, method: str, path: str, counter: Iterator[int]) -> int:
    ids = dict(world.ids, token_id=world.spare_tokens.get(who.name, 1), username="by-viewer-m")
    if "/calls/" in path:
        ids.update(act="close", what="close", organization_id=world.ids["org_id"])
    if "/tenders/" in path:
        ids.update(act="publish", what="publish")
    if "/finance/" in path:
        ids.update(act="bank-approve", what="bank-approve")
    if "/code-lists/" in path:
        ids.update(code="DEMO-CRIT", entry_id=world.ids["entry_id"])
    url = path.format(**ids) + ("?q=подшипник" if path.endswith("/suggest") else "")
    url += "?tnved=8482" if path.endswith("/contains") else ""
    url += "?a=1&b=1" if path.endswith("/diff") else ""
    url += f"?passport_id={ids['passport_id']}" if path == "/tenders/new" else ""
    client = world.clients[who.name]
    token = new_token(world.app.state.secret_key)
    client.cookies.set(CSRF_COOKIE, token)
    n = next(counter)
    if method == "GET":
        return client.get(url).status_code
    if method == "DELETE":
        return client.delete(url).status_code
    if path == "/upload":
        csv = "Страна;Код программы\nBY;X\n".encode()
        return client.post(
            url,
            data={"kind": "programs", "csrf_token": token},
            files={"file": ("m.csv", csv, "text/csv")},
        ).status_code
    if path == "/matching/runs":
        return client.post(
            url, data={"program_id": world.ids["program_id"], "csrf_token": token}
        ).status_code
    if (
        path.startswith(("/calls/", "/tenders", "/contracts/", "/finance/", "/roadmap/"))
        and method == "POST"
    ):
        return client.post(url, data={"csrf_token": token, "comment": "матрица"}).status_code
    if path.startswith("/passports/") and method == "POST":  # the passport pages' forms
        form = {"csrf_token": token, "decision": "approve", "title": "", "reason": "матрица"}
        return client.post(url, data=form).status_code
    if path.startswith("/matching/matches/"):
        return client.post(url, data={"decision": "accepted", "csrf_token": token}).status_code
    if path.startswith("/admin/"):  # an empty form: refused (403) or checked (422, 201)
        return client.post(url, data={"csrf_token": token}).status_code
    if path.endswith("/entries") or path.endswith("/delete"):
        return client.post(url, data={"written": "8482", "csrf_token": token}).status_code
    if path in ("/login", "/logout"):
        return client.post(
            url, data={"username": "nobody", "password": "x", "csrf_token": token}
        ).status_code
    return client.request(method, url, json=_body(method, path, world.ids, n)).status_code


def _body(method: str, path: str, ids: dict[str, Any], n: int) -> dict[str, Any]:
    if "/finance/" in path:
        return _finance_body(path, ids, n)
    if "/roadmap/" in path:
        return _roadmap_body(path, ids, n)
    if "/calls" in path or "/tenders" in path or "/contracts/" in path:
        return _selection_body(path, ids, n)
    if path == "/api/v1/programs":
        return {
            "country_code": "BY",
            "industry_id": ids["industry_id"],
            "code": f"BY-MX-{n}",
            "title": "Матрица",
            "period_start": 2025,
            "period_end": 2026,
        }
    if path == "/api/v1/match/runs":
        return {"program_id": ids["program_id"], "top": 3}
    if path == "/api/v1/passports":
        return {
            "title": f"Матрица {n}",
            "industry_id": ids["industry_id"],
            "initiator_id": ids["org_id"],
            "period_start": 2025,
            "period_end": 2026,
        }
    if path.endswith("/change-requests"):
        return {"reason": f"матрица {n}", "changes": {"summary": f"матрица {n}"}}
    if path.endswith("/decision") and "change-requests" in path:
        return {"approve": True}
    if path == "/api/v1/passports/{passport_id}":
        return {"lock_version": 1, "title": f"Матрица {n}"}
    if "/acts/" in path:
        return {}
    if path.endswith("/decision"):
        return {"decision": "rejected"}
    if path.endswith("/items"):
        return {"name_ru": "Изделие", "unit": "шт"}
    if path == "/api/v1/users":
        return {
            "username": f"by-new-{n}",
            "password": "a-long-password",
            "side": "BY",
            "role": "viewer",
        }
    if path == "/api/v1/capabilities":
        return {
            "enterprise_id": ids["org_id"],
            "product_name": f"Изделие {n}",
            "unit": "шт",
            "capacity_per_year": "1",
        }
    return (
        {"note": f"матрица {n}"}
        if "program-items" in path or "capabilities" in path
        else {"title": f"Матрица {n}"}
    )


def _selection_body(path: str, ids: dict[str, Any], n: int) -> dict[str, Any]:
    soon = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    if path == "/api/v1/calls":
        return {
            "title": f"Матрица {n}",
            "item_id": ids["item_id"],
            "quantities": [{"year": 2027, "quantity": 5}],
            "deadline": soon,
        }
    if path.endswith("/members"):
        return {"members": []}
    if path.endswith("/invitations"):
        return {"organization_id": ids["org_id"]}
    if path.endswith("/applications"):
        return {
            "organization_id": ids["org_id"],
            "product": "Изделие",
            "capacity": [{"year": 2027, "quantity": 5}],
            "price": 10,
            "currency": "RUB",
            "first_output": "2027-01-01",
        }
    if path.endswith("/my-scores"):
        return {"scores": [{"application_id": 1, "criterion": "price", "value": 5}]}
    if path == "/api/v1/tenders":
        return {
            "passport_id": ids["passport_id"],
            "title": f"Матрица {n}",
            "currency": "RUB",
            "lines": [1],
            "tender_start": datetime.now(UTC).isoformat(),
            "tender_end": soon,
        }
    if path.endswith("/bids"):
        return {
            "lot_id": ids["lot_id"],
            "supplier_id": ids["org_id"],
            "units": 1,
            "amount": 5,
            "currency": "RUB",
        }
    if path.endswith("/contracts"):
        return {"award_id": ids["award_id"], "number": f"М-{n}", "signed_on": "2026-01-02"}
    if path.endswith("/deliveries"):
        return {"units": 1, "delivered_on": "2026-02-01"}
    return {}


def _finance_body(path: str, ids: dict[str, Any], n: int) -> dict[str, Any]:
    if path.endswith("/allocations"):
        return {"passport_id": ids["passport_id"], "amount": "1"}
    if path.endswith("/agreements"):
        return {
            "number": f"М-КД-{n}",
            "amount": "1",
            "periods": 12,
            "method": "annuity",
            "signed_on": "2026-01-02",
            "first_due": "2026-02-02",
        }
    if path.endswith("/drawdowns"):
        return {"amount": "1000", "purpose": f"матрица {n}"}
    if path.endswith("/repayments"):
        return {"paid_on": "2026-01-02", "principal": "0", "interest": "1"}
    return {}


def _roadmap_body(path: str, ids: dict[str, Any], n: int) -> dict[str, Any]:
    if path.endswith("/tasks"):
        return {
            "passport_id": ids["passport_id"],
            "title": f"Матрица {n}",
            "planned_start": "2027-01-11",
            "duration": 5,
        }
    if path.endswith("/tasks/{task_id}"):
        return {"progress": 10}
    if path.endswith("/dependencies"):
        return {"before_id": ids["task_id"], "after_id": ids["task_2"]}  # exists: 409
    if path.endswith("/outputs"):
        return {"passport_id": ids["passport_id"], "year": 2026, "quantity": "5"}
    return {}


def test_every_route_has_a_rule(world: World):
    routes = app_routes(world.app)
    assert routes - set(ROUTES) == set(), "new routes need a rule in ROUTES"
    assert set(ROUTES) - routes == set(), "ROUTES lists routes the application lacks"


def test_every_route_answers_every_side_and_role_as_the_rules_say(world: World):
    counter = itertools.count()
    wrong = []
    for (method, path), rule in sorted(ROUTES.items()):
        for who in PRINCIPALS:
            status = request(world, who, method, path, counter)
            allowed = RULES[rule](who)
            if rule == "public":
                ok = status < 500 and status != 403
            elif who.side is None:
                ok = status == 401 if path.startswith("/api/") else status == 303
            elif allowed:
                ok = status not in (401, 403) and status < 500
            else:
                ok = status == 403
            if not ok:
                wrong.append(f"{method} {path} as {who.name}: {status} (rule {rule})")
    assert wrong == []


def test_bank_sees_only_the_passports_it_finances(world: World):
    client = world.clients["bank-viewer-m"]
    listed = client.get("/api/v1/passports", params={"per_page": 100}).json()
    assert 0 < listed["total"] < 16
    for passport in listed["items"]:
        assert "summary" not in passport and "initiator_id" not in passport
        assert {p["role"] for p in passport["participants"]} == {"bank"}, passport["number"]
    all_ids = {
        p["id"]
        for p in world.clients["union-viewer-m"]
        .get("/api/v1/passports", params={"per_page": 100})
        .json()["items"]
    }
    hidden = sorted(all_ids - {p["id"] for p in listed["items"]})
    assert client.get(f"/api/v1/passports/{hidden[0]}").status_code == 403
