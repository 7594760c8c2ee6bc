"""Calls and tenders as OCDS 1.1 contracting processes: one release per process, as it stands
now, in a release package (what procurement analysts' tools read).

- a tender: `tender` with one item per lot (classified by TN VED, with the HS subheading as an
  additional classification) and the lots and bid statistics of the lots and bids extensions,
  `awards` per lot, `contracts` with their delivery milestones (`implementation.milestones`);
- a call for executors: `tender` (method `selective`: invited organizations and applicants),
  and once decided, the award to the winner;
- every organization once in `parties`, with its roles (buyer, procuringEntity, tenderer,
  supplier); its id is the tax number with the country's scheme (RU-INN, BY-UNP).

The ocid prefix is the installation's (`UNIONSYNC_OCDS_PREFIX`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from unionsync import __version__
from unionsync.access.models import Side
from unionsync.access.policy import Action, Kind, Principal, require
from unionsync.catalog.models import Organization, OrganizationKind
from unionsync.finance.models import CreditAgreement, DrawdownRequest, DrawdownStatus
from unionsync.passports.service import financed_by
from unionsync.selection.models import (
    Application,
    Award,
    Bid,
    Call,
    CallStatus,
    Contract,
    Lot,
    Method,
    Tender,
    TenderStatus,
)

VERSION = "1.1"
EXTENSIONS = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/"
    "v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/"
    "v1.1.5/extension.json",
]
SCHEMES = {"RU": "RU-INN", "BY": "BY-UNP"}
UNITS = {"796": "штука", "839": "комплект", "168": "тонна", "166": "килограмм"}
CALL_STATUS = {
    CallStatus.DRAFT: "planning",
    CallStatus.OPEN: "active",
    CallStatus.EVALUATION: "active",
    CallStatus.DECIDED: "complete",
    CallStatus.CANCELLED: "cancelled",
}


def _when(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{value.isoformat()}T00:00:00Z"


def _money(amount: Decimal | None, currency: str) -> dict[str, Any] | None:
    return None if amount is None else {"amount": float(amount), "currency": currency}


class Parties:
    """The `parties` of one release: each organization once, its roles merged."""

    def __init__(self) -> None:
        self.found: dict[str, dict[str, Any]] = {}

    def add(self, organization: Organization, *roles: str) -> dict[str, str]:
        scheme = SCHEMES.get(organization.country_code)
        if scheme and organization.tax_id:
            party_id = f"{scheme}-{organization.tax_id}"
            identifier = {
                "scheme": scheme,
                "id": organization.tax_id,
                "legalName": organization.name,
            }
        else:
            party_id = f"XX-UNIONSYNC-{organization.id}"
            identifier = {
                "scheme": "XX-UNIONSYNC",
                "id": str(organization.id),
                "legalName": organization.name,
            }
        party = self.found.setdefault(
            party_id,
            {
                "id": party_id,
                "name": organization.name,
                "identifier": identifier,
                "address": {"country": organization.country_code}
                | ({"region": organization.region} if organization.region else {}),
                "roles": [],
            },
        )
        for role in roles:
            if role not in party["roles"]:
                party["roles"].append(role)
        return {"id": party_id, "name": organization.name}

    def listed(self) -> list[dict[str, Any]]:
        return list(self.found.values())


def _item(
    item_id: str,
    description: str,
    code: str | None,
    quantity: float,
    unit: str,
    lot: str | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": item_id,
        "description": description,
        "quantity": quantity,
        "unit": {"scheme": "OKEI", "id": unit, "name": UNITS.get(unit, unit)},
    }
    if code:
        item["classification"] = {"scheme": "TNVED", "id": code, "description": description}
        item["additionalClassifications"] = [{"scheme": "HS", "id": code[:6]}]
    if lot is not None:
        item["relatedLot"] = lot
    return item


def tender_release(session: Session, tender: Tender, prefix: str) -> dict[str, Any]:
    """One tender as an OCDS release."""
    ocid = f"{prefix}-tender-{tender.id}"
    parties = Parties()
    buyer = parties.add(tender.buyer, "buyer", "procuringEntity")
    lots, items, statistics = [], [], []
    awards, contracts = [], []
    tenderers: dict[str, dict[str, str]] = {}
    award_rows = {
        a.lot_id: a
        for a in session.scalars(
            select(Award)
            .join(Lot)
            .where(Lot.tender_id == tender.id)
            .options(selectinload(Award.bid).selectinload(Bid.supplier))
        )
    }
    contract_rows = (
        {
            c.award_id: c
            for c in session.scalars(
                select(Contract)
                .where(Contract.award_id.in_([a.id for a in award_rows.values()]))
                .options(selectinload(Contract.deliveries))
            )
        }
        if award_rows
        else {}
    )
    # the state loan's disbursements that paid a contract: its implementation transactions
    paid: dict[int, list[DrawdownRequest]] = {}
    for drawn in session.scalars(
        select(DrawdownRequest)
        .where(
            DrawdownRequest.contract_id.in_([c.id for c in contract_rows.values()]),
            DrawdownRequest.status == DrawdownStatus.DISBURSED,
        )
        .options(selectinload(DrawdownRequest.agreement).selectinload(CreditAgreement.bank))
        .order_by(DrawdownRequest.disbursed_on, DrawdownRequest.id)
    ):
        paid.setdefault(drawn.contract_id or 0, []).append(drawn)
    for lot in tender.lots:
        lot_id = f"lot-{lot.position}"
        status = (
            "unsuccessful"
            if lot.unsuccessful
            else ("complete" if lot.id in award_rows else _lot_status(tender.status))
        )
        lots.append(
            {"id": lot_id, "title": lot.name, "status": status}
            | ({"value": _money(lot.budget, tender.currency.value)} if lot.budget else {})
        )
        items.append(
            _item(f"item-{lot.position}", lot.name, lot.tnved_code, lot.quantity, "796", lot_id)
        )
        for bid in lot.bids:
            tenderers[str(bid.supplier_id)] = parties.add(bid.supplier, "tenderer")
        statistics.append(
            {
                "id": f"{lot_id}-bids",
                "measure": "bids",
                "value": len(lot.bids),
                "relatedLot": lot_id,
            }
        )
        award = award_rows.get(lot.id)
        if award is None:
            continue
        supplier = parties.add(award.bid.supplier, "supplier", "tenderer")
        award_id = f"award-{award.id}"
        awards.append(
            {
                "id": award_id,
                "title": lot.name,
                "status": "active",
                "date": _when(award.awarded_at),
                "value": _money(award.bid.amount, award.bid.currency.value),
                "suppliers": [supplier],
                "items": [
                    _item(
                        f"item-{lot.position}",
                        lot.name,
                        lot.tnved_code,
                        award.bid.units,
                        "796",
                        lot_id,
                    )
                ],
                "relatedLots": [lot_id],
            }
        )
        contract = contract_rows.get(award.id)
        if contract is None:
            continue
        delivered = sum(d.units for d in contract.deliveries)
        milestones = [
            {
                "id": f"due-{n}",
                "title": f"{entry['units']} ед. к {entry['due_on']}",
                "type": "delivery",
                "dueDate": _when(date.fromisoformat(str(entry["due_on"]))),
                "status": "scheduled",
            }
            for n, entry in enumerate(contract.schedule, start=1)
        ] + [
            {
                "id": f"delivery-{d.id}",
                "title": f"Поставлено {d.units} ед.",
                "type": "delivery",
                "dateMet": _when(d.delivered_on),
                "status": "met",
            }
            for d in contract.deliveries
        ]
        contracts.append(
            {
                "id": f"contract-{contract.id}",
                "awardID": award_id,
                "title": contract.number,
                "status": "terminated" if delivered >= contract.units else "active",
                "dateSigned": _when(contract.signed_on),
                "value": _money(contract.amount, contract.currency.value),
                "items": [
                    _item(
                        f"item-{lot.position}",
                        lot.name,
                        lot.tnved_code,
                        contract.units,
                        "796",
                        lot_id,
                    )
                ],
                "implementation": {"milestones": milestones}
                | (
                    {
                        "transactions": [
                            {
                                "id": f"drawdown-{d.id}",
                                "date": _when(d.disbursed_on),
                                "value": _money(d.amount, d.agreement.currency.value),
                                "payer": parties.add(d.agreement.bank, "funder", "payer"),
                                "payee": parties.add(award.bid.supplier, "payee"),
                            }
                            for d in paid[contract.id]
                        ]
                    }
                    if contract.id in paid
                    else {}
                ),
            }
        )
    tags = ["tender"] + (["award"] if awards else []) + (["contract"] if contracts else [])
    if paid or any(c.deliveries for c in contract_rows.values()):
        tags.append("implementation")
    if tender.status is TenderStatus.CANCELLED:
        tags = ["tenderCancellation"]
    budget = [lot.budget for lot in tender.lots if lot.budget is not None]
    body: dict[str, Any] = {
        "id": tender.number,
        "title": tender.title,
        "status": tender.status.value,
        "procuringEntity": buyer,
        "items": items,
        "lots": lots,
        "procurementMethod": tender.method.value,
        "mainProcurementCategory": "goods",
        "awardCriteria": tender.award_criteria.value,
        "tenderPeriod": {
            "startDate": _when(tender.tender_start),
            "endDate": _when(tender.tender_end),
        },
        "numberOfTenderers": len(tenderers),
        "tenderers": list(tenderers.values()),
    }
    if tender.method is not Method.OPEN and tender.method_rationale:
        body["procurementMethodRationale"] = tender.method_rationale
    if tender.enquiry_end is not None:
        body["enquiryPeriod"] = {
            "startDate": _when(tender.tender_start),
            "endDate": _when(tender.enquiry_end),
        }
        body["hasEnquiries"] = False
    if tender.award_date is not None:
        body["awardPeriod"] = {
            "startDate": _when(tender.tender_end),
            "endDate": _when(tender.award_date),
        }
    if budget:
        body["value"] = _money(sum(budget, Decimal(0)), tender.currency.value)
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-{tender.updated_at.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        "date": _when(tender.updated_at),
        "tag": tags,
        "initiationType": "tender",
        "language": "ru",
        "parties": [],
        "buyer": buyer,
        "tender": body,
        "bids": {"statistics": statistics},
        "relatedProcesses": [
            {
                "id": f"passport-{tender.passport_id}",
                "relationship": ["planning"],
                "title": tender.passport.title,
                "scheme": "UnionSync passport",
                "identifier": tender.passport.number,
            }
        ],
    }
    if awards:
        release["awards"] = awards
    if contracts:
        release["contracts"] = contracts
    release["parties"] = parties.listed()
    return release


def _lot_status(status: TenderStatus) -> str:
    return {"planning": "planning", "active": "active", "complete": "complete"}.get(
        status.value, status.value
    )


def call_release(session: Session, call: Call, prefix: str) -> dict[str, Any]:
    """One call for executors as an OCDS release (a selective process; the award goes to the
    winner of the signed decision)."""
    ocid = f"{prefix}-call-{call.id}"
    parties = Parties()
    owner = _owner_organization(session, call.owner_side)
    buyer = parties.add(owner, "buyer", "procuringEntity") if owner is not None else None
    applicants = [parties.add(a.organization, "tenderer") for a in call.applications]
    for invitation in call.invitations:
        parties.add(invitation.organization, "notifiedPotentialSupplier")
    quantity = sum((Decimal(q) for q in call.quantities.values()), Decimal(0))
    body: dict[str, Any] = {
        "id": call.number,
        "title": call.title,
        "status": CALL_STATUS[call.status],
        "items": [_item("item-1", call.title, call.tnved_code, float(quantity), call.unit_okei)],
        "procurementMethod": "selective",
        "procurementMethodRationale": "Отбор исполнителя совместного проекта Союзного "
        "государства по взвешенным критериям",
        "mainProcurementCategory": "works",
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": "; ".join(f"{c.name}: {c.weight}" for c in call.criteria),
        "tenderPeriod": {"endDate": _when(call.deadline)},
        "numberOfTenderers": len(applicants),
        "tenderers": applicants,
    }
    if buyer is not None:
        body["procuringEntity"] = buyer
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-{call.updated_at.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        "date": _when(call.updated_at),
        "tag": ["tenderCancellation"] if call.status is CallStatus.CANCELLED else ["tender"],
        "initiationType": "tender",
        "language": "ru",
        "tender": body,
    }
    if buyer is not None:
        release["buyer"] = buyer
    winner: Application | None = next((a for a in call.applications if a.won), None)
    if winner is not None:
        supplier = parties.add(winner.organization, "supplier", "tenderer")
        release["tag"] = ["tender", "award"]
        release["awards"] = [
            {
                "id": f"award-{winner.id}",
                "title": winner.product,
                "status": "active",
                "date": _when(call.decided_at),
                "suppliers": [supplier],
            }
        ]
    if call.passport is not None:
        release["relatedProcesses"] = [
            {
                "id": f"passport-{call.passport_id}",
                "relationship": ["planning"],
                "title": call.passport.title,
                "scheme": "UnionSync passport",
                "identifier": call.passport.number,
            }
        ]
    release["parties"] = parties.listed()
    return release


def _owner_organization(session: Session, side: str) -> Organization | None:
    """The ministry of the call's country, or the Standing Committee."""
    if side == "UNION":
        stmt = select(Organization).where(Organization.kind == OrganizationKind.COMMITTEE)
    else:
        stmt = select(Organization).where(
            Organization.kind == OrganizationKind.MINISTRY, Organization.country_code == side
        )
    return session.scalars(stmt.order_by(Organization.id)).first()


def release_package(
    session: Session,
    actor: Principal,
    prefix: str,
    since: datetime | None = None,
    base_uri: str = "urn:unionsync",
) -> dict[str, Any]:
    """Every call and tender the actor may see (changed since `since`), as a release package.
    Drafts (calls in `draft`) are not published."""
    require(actor, Action.VIEW, Kind.SELECTION, financiers=[actor.organization_id or 0])
    tenders = select(Tender).options(
        selectinload(Tender.lots).selectinload(Lot.bids).selectinload(Bid.supplier),
        selectinload(Tender.buyer),
        selectinload(Tender.passport),
    )
    calls = (
        select(Call)
        .where(Call.status != CallStatus.DRAFT)
        .options(
            selectinload(Call.applications).selectinload(Application.organization),
            selectinload(Call.criteria),
            selectinload(Call.invitations),
        )
    )
    if since is not None:
        tenders = tenders.where(Tender.updated_at >= since)
        calls = calls.where(Call.updated_at >= since)
    bank = actor.side is Side.BANK
    if bank:
        tenders = tenders.where(Tender.passport_id.in_(financed_by(actor.organization_id or 0)))
    releases: list[dict[str, Any]] = []
    if not bank:
        releases += [
            call_release(session, c, prefix) for c in session.scalars(calls.order_by(Call.id))
        ]
    releases += [
        tender_release(session, t, prefix) for t in session.scalars(tenders.order_by(Tender.id))
    ]
    published = datetime.now(UTC)
    return {
        "uri": f"{base_uri}/ocds/release-package/{published:%Y%m%dT%H%M%SZ}",
        "version": VERSION,
        "extensions": EXTENSIONS,
        "publishedDate": _when(published),
        "publisher": {"name": f"UnionSync {__version__}", "uri": base_uri},
        "releases": releases,
    }


def all_ids(releases: Iterable[dict[str, Any]]) -> list[str]:
    return [r["ocid"] for r in releases]
