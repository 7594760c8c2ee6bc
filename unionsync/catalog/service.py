"""Use cases on programs, items, organizations and capabilities; API, pages, CLI all call these."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from unionsync.access.policy import Action, Kind, Principal, require
from unionsync.catalog.models import (
    Capability,
    Organization,
    OrganizationKind,
    Program,
    ProgramItem,
    ProgramItemDemand,
    ProgramStatus,
)
from unionsync.catalog.schemas import (
    CapabilityCreate,
    CapabilityUpdate,
    DemandIn,
    ProgramCreate,
    ProgramItemCreate,
    ProgramItemUpdate,
    ProgramUpdate,
)
from unionsync.core.errors import (
    ConflictError,
    DomainValidationError,
    FieldError,
    NotFoundError,
)
from unionsync.core.listing import ListParams, PageResult, paginate, text_search
from unionsync.core.validation import MAX_POSITION
from unionsync.nomenclature.codes import CodeError, TnvedCode, parse_okpd2, parse_tnved
from unionsync.reference.models import Country, Industry
from unionsync.reference.units import UnknownUnitError, resolve_unit


@dataclass(frozen=True, slots=True)
class ProgramFilter:
    country: str | None = None
    industry_id: int | None = None
    status: ProgramStatus | None = None
    q: str | None = None


@dataclass(frozen=True, slots=True)
class OrganizationFilter:
    kind: OrganizationKind | None = None
    country: str | None = None
    industry_id: int | None = None
    q: str | None = None


@dataclass(frozen=True, slots=True)
class ItemFilter:
    program_id: int | None = None
    country: str | None = None
    tnved_prefix: str | None = None
    q: str | None = None


@dataclass(frozen=True, slots=True)
class CapabilityFilter:
    enterprise_id: int | None = None
    country: str | None = None
    tnved_prefix: str | None = None
    q: str | None = None


# --- reference -----------------------------------------------------------------------------


def list_countries(session: Session, actor: Principal) -> Sequence[Country]:
    """All countries, the Union State's first."""
    require(actor, Action.VIEW, Kind.REFERENCE)
    return session.scalars(select(Country).order_by(Country.union_state.desc(), Country.code)).all()


def list_industries(session: Session, actor: Principal) -> Sequence[Industry]:
    """All industries in code order."""
    require(actor, Action.VIEW, Kind.REFERENCE)
    return session.scalars(select(Industry).order_by(Industry.code)).all()


def page_countries(
    session: Session,
    actor: Principal,
    params: ListParams,
    union_state: bool | None = None,
    q: str | None = None,
) -> PageResult[Country]:
    """Countries for the API: filter by Union State membership or text, sort, page."""
    require(actor, Action.VIEW, Kind.REFERENCE)
    stmt = select(Country)
    if union_state is not None:
        stmt = stmt.where(Country.union_state == union_state)
    if q:
        stmt = stmt.where(text_search(q, Country.code, Country.name_ru, Country.name_en))
    sortable = {"code": Country.code, "name_ru": Country.name_ru, "name_en": Country.name_en}
    return paginate(session, stmt, params, sortable, [Country.union_state.desc(), Country.code])


def get_country(session: Session, actor: Principal, code: str) -> Country:
    require(actor, Action.VIEW, Kind.REFERENCE)
    country = session.get(Country, code.upper())
    if country is None:
        raise NotFoundError("country", code)
    return country


def page_industries(
    session: Session, actor: Principal, params: ListParams, q: str | None = None
) -> PageResult[Industry]:
    """Industries for the API: text filter, sort, page."""
    require(actor, Action.VIEW, Kind.REFERENCE)
    stmt = select(Industry)
    if q:
        stmt = stmt.where(text_search(q, Industry.code, Industry.name_ru, Industry.name_en))
    sortable = {"code": Industry.code, "name_ru": Industry.name_ru, "name_en": Industry.name_en}
    return paginate(session, stmt, params, sortable, [Industry.code])


def get_industry(session: Session, actor: Principal, industry_id: int) -> Industry:
    require(actor, Action.VIEW, Kind.REFERENCE)
    industry = session.get(Industry, industry_id)
    if industry is None:
        raise NotFoundError("industry", industry_id)
    return industry


# --- organizations -------------------------------------------------------------------------


def list_organizations(
    session: Session, actor: Principal, flt: OrganizationFilter, params: ListParams
) -> PageResult[Organization]:
    """Organizations matching the filter, one page of them."""
    require(actor, Action.VIEW, Kind.ORGANIZATION)
    stmt = select(Organization)
    if flt.kind:
        stmt = stmt.where(Organization.kind == flt.kind)
    if flt.country:
        stmt = stmt.where(Organization.country_code == flt.country.upper())
    if flt.industry_id:
        stmt = stmt.where(Organization.industry_id == flt.industry_id)
    if flt.q:
        stmt = stmt.where(text_search(flt.q, Organization.name, Organization.tax_id))
    sortable = {
        "name": Organization.name,
        "country": Organization.country_code,
        "kind": Organization.kind,
        "id": Organization.id,
    }
    return paginate(session, stmt, params, sortable, [Organization.name, Organization.id])


def capability_counts(session: Session, actor: Principal, org_ids: Iterable[int]) -> dict[int, int]:
    """How many capabilities each enterprise publishes (one query for a page)."""
    require(actor, Action.VIEW, Kind.CAPABILITY)
    ids = list(org_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Capability.enterprise_id, func.count())
        .where(Capability.enterprise_id.in_(ids))
        .group_by(Capability.enterprise_id)
    )
    return {org_id: count for org_id, count in rows}


def get_organization(session: Session, actor: Principal, org_id: int) -> Organization:
    require(actor, Action.VIEW, Kind.ORGANIZATION)
    org = session.get(Organization, org_id, options=[selectinload(Organization.capabilities)])
    if org is None:
        raise NotFoundError("organization", org_id)
    return org


# --- programs ------------------------------------------------------------------------------


def list_programs(
    session: Session, actor: Principal, flt: ProgramFilter, params: ListParams
) -> PageResult[Program]:
    """Programs matching the filter, one page of them."""
    require(actor, Action.VIEW, Kind.PROGRAM)
    stmt = select(Program).options(selectinload(Program.industry))
    if flt.country:
        stmt = stmt.where(Program.country_code == flt.country.upper())
    if flt.industry_id:
        stmt = stmt.where(Program.industry_id == flt.industry_id)
    if flt.status:
        stmt = stmt.where(Program.status == flt.status)
    if flt.q:
        stmt = stmt.where(text_search(flt.q, Program.title, Program.code, Program.title_en))
    sortable = {
        "code": Program.code,
        "title": Program.title,
        "country": Program.country_code,
        "period_start": Program.period_start,
        "status": Program.status,
        "id": Program.id,
    }
    return paginate(session, stmt, params, sortable, [Program.country_code.desc(), Program.code])


def item_counts(session: Session, actor: Principal, program_ids: Iterable[int]) -> dict[int, int]:
    """How many items each program has (one query for a page of programs)."""
    require(actor, Action.VIEW, Kind.PROGRAM)
    ids = list(program_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(ProgramItem.program_id, func.count())
        .where(ProgramItem.program_id.in_(ids))
        .group_by(ProgramItem.program_id)
    )
    return {pid: count for pid, count in rows}


def programs_by_id(session: Session, actor: Principal, ids: Iterable[int]) -> Sequence[Program]:
    """Programs by id, for labelling rows that point at them."""
    require(actor, Action.VIEW, Kind.PROGRAM)
    return session.scalars(select(Program).where(Program.id.in_(list(ids)))).all()


def get_program(session: Session, actor: Principal, program_id: int) -> Program:
    require(actor, Action.VIEW, Kind.PROGRAM)
    program = session.get(
        Program,
        program_id,
        options=[selectinload(Program.items).selectinload(ProgramItem.demands)],
    )
    if program is None:
        raise NotFoundError("program", program_id)
    return program


def create_program(session: Session, actor: Principal, data: ProgramCreate) -> Program:
    """A new program; refuses an unknown country or industry and a duplicate code+version."""
    require(actor, Action.CREATE, Kind.PROGRAM, owner=data.country_code.upper())
    _check_program_refs(session, data.country_code.upper(), data.industry_id)
    _check_period(data.period_start, data.period_end)
    duplicate = session.scalar(
        select(Program.id).where(
            Program.country_code == data.country_code.upper(),
            Program.code == data.code,
            Program.version == data.version,
        )
    )
    if duplicate is not None:
        raise ConflictError(
            f"program {data.code} version {data.version} already exists (id {duplicate})"
        )
    program = Program(**data.model_dump() | {"country_code": data.country_code.upper()})
    session.add(program)
    session.flush()
    return program


def update_program(
    session: Session, actor: Principal, program_id: int, data: ProgramUpdate
) -> Program:
    program = get_program(session, actor, program_id)
    require(actor, Action.UPDATE, Kind.PROGRAM, owner=program.country_code)
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(program, name, value)
    _check_period(program.period_start, program.period_end)
    session.flush()
    return program


def _check_program_refs(session: Session, country: str, industry_id: int) -> None:
    errors = []
    if session.get(Country, country) is None:
        errors.append(FieldError("country_code", "unknown country", country))
    if session.get(Industry, industry_id) is None:
        errors.append(FieldError("industry_id", "unknown industry", industry_id))
    if errors:
        raise DomainValidationError(errors)


def _check_period(start: int, end: int) -> None:
    if end < start:
        raise DomainValidationError([FieldError("period_end", "ends before it starts", end)])


# --- program items -------------------------------------------------------------------------


def list_items(
    session: Session, actor: Principal, flt: ItemFilter, params: ListParams
) -> PageResult[ProgramItem]:
    """Program items matching the filter, with their demand."""
    require(actor, Action.VIEW, Kind.PROGRAM)
    stmt = select(ProgramItem).options(selectinload(ProgramItem.demands))
    if flt.program_id:
        stmt = stmt.where(ProgramItem.program_id == flt.program_id)
    if flt.country:
        stmt = stmt.join(Program).where(Program.country_code == flt.country.upper())
    if flt.tnved_prefix:
        stmt = stmt.where(ProgramItem.tnved_code.startswith(flt.tnved_prefix.replace(" ", "")))
    if flt.q:
        stmt = stmt.where(
            text_search(flt.q, ProgramItem.name_ru, ProgramItem.name_en, ProgramItem.tnved_code)
        )
    sortable = {
        "position": ProgramItem.position,
        "name": ProgramItem.name_ru,
        "tnved": ProgramItem.tnved_code,
        "target_year": ProgramItem.target_year,
        "id": ProgramItem.id,
    }
    return paginate(session, stmt, params, sortable, [ProgramItem.program_id, ProgramItem.position])


def get_item(session: Session, actor: Principal, item_id: int) -> ProgramItem:
    require(actor, Action.VIEW, Kind.PROGRAM)
    item = session.get(ProgramItem, item_id, options=[selectinload(ProgramItem.demands)])
    if item is None:
        raise NotFoundError("program item", item_id)
    return item


def create_item(
    session: Session, actor: Principal, program_id: int, data: ProgramItemCreate
) -> ProgramItem:
    """A new item at the given position (or the next free one)."""
    program = get_program(session, actor, program_id)
    require(actor, Action.UPDATE, Kind.PROGRAM, owner=program.country_code)
    taken = {item.position for item in program.items}
    position = data.position or (max(taken, default=0) + 1)
    if position > MAX_POSITION:
        raise ConflictError(
            f"program {program.code} has no free position after {max(taken)}; give one"
        )
    if position in taken:
        raise ConflictError(f"position {position} is taken in program {program.code}")
    code, unit = _parse_code_and_unit(data.tnved, data.unit)
    item = ProgramItem(
        program=program,
        position=position,
        name_ru=data.name_ru,
        name_en=data.name_en,
        tnved_raw=data.tnved,
        tnved_code=code.digits if code else None,
        tnved_ex=bool(code and code.ex),
        unit_okei=unit,
        target_year=data.target_year,
        import_share_pct=data.import_share_pct,
        note=data.note,
    )
    item.demands = _demands(data.demand)
    session.add(item)
    session.flush()
    return item


def update_item(
    session: Session, actor: Principal, item_id: int, data: ProgramItemUpdate
) -> ProgramItem:
    item = get_item(session, actor, item_id)
    require(actor, Action.UPDATE, Kind.PROGRAM, owner=item.program.country_code)
    fields = data.model_dump(exclude_unset=True)
    if "tnved" in fields or "unit" in fields:
        code, unit = _parse_code_and_unit(
            fields.get("tnved", item.tnved_raw), fields.get("unit", item.unit_okei)
        )
        item.tnved_raw = fields.get("tnved", item.tnved_raw)
        item.tnved_code = code.digits if code else None
        item.tnved_ex = bool(code and code.ex)
        item.unit_okei = unit
    for name in ("name_ru", "name_en", "target_year", "import_share_pct", "note"):
        if name in fields:
            setattr(item, name, fields[name])
    if data.demand is not None:
        replace_demands(session, item, _demands(data.demand))
    session.flush()
    return item


def replace_demands(
    session: Session, item: ProgramItem, demands: Sequence[ProgramItemDemand]
) -> None:
    """Swap an item's yearly demand; old rows go first so (item, year) stays unique."""
    if item.demands:
        item.demands.clear()
        session.flush()
    item.demands.extend(demands)


def _parse_code_and_unit(raw_code: str | None, raw_unit: str) -> tuple[TnvedCode | None, str]:
    errors = []
    code = None
    if raw_code:
        try:
            code = parse_tnved(raw_code)
        except CodeError as exc:
            errors.append(FieldError("tnved", str(exc), raw_code))
    unit = ""
    try:
        unit = resolve_unit(raw_unit).code
    except UnknownUnitError as exc:
        errors.append(FieldError("unit", str(exc), raw_unit))
    if errors:
        raise DomainValidationError(errors)
    return code, unit


def _demands(rows: Sequence[DemandIn]) -> list[ProgramItemDemand]:
    years = [row.year for row in rows]
    if len(years) != len(set(years)):
        raise DomainValidationError([FieldError("demand", "a year is given twice", years)])
    for row in rows:
        if row.value is not None and row.currency is None:
            raise DomainValidationError(
                [FieldError("demand.currency", "a value needs its currency", row.year)]
            )
    return [
        ProgramItemDemand(
            year=row.year,
            quantity=row.quantity,
            value_amount=row.value,
            value_currency=row.currency if row.value is not None else None,
        )
        for row in rows
    ]


# --- capabilities --------------------------------------------------------------------------


def list_capabilities(
    session: Session, actor: Principal, flt: CapabilityFilter, params: ListParams
) -> PageResult[Capability]:
    """Capabilities matching the filter, one page of them."""
    require(actor, Action.VIEW, Kind.CAPABILITY)
    stmt = select(Capability).options(selectinload(Capability.enterprise))
    if flt.enterprise_id:
        stmt = stmt.where(Capability.enterprise_id == flt.enterprise_id)
    if flt.country:
        stmt = stmt.join(Organization).where(Organization.country_code == flt.country.upper())
    if flt.tnved_prefix:
        stmt = stmt.where(Capability.tnved_code.startswith(flt.tnved_prefix.replace(" ", "")))
    if flt.q:
        stmt = stmt.where(
            text_search(
                flt.q, Capability.product_name, Capability.product_name_en, Capability.tnved_code
            )
        )
    sortable = {
        "name": Capability.product_name,
        "tnved": Capability.tnved_code,
        "capacity": Capability.capacity_per_year,
        "id": Capability.id,
    }
    return paginate(session, stmt, params, sortable, [Capability.id])


def get_capability(session: Session, actor: Principal, capability_id: int) -> Capability:
    require(actor, Action.VIEW, Kind.CAPABILITY)
    capability = session.get(Capability, capability_id)
    if capability is None:
        raise NotFoundError("capability", capability_id)
    return capability


def create_capability(session: Session, actor: Principal, data: CapabilityCreate) -> Capability:
    """A capability of an existing enterprise."""
    enterprise = session.get(Organization, data.enterprise_id)
    if enterprise is None or enterprise.kind != OrganizationKind.ENTERPRISE:
        raise DomainValidationError(
            [FieldError("enterprise_id", "no such enterprise", data.enterprise_id)]
        )
    require(actor, Action.CREATE, Kind.CAPABILITY, owner=enterprise.country_code)
    code, unit = _parse_code_and_unit(data.tnved, data.unit)
    _check_price(data.price, data.currency)
    okpd2 = _parse_okpd2(data.okpd2)
    capability = Capability(
        enterprise=enterprise,
        product_name=data.product_name,
        product_name_en=data.product_name_en,
        tnved_raw=data.tnved,
        tnved_code=code.digits if code else None,
        okpd2_code=okpd2,
        unit_okei=unit,
        capacity_per_year=data.capacity_per_year,
        available_capacity=data.available_capacity,
        price_amount=data.price,
        price_currency=data.currency if data.price is not None else None,
        localisation_pct=data.localisation_pct,
        note=data.note,
    )
    session.add(capability)
    session.flush()
    return capability


def update_capability(
    session: Session, actor: Principal, capability_id: int, data: CapabilityUpdate
) -> Capability:
    capability = get_capability(session, actor, capability_id)
    require(actor, Action.UPDATE, Kind.CAPABILITY, owner=capability.enterprise.country_code)
    fields = data.model_dump(exclude_unset=True)
    if "tnved" in fields or "unit" in fields:
        code, unit = _parse_code_and_unit(
            fields.get("tnved", capability.tnved_raw), fields.get("unit", capability.unit_okei)
        )
        capability.tnved_raw = fields.get("tnved", capability.tnved_raw)
        capability.tnved_code = code.digits if code else None
        capability.unit_okei = unit
    if "price" in fields or "currency" in fields:
        price = fields.get("price", capability.price_amount)
        currency = fields.get("currency", capability.price_currency)
        _check_price(price, currency)
        capability.price_amount, capability.price_currency = price, currency
    simple = (
        "product_name",
        "product_name_en",
        "capacity_per_year",
        "available_capacity",
        "localisation_pct",
        "note",
    )
    for name in simple:
        if name in fields:
            setattr(capability, name, fields[name])
    if "okpd2" in fields:
        capability.okpd2_code = _parse_okpd2(fields["okpd2"])
    session.flush()
    return capability


def _parse_okpd2(raw: str | None) -> str | None:
    if raw is None:
        return None
    try:
        return parse_okpd2(raw)
    except CodeError as exc:
        raise DomainValidationError([FieldError("okpd2", str(exc), raw)]) from None


def _check_price(price: Decimal | None, currency: object) -> None:
    if price is not None and currency is None:
        raise DomainValidationError([FieldError("currency", "a price needs its currency", price)])
