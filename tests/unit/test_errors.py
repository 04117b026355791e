"""Error answers, as pure logic: the domain's errors mapped to the contract's one error shape, and Chalice's own
error bodies rewritten in it (http.error_answer, http.error_response, http.translate_chalice_error)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from chalice.app import Response

import chalicelib
from chalicelib import errors
from chalicelib.http import ERROR_ANSWERS, error_answer, error_response, translate_chalice_error
from chalicelib.tracking.events import SessionEndedError

JSON = {"Content-Type": "application/json"}


def test_an_error_answer_is_code_message_and_details() -> None:
    response = error_response(409, "conflict", "already recorded", {"call_id": "c1"})
    assert (response.status_code, response.headers) == (409, JSON)
    assert response.body == {"error": {"code": "conflict", "message": "already recorded", "details": {"call_id": "c1"}}}
    assert error_response(404, "not_found", "no such call").body["error"]["details"] == {}


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (errors.BadRequestError("x"), 400, "bad_request"),
        (errors.UnauthorizedError("x"), 401, "unauthorized"),
        (errors.ForbiddenError("x"), 403, "forbidden"),
        (errors.NotFoundError("x"), 404, "not_found"),
        (errors.ConflictError("x"), 409, "conflict"),
        (errors.PayloadTooLargeError("x"), 413, "payload_too_large"),
        (errors.UnsupportedMediaTypeError("x"), 415, "unsupported_media_type"),
        (SessionEndedError("x"), 409, "session_ended"),
        (errors.ApiError("x"), 500, "internal_error"),
    ],
)
def test_each_error_type_answers_its_status_and_code(error: errors.ApiError, status: int, code: str) -> None:
    response = error_answer(error)
    assert response.status_code == status
    assert response.body == {"error": {"code": code, "message": "x", "details": {}}}
    assert "Retry-After" not in response.headers


def test_service_unavailable_is_503_saying_when_to_try_again() -> None:
    response = error_answer(errors.ServiceUnavailableError("AWS is throttling; try again shortly"))
    assert (response.status_code, response.headers["Retry-After"]) == (503, "2")
    assert response.body["error"]["code"] == "service_unavailable"


def test_a_subclass_answers_as_its_nearest_mapped_ancestor() -> None:
    class CallNotFoundError(errors.NotFoundError):
        pass

    assert error_answer(CallNotFoundError("no such call")).status_code == 404


def test_every_error_type_of_the_domain_has_its_answer() -> None:
    """A new ApiError subclass without an entry (or a mapped ancestor) in http.ERROR_ANSWERS would answer 500."""
    for module in pkgutil.walk_packages(chalicelib.__path__, "chalicelib."):
        importlib.import_module(module.name)
    pending, unmapped = list(errors.ApiError.__subclasses__()), []
    while pending:
        kind = pending.pop()
        pending += kind.__subclasses__()
        if next(ancestor for ancestor in kind.__mro__ if ancestor in ERROR_ANSWERS) is errors.ApiError:
            unmapped.append(kind.__qualname__)
    assert unmapped == []


def test_an_invalid_field_is_422_naming_the_field_and_its_reason() -> None:
    response = error_answer(errors.invalid("caller", "not a phone number"))
    assert response.status_code == 422
    assert response.body == {
        "error": {
            "code": "invalid",
            "message": "caller: not a phone number",
            "details": {"fields": {"caller": "not a phone number"}},
        }
    }


@pytest.mark.parametrize(
    ("status", "chalice_code", "message", "code"),
    [
        (405, "MethodNotAllowedError", "Unsupported method: PUT", "method_not_allowed"),
        (415, "UnsupportedMediaType", "Unsupported media type: text/plain", "unsupported_media_type"),
        (400, "BadRequest", "Error Parsing JSON", "bad_request"),
        (404, "NotFoundError", "no route", "error"),  # a status Chalice has no code of ours for
    ],
)
def test_chalices_own_error_bodies_are_rewritten_in_the_contracts_format(
    status: int, chalice_code: str, message: str, code: str
) -> None:
    answer = Response(body={"Code": chalice_code, "Message": message}, status_code=status, headers={"Allow": "GET"})
    translated = translate_chalice_error(answer)
    assert translated.status_code == status
    assert translated.body == {"error": {"code": code, "message": message, "details": {}}}
    assert translated.headers == {"Allow": "GET", **JSON}  # Chalice's headers are kept


@pytest.mark.parametrize("status", [500, 502])
def test_a_server_errors_message_never_leaks(status: int) -> None:
    answer = Response(body={"Code": "InternalServerError", "Message": "KeyError: 'secret_hash'"}, status_code=status)
    translated = translate_chalice_error(answer)
    assert translated.status_code == status
    assert translated.body == {
        "error": {"code": "internal_error" if status == 500 else "error", "message": "internal error", "details": {}}
    }


@pytest.mark.parametrize(
    "answer",
    [
        Response(body={"call_id": "c1"}, status_code=200),
        Response(body={"Code": "looks like Chalice's", "Message": "but succeeded"}, status_code=200),
        error_response(404, "not_found", "call c1 not found"),
        Response(body="plain text", status_code=500),
    ],
    ids=["success", "success with a Code field", "already ours", "not a JSON object"],
)
def test_other_answers_pass_through_untouched(answer: Response) -> None:
    assert translate_chalice_error(answer) is answer
