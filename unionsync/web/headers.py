"""The outermost layer of every request (pure ASGI, so streaming is untouched).

- Security headers on every response, error responses included.
- Addresses and query strings holding control or direction characters (a NUL byte reaches
  PostgreSQL as an error) are refused with 400 before any handler runs.
- Request bodies are limited: `MAX_BODY` for JSON and forms, `MAX_UPLOAD` for file uploads;
  a larger body is refused with 413 as soon as its size is known, not after reading it.
- An exception no handler turned into a response becomes a logged 500 that is still
  `application/problem+json` for the API (an HTML page for people), with the headers above:
  never a bare `text/plain` traceback page.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from urllib.parse import unquote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from unionsync.core.validation import BAD_TEXT

log = logging.getLogger("unionsync.errors")

# Scripts only from our own origin (no inline scripts anywhere); plotly sets inline styles.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
MAX_BODY = 2 * 1024 * 1024  # a JSON document or a form: a passport with every table filled
MAX_UPLOAD = 20 * 1024 * 1024  # an Excel or CSV file on the upload page
UPLOAD_PATHS = ("/upload",)
PROBLEM = "https://unionsync.invalid/problems/"


class BodyTooLargeError(Exception):
    """The client sent more than the route accepts."""


class SecurityHeaders:
    """Headers, address checks, body limits and the last resort for unhandled errors."""

    def __init__(
        self, app: ASGIApp, error_page: Callable[[Scope, int], bytes] | None = None
    ) -> None:
        self.app = app
        self.error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = {name for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in HEADERS if n not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        refusal = _refusal(scope)
        if refusal is not None:
            await self._answer(scope, with_headers, *refusal)
            return
        try:
            await self.app(scope, _limited(scope, receive), with_headers)
        except BodyTooLargeError:
            if not started:
                await self._answer(scope, with_headers, 413, "Payload too large", _too_large(scope))
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await self._answer(
                    scope,
                    with_headers,
                    500,
                    "Internal server error",
                    "the server could not answer this request; it has been logged",
                )

    async def _answer(self, scope: Scope, send: Send, status: int, title: str, detail: str) -> None:
        """A problem+json answer for the API, an HTML page for people."""
        path = scope.get("path", "")
        if path.startswith("/api/") or self.error_page is None:
            body = json.dumps(
                {
                    "type": PROBLEM + title.lower().replace(" ", "-"),
                    "title": title,
                    "status": status,
                    "detail": detail,
                    "instance": path if BAD_TEXT.search(path) is None else None,
                },
                ensure_ascii=False,
            ).encode()
            media = b"application/problem+json"
        else:
            body, media = self.error_page(scope, status), b"text/html; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", media), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _refusal(scope: Scope) -> tuple[int, str, str] | None:
    """400 for an address or query with control characters; 413 for a declared large body."""
    query = scope.get("query_string", b"").decode("latin-1")
    for text in (scope.get("path", ""), unquote(query, errors="replace")):
        if BAD_TEXT.search(text) or "\t" in text or "\n" in text or "\r" in text:
            return (
                400,
                "Bad request",
                "the address or its query holds a control or direction character",
            )
    for name, value in scope.get("headers", []):
        if name == b"content-length" and (not value.isdigit() or int(value) > _limit(scope)):
            return 413, "Payload too large", _too_large(scope)
    return None


def _limit(scope: Scope) -> int:
    return MAX_UPLOAD + 64 * 1024 if scope.get("path") in UPLOAD_PATHS else MAX_BODY


def _too_large(scope: Scope) -> str:
    return f"the request body is larger than {_limit(scope) // 1024} KB"


def _limited(scope: Scope, receive: Receive) -> Receive:
    """`receive` that stops a body (chunked, or lying about its length) past the limit."""
    limit, seen = _limit(scope), 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLargeError()
        return message

    return wrapped
