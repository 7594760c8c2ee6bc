"""Rendering a page: the language, the demo marker and the layout's context in one place."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from unionsync import __version__
from unionsync.access.policy import ANONYMOUS, Action, Kind, Principal, can
from unionsync.core.errors import DomainValidationError, FieldError
from unionsync.core.messages import Message
from unionsync.core.meta import DEMO_KEY, get_meta
from unionsync.core.validation import MAX_ID, MAX_PAGE, NumberError, parse_decimal
from unionsync.web import csrf
from unionsync.web.i18n import current_language, pick_language

LANG_COOKIE = "lang"
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE)]


def validated_form(schema: Any, body: dict[str, Any]) -> Any:
    """A form's values through the API's schema: its messages, with the fields named."""
    try:
        return schema.model_validate(body)
    except ValidationError as error:
        found = [
            FieldError(".".join(str(p) for p in e["loc"]) or "form", e["msg"])
            for e in error.errors()
        ]
        raise DomainValidationError(found) from None


def form_numbers(form: dict[str, Any], *fields: str) -> dict[str, Any]:
    """The form's numbers as users write them (`1 250 000,50`), as exact decimals for the
    schema; a number that is not one is the field's error in the reader's language."""
    found = dict(form)
    for name in fields:
        try:
            number = parse_decimal(found.get(name), allow_negative=True)
        except NumberError as error:
            text = Message(error.template, **error.params)
            raise DomainValidationError(
                [FieldError.explained(name, text, found.get(name))]
            ) from None
        if number is not None:
            found[name] = str(number)
    return found


async def form_values(request: Request) -> dict[str, Any]:
    """A posted form's fields, trimmed, blanks as None, without the CSRF token."""
    form = await request.form()
    return {k: (str(v).strip() or None) for k, v in form.items() if k != "csrf_token"}


def blank_to_none(value: str | None) -> str | None:
    """Filter forms send empty strings for "all"; the services expect None."""
    return value or None


def int_or_none(value: str | None) -> int | None:
    """A numeric id filter from a form (empty, junk or out of range means no filter)."""
    if not value or not value.isascii() or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def request_language(request: Request) -> str:
    """`?lang=` first, then the cookie, then the configured default."""
    default = request.app.state.settings.default_language
    return pick_language(
        request.query_params.get("lang") or request.cookies.get(LANG_COOKIE), default
    )


def use_language(request: Request) -> str:
    """Make the request's language current for this handler (gettext, labels, numbers)."""
    language = request_language(request)
    current_language.set(language)
    return language


def render(
    request: Request,
    session: Session | None,
    template: str,
    *,
    active: str = "",
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The template in the request's language, inside the common layout."""
    env: Environment = request.app.state.templates
    language = use_language(request)
    demo = session is not None and get_meta(session, DEMO_KEY) is not None
    actor: Principal = getattr(request.state, "actor", ANONYMOUS)
    html = env.get_template(template).render(
        request=request,
        lang=language,
        demo=demo,
        version=__version__,
        active=active,
        actor=actor,
        may_view=lambda kind: can(actor, Action.VIEW, Kind(kind)),
        may_upload=can(actor, Action.CREATE, Kind.PROGRAM, owner=actor.country),
        csrf_token=csrf.token_for(request),
        request_path=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    remember_csrf(request, response)
    return response


def remember_csrf(request: Request, response: Response) -> None:
    """Set the CSRF cookie when this page issued a new token."""
    fresh = getattr(request.state, "new_csrf", None)
    if fresh:
        response.set_cookie(
            csrf.CSRF_COOKIE,
            fresh,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )


COUNTRY_COLORS = {"BY": "#1b7f4b", "RU": "#2359a8"}


def chart_layout(**extra: Any) -> dict[str, Any]:
    """The plotly layout every chart shares: transparent, the page's font, legend below, and
    the page's number style on axes and hovers («0,5» and «1 250» in Russian)."""
    return {
        "separators": ",\u00a0" if current_language.get() == "ru" else ".,",
        "margin": {"l": 60, "r": 20, "t": 10, "b": 40},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": "system-ui, sans-serif"},
        "legend": {"orientation": "h", "y": -0.2},
        **extra,
    }


def chart_data(figure: dict[str, Any]) -> Markup:
    """A chart's data as JSON safe to embed in a `<script type="application/json">` block."""
    text = json.dumps(figure, ensure_ascii=False, default=str)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


class RequestLanguage:
    """Makes the request's language current before any handler code runs: a handler that
    translated a label before calling `render` (which sets it too) got the default language,
    or in a reused worker thread another request's."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            current_language.set(request_language(Request(scope)))
        await self.app(scope, receive, send)
