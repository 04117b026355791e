"""The domain's errors: plain Python exceptions, raised where the fact is known, free of HTTP.

The HTTP edge turns them into the contract's error answers in one place (chalicelib/http.py, `ERROR_ANSWERS`);
a queue handler sees them as the exceptions they are (its message is tried again), the CLI prints their message.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """What the caller should be told: a message, and details the contract's error format carries."""

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class BadRequestError(ApiError):
    pass


class UnauthorizedError(ApiError):
    pass


class ForbiddenError(ApiError):
    pass


class NotFoundError(ApiError):
    pass


class ConflictError(ApiError):
    pass


class NewPasswordRequiredError(ConflictError):
    """An invited person's first sign-in: they choose their own password, quoting `session` (Cognito's)."""

    def __init__(self, session: str) -> None:
        super().__init__("choose your own password to finish signing in", {"session": session})


class PayloadTooLargeError(ApiError):
    pass


class UnsupportedMediaTypeError(ApiError):
    pass


class ValidationError(ApiError):
    def __init__(self, fields: dict[str, str], message: str = "some values are invalid") -> None:
        super().__init__(message, {"fields": fields})
        self.fields = fields


class TooManyRequestsError(ApiError):
    """The caller must wait `retry_after` seconds (answered with Retry-After)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, {"retry_after": retry_after})
        self.retry_after = retry_after


class ServiceUnavailableError(ApiError):
    """AWS was slow, unreachable or throttling past the retry budget (aws.py): worth trying again later."""


def invalid(field: str, reason: str) -> ValidationError:
    return ValidationError({field: reason}, f"{field}: {reason}")
