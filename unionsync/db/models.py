"""Imports every mapped class, so the metadata is complete for Alembic and create_all."""

from unionsync.access.audit import AUDITED, PROGRESS_FIELDS
from unionsync.access.models import ApiToken, AuditEntry, User, WebSession
from unionsync.catalog.models import (
    Capability,
    Organization,
    Program,
    ProgramItem,
    ProgramItemDemand,
)
from unionsync.core.meta import DemoMatchTruth, MetaEntry
from unionsync.core.shared import WATCHED
from unionsync.db.base import Base
from unionsync.finance.models import (
    Allocation,
    CreditAgreement,
    DrawdownRequest,
    Facility,
    ReferenceRate,
    Repayment,
)
from unionsync.matching.models import Match, MatchDecision, MatchRun, MatchSeen
from unionsync.nomenclature.models import CodeList, CodeListEntry, Crosswalk, NomenclatureCode
from unionsync.passports.models import (
    Passport,
    PassportChangeRequest,
    PassportComment,
    PassportParticipant,
    PassportProduct,
    PassportVersion,
)
from unionsync.reference.models import Country, Industry
from unionsync.roadmap.models import (
    Baseline,
    BaselineTask,
    Holiday,
    OutputReport,
    RoadmapDependency,
    RoadmapTask,
)
from unionsync.selection.models import (
    Application,
    Award,
    Bid,
    Call,
    CommissionMember,
    Contract,
    Criterion,
    Delivery,
    Invitation,
    Lot,
    Score,
    Tender,
)
from unionsync.trade.models import ExchangeRate, TradeFlow

AUDITED.update(
    {
        Program: "program",
        ProgramItem: "program_item",
        ProgramItemDemand: "program_item_demand",
        Organization: "organization",
        Capability: "capability",
        Passport: "passport",
        PassportParticipant: "passport_participant",
        PassportProduct: "passport_product",
        PassportChangeRequest: "passport_change_request",
        PassportComment: "passport_comment",
        TradeFlow: "trade_flow",
        ExchangeRate: "exchange_rate",
        CodeList: "code_list",
        CodeListEntry: "code_list_entry",
        MatchRun: "match_run",
        MatchDecision: "match_decision",
        User: "user",
        ApiToken: "api_token",
        Call: "selection_call",
        Criterion: "selection_criterion",
        CommissionMember: "selection_member",
        Invitation: "selection_invitation",
        Application: "selection_application",
        Score: "selection_score",
        Tender: "selection_tender",
        Lot: "selection_lot",
        Bid: "selection_bid",
        Award: "selection_award",
        Contract: "selection_contract",
        Delivery: "selection_delivery",
        Facility: "finance_facility",
        ReferenceRate: "finance_reference_rate",
        Allocation: "finance_allocation",
        CreditAgreement: "finance_agreement",
        DrawdownRequest: "finance_drawdown",
        Repayment: "finance_repayment",
        RoadmapTask: "roadmap_task",
        RoadmapDependency: "roadmap_dependency",
        Holiday: "roadmap_holiday",
        Baseline: "roadmap_baseline",
        OutputReport: "roadmap_output",
    }
)
PROGRESS_FIELDS[MatchRun] = frozenset({"stage", "done", "total"})
# what the shared results (overview, synchronisation, mirror statistics) are computed from:
# a committed change to these raises its group's data version (see core.shared); filled here,
# with the models, so that every process that writes (server, worker, CLI) raises it
WATCHED.update(
    {model: "coverage" for model in (Program, ProgramItem, ProgramItemDemand, Organization)}
    | {model: "coverage" for model in (Capability, Match, Passport, PassportProduct)}
    | {model: "trade" for model in (TradeFlow, ExchangeRate, CodeListEntry)}
    | {
        model: "roadmap"
        for model in (RoadmapTask, RoadmapDependency, Holiday, Baseline, BaselineTask, OutputReport)
    }
)

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Base",
    "Baseline",
    "BaselineTask",
    "Capability",
    "CodeList",
    "CodeListEntry",
    "Country",
    "Crosswalk",
    "DemoMatchTruth",
    "ExchangeRate",
    "Holiday",
    "Industry",
    "Match",
    "MatchDecision",
    "MatchRun",
    "MatchSeen",
    "MetaEntry",
    "NomenclatureCode",
    "Organization",
    "OutputReport",
    "Passport",
    "PassportChangeRequest",
    "PassportComment",
    "PassportParticipant",
    "PassportProduct",
    "PassportVersion",
    "Program",
    "ProgramItem",
    "ProgramItemDemand",
    "RoadmapDependency",
    "RoadmapTask",
    "TradeFlow",
    "User",
    "WebSession",
]
