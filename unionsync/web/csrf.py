"""CSRF protection for every form post: a signed double-submit token.

The token sits in an HttpOnly cookie and in a hidden field of every form; a post must carry
both, equal, and signed with the server's secret key (so a cookie planted by another site on a
sibling domain does not pass).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request

from unionsync.core.errors import UnionSyncError

CSRF_COOKIE = "us_csrf"
CSRF_FIELD = "csrf_token"


class CsrfError(UnionSyncError):
    status = 403
    title = "Forbidden"


def _sign(secret_key: str, nonce: str) -> str:
    return hmac.new(secret_key.encode(), nonce.encode(), hashlib.sha256).hexdigest()[:32]


def new_token(secret_key: str) -> str:
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_sign(secret_key, nonce)}"


def is_signed(secret_key: str, token: str) -> bool:
    nonce, _, signature = token.partition(".")
    return bool(nonce) and hmac.compare_digest(signature, _sign(secret_key, nonce))


def token_for(request: Request) -> str:
    """The token to put in this page's forms (a new one is set as a cookie by `render`)."""
    secret_key: str = request.app.state.secret_key
    current = request.cookies.get(CSRF_COOKIE)
    if current and is_signed(secret_key, current):
        return current
    fresh: str = getattr(request.state, "new_csrf", None) or new_token(secret_key)
    request.state.new_csrf = fresh
    return fresh


async def verify_csrf(request: Request) -> None:
    """Router-level guard for pages: every POST must carry the form token matching the cookie."""
    if request.method != "POST":
        return
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    cookie = request.cookies.get(CSRF_COOKIE)
    secret_key: str = request.app.state.secret_key
    if not (
        isinstance(sent, str)
        and cookie
        and hmac.compare_digest(sent, cookie)
        and is_signed(secret_key, cookie)
    ):
        raise CsrfError(
            "the form is out of date or was not sent by this site; reload the page and try again"
        )
