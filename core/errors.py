"""The one error type services raise, mapped once to pages (core.middleware) and once to
the API (api.exceptions).

A service raises a subclass of `ServiceError` when a request cannot be carried out as asked:
the message is for the person, `field` names the input it is about (None: the request as a
whole), and `status` is the HTTP status both mappings answer with.
"""

from __future__ import annotations


class ServiceError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message, *, field: str | None = None, errors: dict | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        # Several messages at once, by field (None for the request as a whole).
        self.errors = errors if errors is not None else {field: [message]}

    def as_dict(self) -> dict[str, list[str]]:
        """Messages by field, "non_field_errors" for the request as a whole (DRF's name)."""
        return {
            (name or "non_field_errors"): [str(m) for m in messages]
            for name, messages in self.errors.items()
        }


class InvalidInput(ServiceError):
    """The input breaks a rule (a date out of order, a value out of range)."""


class Forbidden(ServiceError):
    """The person may see the object but the rules do not let them make this change (for
    example, acknowledging their own update)."""

    status = 403
    code = "forbidden"


class Conflict(ServiceError):
    """The object changed or is in a state that does not allow this (a stale version, a
    second identical request, a limit reached)."""

    status = 409
    code = "conflict"
