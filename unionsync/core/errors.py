"""Named domain errors; the API turns them into problem+json in one place.

UnionSyncError
├── NotFoundError      a record that does not exist (404)
├── ConflictError      a duplicate or a stale version (409)
└── DomainValidationError  input that breaks a rule (422), with field errors
"""

from __future__ import annotations

from dataclasses import dataclass, field


class UnionSyncError(Exception):
    """Base of every error the domain raises on purpose."""

    status = 400
    title = "Bad request"


class NotFoundError(UnionSyncError):
    status = 404
    title = "Not found"

    def __init__(self, entity: str, key: object) -> None:
        super().__init__(f"{entity} {key!r} does not exist")
        self.entity = entity
        self.key = key


class ConflictError(UnionSyncError):
    status = 409
    title = "Conflict"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One rule broken by one field."""

    field: str
    message: str
    value: object = None


@dataclass
class DomainValidationError(UnionSyncError):
    """Input that breaks domain rules; carries every field error found."""

    errors: list[FieldError] = field(default_factory=list)
    status = 422
    title = "Invalid input"

    def __str__(self) -> str:
        return "; ".join(f"{e.field}: {e.message}" for e in self.errors)
