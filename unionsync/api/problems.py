"""Errors as RFC 9457 problem details (`application/problem+json`), in one place for the API."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from unionsync.core.errors import DomainValidationError, NotFoundError, UnionSyncError

PROBLEM_TYPE = "https://unionsync.invalid/problems/"
MEDIA_TYPE = "application/problem+json"


def problem(status: int, title: str, detail: str, instance: str, **extra: Any) -> JSONResponse:
    """A problem+json response."""
    slug = title.lower().replace(" ", "-")
    body = {
        "type": PROBLEM_TYPE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)


async def domain_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, UnionSyncError):
        raise exc
    extra: dict[str, Any] = {}
    if isinstance(exc, DomainValidationError):
        extra["errors"] = [
            {"field": e.field, "message": e.message, "value": _jsonable(e.value)}
            for e in exc.errors
        ]
    if isinstance(exc, NotFoundError):
        extra["entity"] = exc.entity
    return problem(exc.status, exc.title, str(exc), request.url.path, **extra)


async def validation_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, RequestValidationError):
        raise exc
    errors = [
        {
            "field": ".".join(str(p) for p in e["loc"]),
            "message": e["msg"],
            "value": _jsonable(e.get("input")),
        }
        for e in exc.errors()
    ]
    return problem(
        422, "Invalid input", f"{len(errors)} field(s) are invalid", request.url.path, errors=errors
    )


async def http_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, StarletteHTTPException):
        raise exc
    title = {
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not found",
        405: "Method not allowed",
    }.get(exc.status_code, "Error")
    return problem(exc.status_code, title, str(exc.detail), request.url.path)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)
