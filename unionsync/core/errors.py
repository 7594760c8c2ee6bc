"""Named domain errors; the API turns them into problem+json in one place.

UnionSyncError
├── NotFoundError      a record that does not exist (404)
├── ConflictError      a duplicate or a stale version (409)
├── BusyError          no database connection free in time (503, Retry-After)
│   └── ResultPendingError  a shared result is being computed for the first time (503)
└── DomainValidationError  input that breaks a rule (422), with field errors
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from unionsync.core.messages import Message


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


class BusyError(UnionSyncError):
    """The server is saturated (no database connection came free in time): retry shortly."""

    status = 503
    title = "Service busy"
    retry_after = 5


class ResultPendingError(BusyError):
    """A result the background job computes (an allocation over every item) does not exist
    yet: the request is answered at once instead of computing it for minutes."""

    title = "Being computed"

    def __init__(self, key: str) -> None:
        super().__init__(
            f"the result {key!r} is being computed for the current data; "
            f"this page will be ready in a moment"
        )
        self.key = key


@dataclass(frozen=True, slots=True)
class FieldError:
    """One rule broken by one field; `text`, when given, lets a page show it translated."""

    field: str
    message: str
    value: object = None
    text: Message | None = None

    @classmethod
    def explained(cls, field: str, text: Message, value: object = None) -> FieldError:
        return cls(field, str(text), value, text)

    def localized(self, translate: Any) -> str:
        """The message in the language `translate` speaks."""
        return self.text.render(translate) if self.text is not None else self.message


@dataclass
class DomainValidationError(UnionSyncError):
    """Input that breaks domain rules; carries every field error found."""

    errors: list[FieldError] = field(default_factory=list)
    status = 422
    title = "Invalid input"

    def __str__(self) -> str:
        return "; ".join(f"{e.field}: {e.message}" for e in self.errors)
