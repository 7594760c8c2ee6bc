"""argon2id password hashing and random secrets (tokens, session ids)."""

from __future__ import annotations

import hashlib
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when `password` matches; never raises on a wrong password or a damaged hash."""
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def dummy_hash() -> str:
    """Verifying against this keeps the time of "no such user" equal to "wrong password"."""
    return _HASHER.hash("not-a-password-" + secrets.token_hex(8))


def new_secret(prefix: str) -> str:
    """A random secret of 256 bits, prefixed so a leaked one is recognisable (`ust_…`)."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def digest(secret: str) -> str:
    """What is stored for a high-entropy secret: its SHA-256 (no slow hash needed)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
