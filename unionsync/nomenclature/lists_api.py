"""JSON API and pages of code lists: see them, test codes against them, edit them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from unionsync.access.deps import ActorDep
from unionsync.access.policy import Action, Kind, can
from unionsync.api.deps import SessionDep
from unionsync.core.schemas import IdPath
from unionsync.nomenclature import lists
from unionsync.web.pages import render

router = APIRouter(prefix="/api/v1/code-lists", tags=["nomenclature"])
pages = APIRouter(include_in_schema=False)


class EntryPublic(BaseModel):
    id: int
    written: str
    first: str
    last: str
    ex: bool
    note: str | None


class CodeListPublic(BaseModel):
    code: str
    name: str
    owner: str
    entries: list[EntryPublic]


class MembershipPublic(BaseModel):
    code: str
    member: bool


def _public(code_list: object) -> CodeListPublic:
    return CodeListPublic.model_validate(code_list, from_attributes=True)


@router.get("")
def code_lists(session: SessionDep, actor: ActorDep) -> list[CodeListPublic]:
    return [_public(c) for c in lists.all_lists(session, actor)]


@router.get("/{code}")
def code_list(code: str, session: SessionDep, actor: ActorDep) -> CodeListPublic:
    return _public(lists.get_list(session, actor, code))


@router.get("/{code}/contains")
def contains(
    code: str,
    session: SessionDep,
    actor: ActorDep,
    tnved: Annotated[
        list[Annotated[str, Field(pattern=r"^[0-9 .]{1,20}$")]],
        Query(max_length=1000, description="Codes to test (repeat the parameter)"),
    ],
) -> list[MembershipPublic]:
    """Which of the given codes the list covers."""
    index = lists.index_of(lists.get_list(session, actor, code))
    clean = [c.replace(" ", "").replace(".", "") for c in tnved]
    flags = index.contains(clean)
    return [MembershipPublic(code=c, member=bool(f)) for c, f in zip(clean, flags, strict=True)]


@pages.get("/code-lists", response_class=HTMLResponse)
def lists_page(request: Request, session: SessionDep, actor: ActorDep) -> HTMLResponse:
    return render(
        request,
        session,
        "nomenclature/lists.html",
        active="nomenclature",
        lists=lists.all_lists(session, actor),
    )


@pages.get("/code-lists/{code}", response_class=HTMLResponse)
def list_page(
    request: Request, code: str, session: SessionDep, actor: ActorDep, check: str | None = None
) -> HTMLResponse:
    code_list = lists.get_list(session, actor, code)
    verdict = None
    if check:
        cleaned = check.replace(" ", "").replace(".", "")
        verdict = (cleaned, cleaned.isdigit() and cleaned in lists.index_of(code_list))
    return render(
        request,
        session,
        "nomenclature/list.html",
        active="nomenclature",
        code_list=code_list,
        verdict=verdict,
        may_edit=can(actor, Action.UPDATE, Kind.CODE_LIST, owner=code_list.owner),
    )


@pages.post("/code-lists/{code}/entries")
def add_entry(
    code: str,
    session: SessionDep,
    actor: ActorDep,
    written: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> Response:
    """Add codes, ranges or «из» entries as written (errors come back as a page)."""
    lists.add_entries(session, actor, lists.get_list(session, actor, code), written, note or None)
    return RedirectResponse(f"/code-lists/{code}", status_code=303)


@pages.post("/code-lists/{code}/entries/{entry_id}/delete")
def delete_entry(code: str, entry_id: IdPath, session: SessionDep, actor: ActorDep) -> Response:
    lists.remove_entry(session, actor, lists.get_list(session, actor, code), entry_id)
    return RedirectResponse(f"/code-lists/{code}", status_code=303)
