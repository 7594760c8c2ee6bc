"""Writing passports: drafts, the workflow's acts, change requests after reconciliation, the
versions kept at every save, the differences between two versions and the passport's history.

Every save keeps a version (a snapshot of the header, participants and content, with the
SHA-256 of its canonical JSON, which the documents print). A write names the `lock_version` it
was based on; if someone else saved since, it is refused with 409 and nothing is overwritten.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from unionsync.access.audit import record
from unionsync.access.models import AuditEntry, Side
from unionsync.access.policy import Action, Kind, PermissionDeniedError, Principal, require
from unionsync.catalog.models import Organization, OrganizationKind, Program, ProgramItem
from unionsync.core.errors import ConflictError, DomainValidationError, FieldError, NotFoundError
from unionsync.core.messages import N_, ExplainedError, Message
from unionsync.core.money import Currency
from unionsync.core.validation import (
    NAME_LENGTH,
    NOTE_LENGTH,
    clean_text,
    parse_amount,
    parse_id,
    parse_year,
)
from unionsync.passports import workflow
from unionsync.passports.models import (
    ChangeRequestStatus,
    ParticipantRole,
    Passport,
    PassportChangeRequest,
    PassportComment,
    PassportParticipant,
    PassportProduct,
    PassportStatus,
    PassportVersion,
)
from unionsync.passports.service import get_passport
from unionsync.passports.template import Content, clean, load_template
from unionsync.passports.workflow import CHANGE_BY_REQUEST, EDITABLE, Act, TransitionError, apply
from unionsync.reference.countries import PARTNER
from unionsync.reference.models import Industry

HEADER = (
    "title",
    "title_en",
    "industry_id",
    "initiator_id",
    "period_start",
    "period_end",
    "budget_amount",
    "budget_currency",
    "summary",
)


class StaleError(ConflictError):
    """The passport was saved by someone else since this change was based on it."""


class ConcurrentWriteError(StaleError):
    """Another transaction saved the passport between our read and our write (caught by the
    database's version check); this transaction is spoiled and rolls back."""


def _load(session: Session, passport_id: int) -> Passport:
    passport = session.get(
        Passport,
        passport_id,
        options=[
            selectinload(Passport.participants).selectinload(PassportParticipant.organization),
            selectinload(Passport.products),
            selectinload(Passport.initiator),
        ],
    )
    if passport is None:
        raise NotFoundError("passport", passport_id)
    return passport


def full_view(session: Session, actor: Principal, passport_id: int) -> Passport:
    """The passport for someone who may read all of it: a bank sees only its financing part,
    so versions, history, differences and documents are not for it."""
    passport = get_passport(session, actor, passport_id)
    if actor.side is Side.BANK:
        raise PermissionDeniedError(
            f"{actor.username}: a bank sees only the financing part of a passport"
        )
    return passport


def sides_of(passport: Passport) -> set[str]:
    """The countries taking part: the initiator's and the participants' (BY and RU only)."""
    countries = {passport.initiator.country_code}
    countries |= {p.organization.country_code for p in passport.participants}
    return countries & {"BY", "RU"}


def require_edit(actor: Principal, passport: Passport) -> None:
    """Only a side of the passport (or the Committee) edits it."""
    owner = actor.country if actor.country in sides_of(passport) else None
    require(actor, Action.UPDATE, Kind.PASSPORT, owner=owner)


# --- snapshots, versions, hashes ------------------------------------------------------------


def snapshot(passport: Passport) -> dict[str, Any]:
    """What a version keeps: the header, the participants and the content."""
    header = {key: getattr(passport, key) for key in HEADER}
    if header["budget_amount"] is not None:
        header["budget_amount"] = str(header["budget_amount"])
    if header["budget_currency"] is not None:
        header["budget_currency"] = str(header["budget_currency"])
    return {
        "number": passport.number,
        "header": header,
        "participants": sorted(
            [
                {"organization_id": p.organization_id, "role": p.role.value}
                for p in passport.participants
            ],
            key=lambda p: (p["role"], p["organization_id"]),
        ),
        "content": passport.content or {},
    }


def content_hash(snap: dict[str, Any]) -> str:
    """SHA-256 of the snapshot's canonical JSON (sorted keys, no spaces): any change shows."""
    text = json.dumps(snap, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _keep_version(session: Session, actor: Principal, passport: Passport, note: str) -> None:
    snap = snapshot(passport)
    digest = content_hash(snap)
    session.add(
        PassportVersion(
            passport_id=passport.id,
            number=passport.version,
            snapshot=snap,
            content_hash=digest,
            created_by=actor.username,
            note=note,
        )
    )
    record(
        session,
        "passport.version",
        "passport",
        passport.id,
        after={"version": passport.version, "hash": digest, "note": note},
        actor=actor,
    )


def versions(session: Session, actor: Principal, passport_id: int) -> list[PassportVersion]:
    full_view(session, actor, passport_id)
    return list(
        session.scalars(
            select(PassportVersion)
            .where(PassportVersion.passport_id == passport_id)
            .order_by(PassportVersion.number)
        )
    )


def version(session: Session, actor: Principal, passport_id: int, number: int) -> PassportVersion:
    found = [v for v in versions(session, actor, passport_id) if v.number == number]
    if not found:
        raise NotFoundError("passport version", f"{passport_id}/{number}")
    return found[0]


def current_hash(session: Session, passport: Passport) -> str:
    """The hash of the passport's latest kept version (what its documents print)."""
    kept = session.scalar(
        select(PassportVersion.content_hash).where(
            PassportVersion.passport_id == passport.id,
            PassportVersion.number == passport.version,
        )
    )
    return kept or content_hash(snapshot(passport))


# --- products: what coverage reads --------------------------------------------------------------


def sync_products(passport: Passport) -> None:
    """The products table (read by coverage scenarios) brought in line with the content's
    products, row by row (updated in place: positions are unique); rows still missing their
    name, unit or capacity in a draft are left out."""
    rows = (passport.content or {}).get("products", [])
    wanted: dict[int, dict[str, Any]] = {}
    for position, row in enumerate(rows, start=1):
        if not all(row.get(k) not in (None, "") for k in ("name", "unit", "capacity")):
            continue
        wanted[position] = {
            "name_ru": row["name"],
            "tnved_code": row.get("tnved"),
            "unit_okei": row["unit"],
            "country_code": row.get("country") or passport.initiator.country_code,
            "capacity_per_year": Decimal(row["capacity"]),
            "start_year": int(row.get("start_year") or passport.period_end),
            "source_item_id": row.get("program_item"),
        }
    existing = {p.position: p for p in passport.products}
    for position, product in existing.items():
        if position not in wanted:
            passport.products.remove(product)
    for position, values in wanted.items():
        found = existing.get(position)
        if found is None:
            passport.products.append(PassportProduct(position=position, **values))
        else:
            for key, value in values.items():
                setattr(found, key, value)


# --- creating and editing -------------------------------------------------------------------


def _header(session: Session, changes: dict[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    """Header fields checked one by one with the shared validation (every problem reported,
    not the first): texts without control characters and within their columns, ids of existing
    records, years within 2000–2100, an amount its column holds."""
    result: dict[str, Any] = {}
    for key in HEADER:
        if key not in changes:
            continue
        try:
            result[key] = _HEADER_READERS[key](session, changes[key])
        except ExplainedError as problem:
            errors.append(
                FieldError.explained(key, Message(problem.template, **problem.params), changes[key])
            )
    return result


def _required_line(_session: Session, value: Any) -> str:
    text = _optional_line(_session, value)
    if text is None:
        raise ExplainedError(N_("is required"))
    return text


def _optional_line(_session: Session, value: Any) -> str | None:
    return clean_text(str(value), max_length=NAME_LENGTH) or None if value is not None else None


def _optional_note(_session: Session, value: Any) -> str | None:
    if value is None:
        return None
    return clean_text(str(value), max_length=NOTE_LENGTH, multiline=True) or None


def _record_id(model: type[Industry] | type[Organization], missing: str) -> Any:
    def read(session: Session, value: Any) -> int | None:
        if value is None or str(value).strip() == "":
            return None
        found = parse_id(value)
        if found is None or session.get(model, found) is None:
            raise ExplainedError(missing, value=value)
        return found

    return read


def _year(_session: Session, value: Any) -> int | None:
    return parse_year(value)


def _budget(_session: Session, value: Any) -> Decimal | None:
    return parse_amount(value)


def _currency(_session: Session, value: Any) -> Currency | None:
    text = str(value).strip().upper() if value is not None else ""
    if not text:
        return None
    if text not in {c.value for c in Currency}:
        raise ExplainedError(N_("«%(value)s»: BYN, RUB or USD"), value=value)
    return Currency(text)


_HEADER_READERS: dict[str, Any] = {
    "title": _required_line,
    "title_en": _optional_line,
    "industry_id": _record_id(Industry, N_("no industry «%(value)s»")),
    "initiator_id": _record_id(Organization, N_("no organization «%(value)s»")),
    "period_start": _year,
    "period_end": _year,
    "budget_amount": _budget,
    "budget_currency": _currency,
    "summary": _optional_note,
}


Roles = list[tuple[int, ParticipantRole]]  # (organization id, role), the initiator's first


def _roles(
    session: Session, passport: Passport, raw: Any, errors: list[FieldError]
) -> Roles | None:
    """Participants `[{organization_id, role}]` checked; blank rows (a form's spare rows) are
    dropped and the initiator always stays."""
    if not isinstance(raw, list):
        errors.append(
            FieldError.explained(
                "participants", Message(N_("must be a list of {organization_id, role}"))
            )
        )
        return None
    roles = {r.value: r for r in ParticipantRole}
    initiator = passport.initiator.id if passport.initiator else passport.initiator_id
    result: Roles = [(initiator, ParticipantRole.INITIATOR)]
    for number, row in enumerate(raw, start=1):
        if not isinstance(row, dict) or not any(str(v or "").strip() for v in row.values()):
            continue
        where = f"participants[{number}]"
        organization = str(row.get("organization_id") or "").strip()
        role = str(row.get("role") or "").strip()
        found = parse_id(organization)
        if found is None or session.get(Organization, found) is None:
            errors.append(
                FieldError.explained(
                    f"{where}.organization_id",
                    Message(N_("no organization «%(value)s»"), value=organization),
                )
            )
            continue
        if role not in roles:
            errors.append(
                FieldError.explained(
                    f"{where}.role",
                    Message(
                        N_("«%(value)s»: one of %(options)s"), value=role, options=", ".join(roles)
                    ),
                )
            )
            continue
        pair = (found, roles[role])
        if pair not in result:
            result.append(pair)
    return result


def _set_roles(session: Session, passport: Passport, wanted: Roles) -> None:
    """Participants brought in line row by row (a row is unique per organization and role)."""
    keep = set(wanted)
    for participant in list(passport.participants):
        if (participant.organization_id, participant.role) not in keep:
            passport.participants.remove(participant)
    present = {(p.organization_id, p.role) for p in passport.participants}
    for organization_id, role in wanted:
        if (organization_id, role) not in present:
            organization = session.get(Organization, organization_id)
            passport.participants.append(PassportParticipant(organization=organization, role=role))


def _checked(
    session: Session, passport: Passport, changes: dict[str, Any]
) -> tuple[dict[str, Any], Content | None, Roles | None]:
    """The header values, content and participants `changes` would set, checked (every
    problem reported)."""
    errors: list[FieldError] = []
    header = _header(session, changes, errors)
    roles = (
        _roles(session, passport, changes["participants"], errors)
        if "participants" in changes
        else None
    )
    content: Content | None = None
    if "content" in changes:
        try:
            content = clean(changes["content"], complete=False)
        except DomainValidationError as error:
            errors.extend(error.errors)
    start = header.get("period_start", passport.period_start)
    end = header.get("period_end", passport.period_end)
    if start is not None and end is not None and start > end:
        errors.append(
            FieldError.explained(
                "period_end",
                Message(N_("ends (%(end)s) before it starts (%(start)s)"), end=end, start=start),
            )
        )
    rows = (content if content is not None else passport.content or {}).get("products") or []
    for number, row in enumerate(rows, start=1):
        reached = row.get("start_year") if isinstance(row, dict) else None
        if start is not None and isinstance(reached, int) and reached < start:
            errors.append(  # a project cannot reach its capacity before it begins
                FieldError.explained(
                    f"products[{number}].start_year",
                    Message(
                        N_(
                            "capacity is reached in %(year)s, before the project starts (%(start)s)"
                        ),
                        year=reached,
                        start=start,
                    ),
                )
            )
    if errors:
        raise DomainValidationError(errors)
    return header, content, roles


def _apply_changes(session: Session, passport: Passport, changes: dict[str, Any]) -> None:
    header, content, roles = _checked(session, passport, changes)
    for key, value in header.items():
        setattr(passport, key, value)
    if content is not None:
        passport.content = content
        sync_products(passport)
    if roles is not None:
        _set_roles(session, passport, roles)


def create_passport(
    session: Session, actor: Principal, fields: dict[str, Any], number: str | None = None
) -> Passport:
    """A new draft (version 1) from header fields and, optionally, content."""
    found = parse_id(fields.get("initiator_id"))
    initiator = session.get(Organization, found) if found is not None else None
    if initiator is None:
        raise DomainValidationError(
            [FieldError.explained("initiator_id", Message(N_("name the initiating organization")))]
        )
    require(actor, Action.CREATE, Kind.PASSPORT, owner=initiator.country_code)
    missing = [
        k for k in ("title", "industry_id", "period_start", "period_end") if not fields.get(k)
    ]
    if missing:
        raise DomainValidationError(
            [FieldError.explained(k, Message(N_("is required"))) for k in missing]
        )
    problems: list[FieldError] = []
    year = _header(session, fields, problems).get("period_start")  # the number's year, checked
    if problems or year is None:
        raise DomainValidationError(problems)
    passport = Passport(
        number=number or next_number(session, year),
        status=PassportStatus.DRAFT,
        initiator=initiator,
        title="",
        industry_id=0,
        period_start=year,
        period_end=year,
        content=load_template().empty(),
        version=1,
    )
    passport.participants = [
        PassportParticipant(organization=initiator, role=ParticipantRole.INITIATOR)
    ]
    _apply_changes(session, passport, {"content": passport.content, **fields})
    session.add(passport)
    session.flush()
    _keep_version(session, actor, passport, "создан")
    return passport


def update_passport(
    session: Session,
    actor: Principal,
    passport_id: int,
    lock_version: int,
    changes: dict[str, Any],
) -> Passport:
    """Save changes to a draft: refused when stale (409), when the passport is past the draft
    (a change request is needed after reconciliation), or with every field error (422)."""
    passport = _load(session, passport_id)
    require_edit(actor, passport)
    _check_fresh(session, passport, lock_version)
    if passport.status in CHANGE_BY_REQUEST:
        raise ConflictError(
            "the passport is reconciled: propose a change request that both sides approve"
        )
    if passport.status not in EDITABLE:
        raise ConflictError(
            f"a passport that is {passport.status.value} cannot be edited; it is edited as a "
            "draft (a side returns it with comments)"
        )
    _apply_changes(session, passport, changes)
    _renumber(session, passport)
    passport.version += 1
    _flush(session, passport)
    _keep_version(session, actor, passport, "изменён")
    return passport


def submitted_by(session: Session, passport: Passport) -> str | None:
    """Who submitted the passport last (the audit trail's entry)."""
    return session.scalar(
        select(AuditEntry.actor)
        .where(
            AuditEntry.entity == "passport",
            AuditEntry.entity_id == str(passport.id),
            AuditEntry.action == f"passport.{Act.SUBMIT.value}",
        )
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    )


def _renumber(session: Session, passport: Passport) -> None:
    """A draft that was never submitted takes the number of its corrected start year
    (СГ-1899-001 typed by mistake becomes СГ-2027-00n): the number says the year, and until the
    passport is submitted nobody outside its authors has quoted it. Once submitted, it stays."""
    year = number_year(passport.number)
    if year is None or year == passport.period_start:
        return
    if submitted_by(session, passport) is None:
        passport.number = next_number(session, passport.period_start)


def number_year(number: str) -> int | None:
    """The year in a passport number «СГ-2027-003» (None for a number of another form)."""
    parts = number.split("-")
    if len(parts) == 3 and parts[0] == "СГ" and parts[1].isdigit():
        return int(parts[1])
    return None


def _check_fresh(session: Session, passport: Passport, lock_version: int) -> None:
    if passport.lock_version == lock_version:
        return
    last = session.scalars(
        select(PassportVersion)
        .where(PassportVersion.passport_id == passport.id)
        .order_by(PassportVersion.number.desc())
    ).first()
    who = f" by {last.created_by} at {last.created_at:%Y-%m-%d %H:%M} UTC" if last else ""
    raise StaleError(
        f"passport {passport.number} was changed{who} since you opened it (now version "
        f"{passport.version}, state {passport.status.value}); your changes were not saved: "
        "reload it and apply them again"
    )


def _flush(session: Session, passport: Passport) -> None:
    """Write now, so that a concurrent writer's commit in between is caught as stale (the
    request's transaction then rolls back as a whole)."""
    number = passport.number  # the failed session cannot be read from afterwards
    try:
        session.flush()
    except StaleDataError:
        raise ConcurrentWriteError(
            f"passport {number} was changed by someone else while you saved; your changes "
            "were not saved: reload it and apply them again"
        ) from None


# --- the workflow -----------------------------------------------------------------------------


def act(
    session: Session,
    actor: Principal,
    passport_id: int,
    what: Act,
    comment: str | None = None,
    lock_version: int | None = None,
    signer: str | None = None,
) -> Passport:
    """Carry out one act of the workflow (see `workflow.py`); a submission needs a complete
    passport (every required field and row), a return and a cancellation a comment."""
    workflow.require_some(actor, what)
    passport = _load(session, passport_id)
    if lock_version is not None:
        _check_fresh(session, passport, lock_version)
    before = passport.status
    target = apply(actor, before, what, sides_of(passport), comment, signer)
    own = what is Act.ACCEPT and submitted_by(session, passport) == actor.username
    if own and not actor.system:
        raise PermissionDeniedError(
            f"{actor.username} submitted passport {passport.number} and so may not accept it "
            "too: another person of the other side accepts it (four eyes)"
        )
    if what is Act.SUBMIT:
        try:
            clean(passport.content or {}, complete=True)
        except DomainValidationError as error:
            raise DomainValidationError(
                [
                    FieldError.explained(
                        "content", Message(N_("complete the passport before submitting it"))
                    ),
                    *error.errors,
                ]
            ) from None
    passport.status = target
    if what is Act.CANCEL:
        passport.cancel_reason = comment
    if comment and comment.strip():
        session.add(
            PassportComment(
                passport_id=passport.id,
                act=what.value,
                author=actor.username,
                side=actor.side.value if actor.side else None,
                text=comment.strip(),
            )
        )
    _flush(session, passport)
    record(
        session,
        f"passport.{what.value}",
        "passport",
        passport.id,
        before={"status": before.value},
        after={"status": target.value, "comment": comment, "version": passport.version},
        actor=actor,
    )
    return passport


# --- change requests --------------------------------------------------------------------------


def propose_change(
    session: Session, actor: Principal, passport_id: int, changes: dict[str, Any], reason: str
) -> PassportChangeRequest:
    """A change to a reconciled passport, checked now and applied when both sides approve."""
    passport = _load(session, passport_id)
    require_edit(actor, passport)
    if passport.status not in CHANGE_BY_REQUEST:
        raise ConflictError(
            f"change requests are for reconciled passports; this one is {passport.status.value}"
        )
    if not reason.strip():
        raise DomainValidationError(
            [FieldError.explained("reason", Message(N_("say why the passport must change")))]
        )
    open_one = _open_request(session, passport.id)
    if open_one is not None:
        raise ConflictError(f"change request {open_one.id} is still open: decide it first")
    header, content, roles = _checked(session, passport, changes)  # as a draft's checks
    proposal = snapshot(passport)
    if roles is not None:
        proposal["participants"] = sorted(
            [{"organization_id": o, "role": r.value} for o, r in roles],
            key=lambda p: (p["role"], p["organization_id"]),
        )
    for key, value in header.items():
        proposal["header"][key] = (
            None
            if value is None
            else (str(value) if key in ("budget_amount", "budget_currency") else value)
        )
    if content is not None:
        proposal["content"] = content
    if proposal == snapshot(passport):
        raise DomainValidationError(
            [FieldError.explained("changes", Message(N_("the proposal changes nothing")))]
        )
    request = PassportChangeRequest(
        passport_id=passport.id,
        base_version=passport.version,
        proposed=proposal,
        reason=reason.strip(),
        created_by=actor.username,
    )
    session.add(request)
    session.flush()
    record(
        session,
        "passport.change_request",
        "passport",
        passport.id,
        after={"change_request": request.id, "reason": request.reason},
        actor=actor,
    )
    return request


def _open_request(session: Session, passport_id: int) -> PassportChangeRequest | None:
    return session.scalars(
        select(PassportChangeRequest).where(
            PassportChangeRequest.passport_id == passport_id,
            PassportChangeRequest.status == ChangeRequestStatus.OPEN,
        )
    ).first()


def change_requests(
    session: Session, actor: Principal, passport_id: int
) -> list[PassportChangeRequest]:
    full_view(session, actor, passport_id)
    return list(
        session.scalars(
            select(PassportChangeRequest)
            .where(PassportChangeRequest.passport_id == passport_id)
            .order_by(PassportChangeRequest.id)
        )
    )


def decide_change(
    session: Session,
    actor: Principal,
    request_id: int,
    approve: bool,
    comment: str | None = None,
    signer: str | None = None,
) -> PassportChangeRequest:
    """An approver signs the change for their country (applied once both have) or rejects it."""
    country = signer if actor.system else actor.country
    if country not in ("BY", "RU"):
        raise PermissionDeniedError(f"{actor.username} signs for no country")
    require(actor, Action.APPROVE, Kind.PASSPORT, owner=country)
    request = session.get(PassportChangeRequest, request_id)
    if request is None:
        raise NotFoundError("change request", request_id)
    passport = _load(session, request.passport_id)
    if request.status is not ChangeRequestStatus.OPEN:
        raise ConflictError(f"change request {request.id} is {request.status.value}")
    if not approve:
        if not (comment and comment.strip()):
            raise TransitionError("a rejection needs a comment saying why")
        request.status = ChangeRequestStatus.REJECTED
        request.decided_by, request.comment = actor.username, comment.strip()
        record(
            session,
            "passport.change_rejected",
            "passport",
            passport.id,
            after={"change_request": request.id, "side": country, "comment": request.comment},
            actor=actor,
        )
        session.flush()
        return request
    signed = request.approved_by_by if country == "BY" else request.approved_by_ru
    if signed:
        raise ConflictError(f"{country} has already approved change request {request.id}")
    if country == "BY":
        request.approved_by_by = actor.username
    else:
        request.approved_by_ru = actor.username
    record(
        session,
        "passport.change_approved",
        "passport",
        passport.id,
        after={"change_request": request.id, "side": country},
        actor=actor,
    )
    if request.approved_by_by and request.approved_by_ru:
        _apply_request(session, actor, passport, request)
    session.flush()
    return request


def _apply_request(
    session: Session, actor: Principal, passport: Passport, request: PassportChangeRequest
) -> None:
    if passport.version != request.base_version:
        raise StaleError(
            f"passport {passport.number} is at version {passport.version}, the request was made "
            f"on version {request.base_version}: propose it again"
        )
    header = dict(request.proposed["header"])
    if header.get("budget_amount") is not None:
        header["budget_amount"] = Decimal(header["budget_amount"])
    if header.get("budget_currency") is not None:
        header["budget_currency"] = Currency(header["budget_currency"])
    for key in HEADER:
        setattr(passport, key, header.get(key))
    passport.content = request.proposed["content"]
    sync_products(passport)
    roles = {r.value: r for r in ParticipantRole}
    _set_roles(
        session,
        passport,
        [(p["organization_id"], roles[p["role"]]) for p in request.proposed["participants"]],
    )
    passport.version += 1
    request.status = ChangeRequestStatus.APPLIED
    request.applied_version = passport.version
    _flush(session, passport)
    _keep_version(session, actor, passport, f"запрос на изменение {request.id}: {request.reason}")


# --- differences and history ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Difference:
    where: str  # «Финансирование…, строка 2, Сумма» or a header field
    before: str
    after: str


HEADER_LABELS = {
    "title": ("Наименование", "Title"),
    "title_en": ("Наименование (англ.)", "Title (English)"),
    "industry_id": ("Отрасль", "Industry"),
    "initiator_id": ("Инициатор", "Initiator"),
    "period_start": ("Начало", "Start"),
    "period_end": ("Окончание", "End"),
    "budget_amount": ("Бюджет", "Budget"),
    "budget_currency": ("Валюта бюджета", "Budget currency"),
    "summary": ("Описание", "Summary"),
}


@dataclass(frozen=True, slots=True)
class Names:
    """The names of the records a snapshot refers to by id (organizations, industries), so
    that a difference reads «Инициатор: ОАО «Станкозавод»», not «initiator 8»."""

    organizations: dict[int, str]
    industries: dict[int, str]


def reference_names(session: Session, lang: str, *snapshots: dict[str, Any]) -> Names:
    """The names of every organization and industry the snapshots mention."""
    organizations = {s["header"].get("initiator_id") for s in snapshots}
    organizations |= {p["organization_id"] for s in snapshots for p in s.get("participants", [])}
    industries = {s["header"].get("industry_id") for s in snapshots}
    found = session.execute(
        select(Organization.id, Organization.name).where(
            Organization.id.in_([i for i in organizations if i is not None])
        )
    ).all()
    branches = session.scalars(
        select(Industry).where(Industry.id.in_([i for i in industries if i is not None]))
    ).all()
    return Names(
        {i: name for i, name in found},
        {i.id: (i.name_ru if lang == "ru" else i.name_en) for i in branches},
    )


def differences(
    a: dict[str, Any], b: dict[str, Any], lang: str = "ru", names: Names | None = None
) -> list[Difference]:
    """What changed from snapshot `a` to snapshot `b`, field by field and row by row; with
    `names`, organizations and industries by name instead of by id."""
    ru = lang == "ru"
    found = []
    for key, (label_ru, label_en) in HEADER_LABELS.items():
        old, new = a["header"].get(key), b["header"].get(key)
        if old != new:
            found.append(
                Difference(
                    label_ru if ru else label_en,
                    _named(key, old, names),
                    _named(key, new, names),
                )
            )
    if a.get("participants") != b.get("participants"):
        found.append(
            Difference(
                "Участники" if ru else "Participants",
                _participants(a.get("participants", []), lang, names),
                _participants(b.get("participants", []), lang, names),
            )
        )
    template = load_template()
    row_word = "строка" if ru else "row"
    for section in template.sections:
        old_part = a["content"].get(section.key)
        new_part = b["content"].get(section.key)
        if section.is_table:
            old_rows, new_rows = old_part or [], new_part or []
            for n in range(max(len(old_rows), len(new_rows))):
                old_row = old_rows[n] if n < len(old_rows) else None
                new_row = new_rows[n] if n < len(new_rows) else None
                if old_row == new_row:
                    continue
                for field in section.fields:
                    old = (old_row or {}).get(field.key)
                    new = (new_row or {}).get(field.key)
                    if old != new:
                        found.append(
                            Difference(
                                f"{section.label(lang)}, {row_word} {n + 1}, {field.label(lang)}",
                                field.shown(old, lang),
                                field.shown(new, lang),
                            )
                        )
        else:
            for field in section.fields:
                old = (old_part or {}).get(field.key)
                new = (new_part or {}).get(field.key)
                if old != new:
                    found.append(
                        Difference(
                            f"{section.label(lang)}, {field.label(lang)}",
                            field.shown(old, lang),
                            field.shown(new, lang),
                        )
                    )
    return found


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _named(key: str, value: Any, names: Names | None) -> str:
    """A header value; an organization's or industry's id by its name when known."""
    if names is not None and value is not None:
        if key == "initiator_id" and value in names.organizations:
            return names.organizations[value]
        if key == "industry_id" and value in names.industries:
            return names.industries[value]
    return _text(value)


def _participants(rows: Sequence[dict[str, Any]], lang: str, names: Names | None) -> str:
    """The participants as «role: organization», in the reader's language."""
    from unionsync.web.labels import label_in

    def one(row: dict[str, Any]) -> str:
        role = row["role"]
        if role in {r.value for r in ParticipantRole}:
            role = label_in(ParticipantRole(role), lang)
        who = names.organizations.get(row["organization_id"]) if names else None
        return f"{role}: {who or row['organization_id']}"

    return "; ".join(one(r) for r in rows)


def timeline(session: Session, actor: Principal, passport_id: int) -> list[AuditEntry]:
    """Who did what to the passport and when, from the audit trail (oldest first)."""
    full_view(session, actor, passport_id)
    return list(
        session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.entity == "passport",
                AuditEntry.entity_id == str(passport_id),
                # its creation and the named events (acts, versions, change requests); the
                # row-level updates they cause would only repeat them
                (AuditEntry.action == "create") | AuditEntry.action.like("passport.%"),
            )
            .order_by(AuditEntry.seq)
        )
    )


# --- documents ----------------------------------------------------------------------------------

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def document(
    session: Session,
    actor: Principal,
    passport_id: int,
    fmt: str,
    lang: str = "ru",
    number: int | None = None,
    part: str = "all",
) -> tuple[bytes, str, str]:
    """The passport (its latest kept version, or version `number`) as DOCX or PDF in Russian or
    English: (bytes, file name, media type). `part="financing"` gives its financing part only
    (the header, the financing sources by year and the banks), which is what a financing bank
    may read; the whole document is for the sides and the Committee."""
    from unionsync.passports import documents
    from unionsync.web.labels import label_in

    if fmt not in FORMATS:
        raise DomainValidationError([FieldError("format", "docx or pdf")])
    if lang not in ("ru", "en"):
        raise DomainValidationError([FieldError("lang", "ru or en")])
    if part not in ("all", "financing"):
        raise DomainValidationError([FieldError("part", "all or financing")])
    financing = part == "financing"
    if financing:
        passport = get_passport(session, actor, passport_id)  # a financing bank too
        kept = _kept(session, passport, number or passport.version)
    else:
        passport = full_view(session, actor, passport_id)
        kept = version(session, actor, passport_id, number or passport.version)
    industry = passport.industry.name_ru if lang == "ru" else passport.industry.name_en
    initiator = passport.initiator.name
    organizations = {
        o.id: o
        for o in session.scalars(
            select(Organization).where(
                Organization.id.in_([p["organization_id"] for p in kept.snapshot["participants"]])
            )
        )
    }
    participants = [
        (
            label_in(ParticipantRole(p["role"]), lang),
            organizations[p["organization_id"]].country_code,
            organizations[p["organization_id"]].name,
        )
        for p in kept.snapshot["participants"]
        if p["organization_id"] in organizations
        and (not financing or p["role"] == ParticipantRole.BANK.value)
    ]
    built = documents.build(
        kept.snapshot,
        lang=lang,
        version=kept.number,
        content_hash=kept.content_hash,
        status=label_in(passport.status, lang),
        industry=industry,
        initiator=initiator,
        participants=participants,
        part="financing" if financing else None,
        approvals=approvals(session, passport),
    )
    data = documents.to_docx(built) if fmt == "docx" else documents.to_pdf(built)
    safe = passport.number.replace("/", "-")
    what = "passport-financing" if financing else "passport"
    return data, f"{what}-{safe}-v{kept.number}-{lang}.{fmt}", FORMATS[fmt]


def _kept(session: Session, passport: Passport, number: int) -> PassportVersion:
    kept = session.scalar(
        select(PassportVersion).where(
            PassportVersion.passport_id == passport.id, PassportVersion.number == number
        )
    )
    if kept is None:
        raise NotFoundError("passport version", f"{passport.id}/{number}")
    return kept


@dataclass(frozen=True, slots=True)
class Approval:
    """A side's signature of the passport as recorded: who, when, which version and its hash."""

    side: str
    who: str
    at: datetime
    version: int
    content_hash: str


def approvals(session: Session, passport: Passport) -> list[Approval]:
    """The approvals in force: those given since the passport was last submitted (a return
    to the draft voids the earlier ones), each with the hash of the version it signed."""
    events = session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.entity == "passport",
            AuditEntry.entity_id == str(passport.id),
            AuditEntry.action.in_(
                (f"passport.{Act.SUBMIT.value}", f"passport.{Act.APPROVE.value}")
            ),
        )
        .order_by(AuditEntry.seq)
    ).all()
    since = [e for e in events if e.action.endswith(Act.SUBMIT.value)]
    start = since[-1].seq if since else -1
    signed = [e for e in events if e.action.endswith(Act.APPROVE.value) and e.seq > start]
    numbers = {int((e.after or {}).get("version") or passport.version) for e in signed}
    hashes = dict(
        session.execute(
            select(PassportVersion.number, PassportVersion.content_hash).where(
                PassportVersion.passport_id == passport.id, PassportVersion.number.in_(numbers)
            )
        ).all()
    )
    found = []
    for event in signed:
        number = int((event.after or {}).get("version") or passport.version)
        found.append(
            Approval(
                event.side or "",
                event.actor,
                datetime.fromisoformat(event.at),
                number,
                hashes.get(number, ""),
            )
        )
    return found


# --- drafting from a program item ------------------------------------------------------------


def draft_from_item(
    session: Session, actor: Principal, item_id: int, today: date | None = None
) -> Passport:
    """A draft passport for a joint project answering one program item's demand (typically a
    synchronisation gap): its product is the item's, to be made in the partner country for the
    item's country, at the item's largest yearly demand from the item's target year. The
    initiator is the user's organization, else their side's ministry (or the Standing
    Committee), else the program's owner. Refused when a live passport already answers it."""
    item = session.get(
        ProgramItem,
        item_id,
        options=[joinedload(ProgramItem.program), selectinload(ProgramItem.demands)],
    )
    if item is None:
        raise NotFoundError("program item", item_id)
    program = item.program
    initiator = _initiator(session, actor, program)
    require(actor, Action.CREATE, Kind.PASSPORT, owner=initiator.country_code)
    existing = session.scalars(
        select(Passport.number)
        .join(PassportProduct)
        .where(
            PassportProduct.source_item_id == item.id,
            Passport.status != PassportStatus.CANCELLED,
        )
    ).first()
    if existing is not None:
        raise ConflictError(f"passport {existing} already answers this item")
    year = (today or date.today()).year
    # capacity by the item's target year when it is still ahead, else as soon as a year on (the
    # draft says when; never before the project starts)
    reached = item.target_year if item.target_year and item.target_year > year else year + 1
    end = max(reached, year + 3)
    yearly = max((d.quantity for d in item.demands), default=None)
    product: dict[str, object] = {
        "name": item.name_ru,
        "unit": item.unit_okei,
        "country": PARTNER[program.country_code],
        "start_year": reached,
        "consumers": f"заказчики программы {program.code} ({program.country_code})",
        "program_item": item.id,
    }
    if item.tnved_code:
        product["tnved"] = item.tnved_code
    if yearly is not None:
        product["capacity"] = str(yearly)
    return create_passport(
        session,
        actor,
        {
            "title": f"Совместный проект: {item.name_ru}",
            "title_en": f"Joint project: {item.name_en}" if item.name_en else None,
            "industry_id": program.industry_id,
            "initiator_id": initiator.id,
            "period_start": year,
            "period_end": end,
            "summary": (
                f"Черновик по пробелу синхронизации: программа {program.code} "
                f"({program.country_code}), позиция {item.position} «{item.name_ru}» (код ТН "
                f"ВЭД {item.tnved_code or 'не указан'}); этот спрос не покрывают производители "
                f"ни одной из стран. Продукция — в {PARTNER[program.country_code]} для "
                f"потребителей {program.country_code}; мощность — наибольший годовой спрос "
                "позиции."
            ),
            "content": {
                "general": {
                    "goal": f"Наладить выпуск: {item.name_ru}",
                    "programs": f"{program.code}: {program.title}",
                },
                "products": [product],
            },
        },
    )


def _initiator(session: Session, actor: Principal, program: Program) -> Organization:
    if actor.organization_id is not None:
        found = session.get(Organization, actor.organization_id)
        if found is not None:
            return found
    if actor.side is Side.UNION:
        kinds, country = (OrganizationKind.COMMITTEE,), None
    else:
        kinds, country = (OrganizationKind.MINISTRY,), actor.country
    stmt = select(Organization).where(Organization.kind.in_(kinds)).order_by(Organization.id)
    if country is not None:
        stmt = stmt.where(Organization.country_code == country)
    found = session.scalars(stmt).first() if actor.side is not None else None
    if found is None:
        found = program.owner
    if found is None:
        raise ConflictError(
            f"no organization can initiate the passport: {actor.username} belongs to none and "
            f"program {program.code} has no owner"
        )
    return found


def next_number(session: Session, year: int) -> str:
    """СГ-<year>-<n>: one more than the passports numbered in that year."""
    prefix = f"СГ-{year}-"
    taken = set(session.scalars(select(Passport.number).where(Passport.number.like(prefix + "%"))))
    n = len(taken) + 1
    while f"{prefix}{n:03d}" in taken:
        n += 1
    return f"{prefix}{n:03d}"
