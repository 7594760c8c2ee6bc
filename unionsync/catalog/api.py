"""JSON API of countries, industries, organizations, programs, items and capabilities."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from unionsync.access.deps import ActorDep
from unionsync.api.deps import ListDep, SessionDep
from unionsync.catalog import service
from unionsync.catalog.models import OrganizationKind, Program, ProgramStatus
from unionsync.catalog.schemas import (
    CapabilityCreate,
    CapabilityPublic,
    CapabilityUpdate,
    CountryPublic,
    IndustryPublic,
    OrganizationPublic,
    ProgramCreate,
    ProgramItemCreate,
    ProgramItemPublic,
    ProgramItemUpdate,
    ProgramPublic,
    ProgramUpdate,
)
from unionsync.core.schemas import (
    CodePrefixQuery,
    CountryQuery,
    IdPath,
    IdQuery,
    Page,
    SearchQuery,
    to_page,
)

router = APIRouter(prefix="/api/v1")

Q = SearchQuery


@router.get("/countries", tags=["reference"])
def list_countries(
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    union_state: bool | None = None,
    q: Q = None,
) -> Page[CountryPublic]:
    result = service.page_countries(session, actor, params, union_state, q)
    return to_page(CountryPublic, result)


@router.get("/countries/{code}", tags=["reference"])
def get_country(
    code: Annotated[str, Path(pattern="^[A-Za-z]{2}$")], session: SessionDep, actor: ActorDep
) -> CountryPublic:
    return CountryPublic.model_validate(service.get_country(session, actor, code))


@router.get("/industries", tags=["reference"])
def list_industries(
    session: SessionDep, actor: ActorDep, params: ListDep, q: Q = None
) -> Page[IndustryPublic]:
    result = service.page_industries(session, actor, params, q)
    return to_page(IndustryPublic, result)


@router.get("/industries/{industry_id}", tags=["reference"])
def get_industry(industry_id: IdPath, session: SessionDep, actor: ActorDep) -> IndustryPublic:
    return IndustryPublic.model_validate(service.get_industry(session, actor, industry_id))


@router.get("/organizations", tags=["organizations"])
def list_organizations(
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    kind: OrganizationKind | None = None,
    country: CountryQuery = None,
    industry_id: IdQuery = None,
    q: Q = None,
) -> Page[OrganizationPublic]:
    result = service.list_organizations(
        session, actor, service.OrganizationFilter(kind, country, industry_id, q), params
    )
    return to_page(OrganizationPublic, result)


@router.get("/organizations/{org_id}", tags=["organizations"])
def get_organization(org_id: IdPath, session: SessionDep, actor: ActorDep) -> OrganizationPublic:
    return OrganizationPublic.model_validate(service.get_organization(session, actor, org_id))


def _program_public(program: Program, count: int) -> ProgramPublic:
    return ProgramPublic.model_validate(program).model_copy(update={"item_count": count})


@router.get("/programs", tags=["programs"])
def list_programs(
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    country: CountryQuery = None,
    industry_id: IdQuery = None,
    status: ProgramStatus | None = None,
    q: Q = None,
) -> Page[ProgramPublic]:
    result = service.list_programs(
        session, actor, service.ProgramFilter(country, industry_id, status, q), params
    )
    counts = service.item_counts(session, actor, (p.id for p in result.items))
    return Page[ProgramPublic](
        items=[_program_public(p, counts.get(p.id, 0)) for p in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
    )


@router.get("/programs/{program_id}", tags=["programs"])
def get_program(program_id: IdPath, session: SessionDep, actor: ActorDep) -> ProgramPublic:
    program = service.get_program(session, actor, program_id)
    return _program_public(program, len(program.items))


@router.post("/programs", status_code=status.HTTP_201_CREATED, tags=["programs"])
def create_program(data: ProgramCreate, session: SessionDep, actor: ActorDep) -> ProgramPublic:
    return _program_public(service.create_program(session, actor, data), 0)


@router.patch("/programs/{program_id}", tags=["programs"])
def update_program(
    program_id: IdPath, data: ProgramUpdate, session: SessionDep, actor: ActorDep
) -> ProgramPublic:
    program = service.update_program(session, actor, program_id, data)
    return _program_public(program, len(program.items))


@router.get("/program-items", tags=["programs"])
def list_program_items(
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    program_id: IdQuery = None,
    country: CountryQuery = None,
    tnved: CodePrefixQuery = None,
    q: Q = None,
) -> Page[ProgramItemPublic]:
    result = service.list_items(
        session, actor, service.ItemFilter(program_id, country, tnved, q), params
    )
    return to_page(ProgramItemPublic, result)


@router.get("/program-items/{item_id}", tags=["programs"])
def get_program_item(item_id: IdPath, session: SessionDep, actor: ActorDep) -> ProgramItemPublic:
    return ProgramItemPublic.model_validate(service.get_item(session, actor, item_id))


@router.post("/programs/{program_id}/items", status_code=status.HTTP_201_CREATED, tags=["programs"])
def create_program_item(
    program_id: IdPath, data: ProgramItemCreate, session: SessionDep, actor: ActorDep
) -> ProgramItemPublic:
    return ProgramItemPublic.model_validate(service.create_item(session, actor, program_id, data))


@router.patch("/program-items/{item_id}", tags=["programs"])
def update_program_item(
    item_id: IdPath, data: ProgramItemUpdate, session: SessionDep, actor: ActorDep
) -> ProgramItemPublic:
    return ProgramItemPublic.model_validate(service.update_item(session, actor, item_id, data))


@router.get("/capabilities", tags=["capabilities"])
def list_capabilities(
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    enterprise_id: IdQuery = None,
    country: CountryQuery = None,
    tnved: CodePrefixQuery = None,
    q: Q = None,
) -> Page[CapabilityPublic]:
    result = service.list_capabilities(
        session, actor, service.CapabilityFilter(enterprise_id, country, tnved, q), params
    )
    return to_page(CapabilityPublic, result)


@router.get("/capabilities/{capability_id}", tags=["capabilities"])
def get_capability(capability_id: IdPath, session: SessionDep, actor: ActorDep) -> CapabilityPublic:
    return CapabilityPublic.model_validate(service.get_capability(session, actor, capability_id))


@router.post("/capabilities", status_code=status.HTTP_201_CREATED, tags=["capabilities"])
def create_capability(
    data: CapabilityCreate, session: SessionDep, actor: ActorDep
) -> CapabilityPublic:
    return CapabilityPublic.model_validate(service.create_capability(session, actor, data))


@router.patch("/capabilities/{capability_id}", tags=["capabilities"])
def update_capability(
    capability_id: IdPath, data: CapabilityUpdate, session: SessionDep, actor: ActorDep
) -> CapabilityPublic:
    return CapabilityPublic.model_validate(
        service.update_capability(session, actor, capability_id, data)
    )
