"""Errors as RFC 9457 problem details (`application/problem+json`), in one place for the API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from unionsync.core.errors import DomainValidationError, NotFoundError, UnionSyncError

PROBLEM_TYPE = "https://unionsync.invalid/problems/"
MEDIA_TYPE = "application/problem+json"


def problem(
    status: int,
    title: str,
    detail: str,
    instance: str,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
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
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


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
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return problem(exc.status_code, title, str(exc.detail), request.url.path, headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at this path (Starlette names only the first route's:
    `GET` for a path that also takes `POST`)."""
    table = getattr(request.app.state, "method_table", None)
    if table is None:
        table = request.app.state.method_table = [
            (context.path_regex, context.methods or set())
            for context in iter_route_contexts(request.app.routes)
            if hasattr(context, "path_regex")
        ]
    path = request.url.path
    found = {m for regex, methods in table if regex.match(path) for m in methods}
    return sorted(found | ({"HEAD"} if "GET" in found else set()))


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An error as RFC 9457 problem details.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": ["string", "null"]},
        "entity": {"type": "string", "description": "the kind of record not found (404)"},
        "errors": {
            "type": "array",
            "description": "every field at fault (422)",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "value": {},
                },
            },
        },
    },
}
ERRORS = {
    400: "The address or its query holds a control character",
    401: "No valid bearer token",
    403: "The token's user may not do this",
    404: "No such record",
    409: "A conflict: a duplicate, a stale version, or a state that does not allow this",
    413: "The request body is too large",
    422: "Invalid input: every field at fault is listed",
    500: "An unexpected error (logged); the body is still a problem",
    503: "The server is busy (no database connection came free in time); see Retry-After",
}


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with every API operation's error answers: problem+json bodies
    (FastAPI's default 422 shape is not what this API sends)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    reference = {"$ref": "#/components/schemas/Problem"}
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses[str(status)] = {
                    "description": description,
                    "content": {MEDIA_TYPE: {"schema": reference}},
                }
    return schema
