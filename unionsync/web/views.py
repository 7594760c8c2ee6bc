"""Pages that belong to no room: language switch, vendor assets, error pages."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote, urlsplit

import fastapi_offline
import plotly
from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from unionsync.access.policy import ANONYMOUS, NotAuthenticatedError, PermissionDeniedError
from unionsync.api.problems import domain_error, http_error, validation_error
from unionsync.core.errors import (
    BusyError,
    ConflictError,
    DomainValidationError,
    NotFoundError,
    ResultPendingError,
    UnionSyncError,
)
from unionsync.web.csrf import CsrfError
from unionsync.web.i18n import LANGUAGES, N_, gettext
from unionsync.web.labels import denial, field_label, missing
from unionsync.web.pages import LANG_COOKIE, render, use_language

router = APIRouter(include_in_schema=False)
log = logging.getLogger("unionsync.errors")
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
ONE_YEAR = 365 * 24 * 3600


@router.get("/lang/{language}")
def switch_language(language: str, next: str = "/") -> Response:
    """Remember the language in a cookie and go back (only to a local path)."""
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    if language in LANGUAGES:
        response.set_cookie(LANG_COOKIE, language, max_age=ONE_YEAR, samesite="lax", httponly=True)
    return response


@router.get("/static/vendor/plotly.min.js")
def plotly_js() -> FileResponse:
    """plotly.js as shipped inside the installed `plotly` wheel: no CDN, works offline."""
    return FileResponse(
        PLOTLY_JS, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"}
    )


SWAGGER_DIR = Path(fastapi_offline.__file__).parent / "static"
VENDOR_FILES = {
    "swagger-ui-bundle.js": (SWAGGER_DIR / "swagger-ui-bundle.js", "text/javascript"),
    "swagger-ui.css": (SWAGGER_DIR / "swagger-ui.css", "text/css"),
}


@router.get("/static/vendor/{name}")
def vendor_file(name: str) -> FileResponse:
    """Swagger UI as shipped inside the installed `fastapi-offline` package (no CDN)."""
    found = VENDOR_FILES.get(name)
    if found is None:
        raise StarletteHTTPException(404, f"no vendor file {name}")
    return FileResponse(
        found[0], media_type=found[1], headers={"Cache-Control": "public, max-age=86400"}
    )


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """Interactive API documentation (Swagger UI), served offline and without inline scripts."""
    return render(request, None, "api_docs.html")


@router.get("/healthz")
def health() -> dict[str, str]:
    return {"status": "ok"}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def http_error_page(request: Request, exc: Exception) -> Response:
    """problem+json for the API, an HTML page for people."""
    if _is_api(request) or not isinstance(exc, StarletteHTTPException):
        return await http_error(request, exc)
    use_language(request)  # the titles below are translated for this request's reader
    titles = {404: gettext("Page not found"), 405: gettext("Not allowed")}
    details = {
        404: gettext("There is no page at this address. Check the link."),
        405: gettext("This address does not answer that kind of request."),
    }
    response = render(
        request,
        None,
        "error.html",
        status_code=exc.status_code,
        title=titles.get(exc.status_code, gettext("Error")),
        detail=details.get(exc.status_code, str(exc.detail)),
        back=_back(request),
    )
    response.headers.update(exc.headers or {})
    return response


async def validation_error_page(request: Request, exc: Exception) -> Response:
    """A query or form a page cannot use: problem+json for the API, for people a page that
    names the fields (`?page=abc` is a sentence, not raw JSON)."""
    if _is_api(request) or not isinstance(exc, RequestValidationError):
        return await validation_error(request, exc)
    use_language(request)
    problems = []
    for error in exc.errors():
        if not error.get("loc"):
            continue
        field = str(error["loc"][-1])
        limits = error.get("ctx") or {}
        reason = REASONS.get(str(error.get("type")), N_("this value cannot be used"))
        value = error.get("input")
        shown = f" («{str(value)[:40]}»)" if isinstance(value, str | int) else ""
        problems.append(
            f"{field_label(field)}{shown}: "
            + gettext(reason)
            % {"limit": next(iter(limits.values()), "")}  # ge, gt, le, lt or max_length
        )
    return render(
        request,
        None,
        "error.html",
        status_code=422,
        title=gettext("Invalid input"),
        detail=gettext("The page cannot be shown with these values:"),
        problems=sorted(set(problems)),
        back=_back(request),
    )


# why a query value was refused (pydantic's error types), in the reader's words
REASONS = {
    "int_parsing": N_("must be a whole number"),
    "int_type": N_("must be a whole number"),
    "float_parsing": N_("must be a number"),
    "decimal_parsing": N_("must be a number"),
    "greater_than_equal": N_("must be at least %(limit)s"),
    "greater_than": N_("must be more than %(limit)s"),
    "less_than_equal": N_("must be at most %(limit)s"),
    "less_than": N_("must be less than %(limit)s"),
    "string_too_long": N_("is too long: at most %(limit)s characters"),
    "string_pattern_mismatch": N_("has a form this page does not know"),
    "enum": N_("is not one of the values offered"),
    "literal_error": N_("is not one of the values offered"),
    "missing": N_("is required"),
    "bool_parsing": N_("must be yes or no"),
    "date_from_datetime_parsing": N_("must be a date"),
    "date_parsing": N_("must be a date"),
}


async def integrity_error_page(request: Request, exc: Exception) -> Response:
    """Two writers raced for the same unique value (a passport number, a position): the later
    one is refused with 409 and its transaction rolled back; nothing half-written remains."""
    conflict = ConflictError(
        "another change saved a record with the same key at the same time; nothing was saved, "
        "try again"
    )
    log.warning("integrity error answered with 409 on %s: %s", request.url.path, exc)
    return await domain_error_page(request, conflict)


async def busy_page(request: Request, exc: Exception) -> Response:
    """Every database connection of this process stayed busy for the pool's timeout: 503 with
    Retry-After (the client should come back), not a 500."""
    log.warning("no database connection free in time on %s: %s", request.url.path, exc)
    response = await domain_error_page(
        request, BusyError("the server is busy; try again in a few seconds")
    )
    response.headers["Retry-After"] = str(BusyError.retry_after)
    return response


async def operational_error_page(request: Request, exc: Exception) -> Response:
    """SQLite gave up waiting for another writer's lock ("database is locked"): the same 503
    with Retry-After as a full pool. Any other operational error is a fault: re-raised, it
    becomes the guard's logged 500."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "database is locked" in text or "database is busy" in text:
        return await busy_page(request, exc)
    raise exc


def last_resort_page(scope: Scope, status: int) -> bytes:
    """The HTML page of an error no handler answered (a bug, a refused address or body): the
    layout when it can be rendered, a plain page when even that fails."""
    request = Request(scope)
    try:
        use_language(request)
        titles = {
            400: gettext("The address cannot be used"),
            413: gettext("The file or form is too large"),
        }
        details = {
            400: gettext("The address holds a control character. Check the link."),
            413: gettext("Send a smaller file or form."),
        }
        page = render(
            request,
            None,
            "error.html",
            status_code=status,
            title=titles.get(status, gettext("Something went wrong")),
            detail=details.get(
                status, gettext("The error has been logged. Try again, or tell the administrator.")
            ),
        )
        return bytes(page.body)
    except Exception:  # the layout itself failed: still answer with a page
        return b"<!doctype html><meta charset=utf-8><title>Error</title><h1>Error</h1>"


async def domain_error_page(request: Request, exc: Exception) -> Response:
    """problem+json for the API (401 with a Bearer challenge); pages redirect to sign in."""
    if _is_api(request) or not isinstance(exc, UnionSyncError):
        response = await domain_error(request, exc)
        if isinstance(exc, NotAuthenticatedError):
            response.headers["WWW-Authenticate"] = 'Bearer realm="unionsync"'
        if isinstance(exc, BusyError):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, NotAuthenticatedError):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    use_language(request)
    if isinstance(exc, ResultPendingError):  # the job computes it: this page reloads by itself
        page = render(
            request,
            None,
            "error.html",
            status_code=exc.status,
            title=gettext("Being computed"),
            detail=gettext(
                "The figures of this page are being computed for the current data. "
                "The page reloads by itself in a few seconds."
            ),
            reload_seconds=exc.retry_after,
        )
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    titles = {
        NotFoundError: gettext("Not found"),
        PermissionDeniedError: gettext("Access denied"),
        CsrfError: gettext("Access denied"),
    }
    title = titles.get(type(exc), gettext("Error"))
    detail = str(exc)
    problems: list[str] = []
    if isinstance(exc, PermissionDeniedError):
        detail = denial(exc, getattr(request.state, "actor", ANONYMOUS))
    elif isinstance(exc, NotFoundError):
        detail = missing(exc)
    elif isinstance(exc, DomainValidationError):  # each field's reason in the reader's language
        title = gettext("Invalid input")
        detail = gettext("Nothing was changed; correct these values:")
        problems = [f"{field_label(e.field)}: {e.localized(gettext)}" for e in exc.errors]
    return render(
        request,
        None,
        "error.html",
        status_code=exc.status,
        title=title,
        detail=detail,
        problems=problems,
        back=_back(request),
    )


def _back(request: Request) -> str | None:
    """The page the reader came from on this site (to go back to it), if the browser said."""
    referer = request.headers.get("referer", "")
    parsed = urlsplit(referer)
    if not referer or parsed.netloc != request.url.netloc or parsed.path == request.url.path:
        return None
    return parsed.path + (f"?{parsed.query}" if parsed.query else "")
