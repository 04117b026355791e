"""The error types of the API and their one mapping to the contract's JSON.

`ApiError` derives from Chalice's `ChaliceUnhandledError` so that Chalice lets it through to the
error middleware in app.py instead of answering with its own format.
"""

from __future__ import annotations

from typing import Any, ClassVar

from chalice.app import ChaliceUnhandledError, Response


class ApiError(ChaliceUnhandledError):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}

    def as_response(self) -> Response:
        return error_response(self.status, self.code, self.message, self.details)


class BadRequestError(ApiError):
    status, code = 400, "bad_request"


class UnauthorizedError(ApiError):
    status, code = 401, "unauthorized"


class ForbiddenError(ApiError):
    status, code = 403, "forbidden"


class NotFoundError(ApiError):
    status, code = 404, "not_found"


class ConflictError(ApiError):
    status, code = 409, "conflict"


class PayloadTooLargeError(ApiError):
    status, code = 413, "payload_too_large"


class UnsupportedMediaTypeError(ApiError):
    status, code = 415, "unsupported_media_type"


class ValidationError(ApiError):
    status, code = 422, "invalid"

    def __init__(self, fields: dict[str, str], message: str = "some values are invalid") -> None:
        super().__init__(message, {"fields": fields})
        self.fields = fields


class ServiceUnavailableError(ApiError):
    """AWS was slow, unreachable or throttling past the request's retry budget (aws.py): worth trying again."""

    status, code = 503, "service_unavailable"
    retry_after_seconds: ClassVar[int] = 2

    def as_response(self) -> Response:
        response = super().as_response()
        response.headers["Retry-After"] = str(self.retry_after_seconds)
        return response


def invalid(field: str, reason: str) -> ValidationError:
    return ValidationError({field: reason}, f"{field}: {reason}")


# Chalice answers a few requests itself (wrong method, unhandled exception); their codes in ours.
_CHALICE_CODES = {
    405: "method_not_allowed",
    415: "unsupported_media_type",
    400: "bad_request",
    500: "internal_error",
}


def error_response(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> Response:
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return Response(body=body, status_code=status, headers={"Content-Type": "application/json"})


def translate_chalice_error(response: Response) -> Response:
    """Chalice's own error bodies (`{"Code", "Message"}`) rewritten in the contract's format."""
    body = response.body
    if response.status_code >= 400 and isinstance(body, dict) and "Code" in body and "error" not in body:
        status = response.status_code
        code = _CHALICE_CODES.get(status, "error")
        message = "internal error" if status >= 500 else str(body.get("Message", code))
        translated = error_response(status, code, message)
        translated.headers = {**response.headers, **translated.headers}
        return translated
    return response
