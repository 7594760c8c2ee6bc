"""Pages that belong to no room: language switch, vendor assets, error pages."""

from __future__ import annotations

from pathlib import Path

import plotly
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from unionsync.api.problems import domain_error, http_error
from unionsync.core.errors import NotFoundError, UnionSyncError
from unionsync.web.i18n import LANGUAGES, gettext
from unionsync.web.pages import LANG_COOKIE, render

router = APIRouter(include_in_schema=False)
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


@router.get("/healthz")
def health() -> dict[str, str]:
    return {"status": "ok"}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def http_error_page(request: Request, exc: Exception) -> Response:
    """problem+json for the API, an HTML page for people."""
    if _is_api(request) or not isinstance(exc, StarletteHTTPException):
        return await http_error(request, exc)
    titles = {404: gettext("Page not found"), 405: gettext("Not allowed")}
    return render(
        request,
        None,
        "error.html",
        status_code=exc.status_code,
        title=titles.get(exc.status_code, gettext("Error")),
        detail=str(exc.detail),
    )


async def domain_error_page(request: Request, exc: Exception) -> Response:
    if _is_api(request) or not isinstance(exc, UnionSyncError):
        return await domain_error(request, exc)
    title = gettext("Not found") if isinstance(exc, NotFoundError) else gettext("Error")
    return render(request, None, "error.html", status_code=exc.status, title=title, detail=str(exc))
