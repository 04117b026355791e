"""The OpenAPI 3.1 document of the HTTP API, generated from the app's route table and the schemas.

Paths, methods and path parameters come from Chalice's `app.routes`; each view says what it takes and answers
with `@describe(...)` right under its `@bp.route(...)`, naming the models of chalicelib/schemas.py. Routes outside
`/v1` are the web app's pages and files, not the API, and stay out of the document.

Nothing is built at import time (cold starts): `document(app)` builds the document on first use and keeps it.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal, TypeVar

from chalice.app import Chalice, RouteEntry
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

from chalicelib import auth, http
from chalicelib.auth import ROLES_MAY, Permission, Role
from chalicelib.schemas import ErrorOut

View = TypeVar("View", bound=Callable[..., Any])

API_PREFIX = "/v1/"
SECURITY_SCHEME = "apiKey"
# the key as an HTTP Basic password, on the routes that take it (auth.require(..., basic=True))
BASIC_SECURITY_SCHEME = "apiKeyAsPassword"
# a signed-in person's session cookie (the web app), where any route but the public ones takes it
SESSION_SECURITY_SCHEME = "sessionCookie"
_REF = "#/components/schemas/{model}"

# The contract's error answers (DESIGN.md section 4), in the order the checks run.
ERRORS: dict[int, str] = {
    429: "throttled: past the stage's request rate, or the web ACL's rate on /v1/track/*; try again later",
    400: "malformed: the body is not a JSON object",
    401: "no API key, or not a valid one",
    403: "the role may not do this; or a signed-in change without the app's own `Origin`",
    413: "the body is too large",
    415: "the body is not JSON",
    422: "well-formed but invalid values (the body, the query, a phone number in the path); `details.fields` maps "
    "each bad field to its reason",
    404: "not found, or another project's",
    503: "AWS was slow or throttling (chalicelib/aws.py): try again after `Retry-After` seconds",
}
RETRY_AFTER = {"description": "seconds to wait before trying again", "schema": {"type": "integer", "minimum": 1}}


@dataclass(frozen=True)
class Operation:
    """What one view takes and answers. `may` None with `public` False: any valid key."""

    may: Permission | None = None
    public: bool = False
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    # a model (JSON), a media type (a body that is not JSON), or None (no body)
    returns: type[BaseModel] | str | None = None
    status: int = 200
    # further answers: another 2xx carries `returns` as well, a 3xx no body, a 4xx the error body
    also: Mapping[int, str] = field(default_factory=dict)
    # the headers an answer carries, by status: name -> what it says
    headers: Mapping[int, Mapping[str, str]] = field(default_factory=dict)
    # the key is also taken as an HTTP Basic password
    basic: bool = False
    # a signed-in person's session only (signing out, switching project): an API key answers 401
    people_only: bool = False


_OPERATIONS: dict[Callable[..., Any], Operation] = {}


def describe(
    *,
    may: Permission | None = None,
    public: bool = False,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    returns: type[BaseModel] | str | None = None,
    status: int = 200,
    also: Mapping[int, str] | None = None,
    headers: Mapping[int, Mapping[str, str]] | None = None,
    basic: bool = False,
    people_only: bool = False,
) -> Callable[[View], View]:
    """Declare a view's operation for the document; put it right under `@bp.route(...)`."""
    if public and may is not None:
        raise ValueError("a public route needs no permission")
    operation = Operation(
        may, public, body, query, returns, status, dict(also or {}), dict(headers or {}), basic, people_only
    )

    def record(view: View) -> View:
        _OPERATIONS[view] = operation
        return view

    return record


def described(view: Callable[..., Any]) -> Operation | None:
    # the route's view as registered, under the wrapper app.py puts on every view (http.answering_errors)
    return _OPERATIONS.get(inspect.unwrap(view, stop=lambda function: function in _OPERATIONS))


def api_routes(app: Chalice) -> list[RouteEntry]:
    """The routes of the API (not the web app's), in the order they were registered."""
    return [entry for path, methods in app.routes.items() if path.startswith(API_PREFIX) for entry in methods.values()]


@functools.cache
def document(app: Chalice) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `app`'s API routes (built once per app)."""
    routes = api_routes(app)
    operations = {id(entry): described(entry.view_function) or Operation() for entry in routes}
    schemas = _Schemas()
    schemas.add(ErrorOut, "serialization")
    for operation in operations.values():
        if operation.body:
            schemas.add(operation.body, "validation")
        if isinstance(operation.returns, type):
            schemas.add(operation.returns, "serialization")
    refs, components = schemas.build()
    error_ref = refs[(ErrorOut, "serialization")]

    paths: dict[str, dict[str, Any]] = {}
    tags: dict[str, str] = {}
    for entry in routes:
        operation = operations[id(entry)]
        tag = _tag(entry)
        tags.setdefault(tag, _first_paragraph(sys.modules[entry.view_function.__module__].__doc__))
        paths.setdefault(entry.uri_pattern, {})[entry.method.lower()] = _operation(
            entry, operation, tag, refs, components, error_ref
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "callcard",
            "version": "1",
            "description": "Call tracking: calls from the PBX, their cards, recordings, tracked visits and clients.",
        },
        "tags": [{"name": name, "description": text} for name, text in tags.items()],
        "paths": paths,
        "components": {
            "schemas": components,
            "responses": {
                _error_name(status): _answer(text, {"application/json": {"schema": error_ref}})
                | ({"headers": {"Retry-After": RETRY_AFTER}} if status == 503 else {})
                for status, text in ERRORS.items()
            },
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "an API key of the project (`cc_<key_id>_<secret>`); its role decides what it may",
                },
                BASIC_SECURITY_SCHEME: {
                    "type": "http",
                    "scheme": "basic",
                    "description": "the API key as the password (any user name), where a route takes it",
                },
                SESSION_SECURITY_SCHEME: {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": auth.SESSION_COOKIE,
                    "description": "a signed-in person's session (POST /v1/auth/sign-in); a request that changes "
                    "something must carry the app's own `Origin`",
                },
            },
        },
    }


Mode = Literal["validation", "serialization"]


class _Schemas:
    """The models of the document, in the mode each is used (requests validate, responses serialise)."""

    def __init__(self) -> None:
        self._models: dict[tuple[type[BaseModel], Mode], None] = {}

    def add(self, model: type[BaseModel], mode: Mode) -> None:
        self._models[(model, mode)] = None

    def build(self) -> tuple[dict[tuple[type[BaseModel], Mode], dict[str, Any]], dict[str, Any]]:
        refs, top = models_json_schema(list(self._models), ref_template=_REF, schema_generator=_RequestsWithoutDefaults)
        return {key: refs[key] for key in self._models}, dict(top.get("$defs", {}))


class _RequestsWithoutDefaults(GenerateJsonSchema):
    """Requests' optional fields carry no `default`: generators read one as "always there" (openapi-typescript makes
    such a field required, so a client that sets one field would send the others' defaults, `null`, which clears
    them). A field left out stays as it is; where a default is not "unchanged", the field's description says it."""

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        json_schema = super().default_schema(schema)
        if self.mode == "validation":
            json_schema.pop("default", None)
        return json_schema


def _operation(
    entry: RouteEntry,
    operation: Operation,
    tag: str,
    refs: Mapping[tuple[type[BaseModel], Mode], dict[str, Any]],
    components: dict[str, Any],
    error_ref: dict[str, Any],
) -> dict[str, Any]:
    view = entry.view_function
    out: dict[str, Any] = {
        "operationId": view.__name__,
        "summary": _first_paragraph(view.__doc__) or view.__name__.replace("_", " ").capitalize(),
        "tags": [tag],
    }
    if operation.public:
        out["security"] = []
    else:
        allowed = ROLES_MAY[operation.may] if operation.may else set(Role)
        key: list[dict[str, list[str]]] = [] if operation.people_only else [{SECURITY_SCHEME: []}]
        basic: list[dict[str, list[str]]] = [{BASIC_SECURITY_SCHEME: []}] if operation.basic else []
        out["security"] = [*key, {SESSION_SECURITY_SCHEME: []}, *basic]
        out["x-roles"] = [role.value for role in Role if role in allowed]
        out["description"] = "Roles: " + ", ".join(out["x-roles"]) + "."
    parameters = [_path_parameter(name) for name in entry.view_args]
    if operation.query:
        parameters += _query_parameters(operation.query, components)
    if parameters:
        out["parameters"] = parameters
    if operation.body:
        out["requestBody"] = {
            "required": any(field.is_required() for field in operation.body.model_fields.values()),
            "content": {"application/json": {"schema": refs[(operation.body, "validation")]}},
        }
    out["responses"] = _responses(entry, operation, refs, error_ref)
    return out


def _responses(
    entry: RouteEntry,
    operation: Operation,
    refs: Mapping[tuple[type[BaseModel], Mode], dict[str, Any]],
    error_ref: dict[str, Any],
) -> dict[str, Any]:
    returns = operation.returns
    content: dict[str, Any] | None = None
    if isinstance(returns, type):
        content = {"application/json": {"schema": refs[(returns, "serialization")]}}
    elif isinstance(returns, str):
        content = {returns: {"schema": {"type": "object" if returns.endswith("json") else "string"}}}
    answers: dict[int, dict[str, Any]] = {operation.status: _answer(HTTPStatus(operation.status).phrase, content)}
    path_refusals = {http.PATH_PARAMETERS[name].refused_with for name in entry.view_args}
    errors = [
        status
        for status in ERRORS
        if (status in (401, 403) and not operation.public)
        or (status in (400, 413, 415, 422) and operation.body)
        or (status == 422 and (operation.query or 422 in path_refusals))
        or (status == 404 and entry.view_args)
        or status in (429, 503)
    ]
    for status in errors:
        answers[status] = {"$ref": f"#/components/responses/{_error_name(status)}"}
    for status, text in operation.also.items():
        if status >= 400:
            text = f"{ERRORS[status]}; {text}" if status in errors else text
            answers[status] = _answer(text, {"application/json": {"schema": error_ref}})
        else:
            answers[status] = _answer(text, content if status < 300 else None)
    for status, headers in operation.headers.items():
        answers[status]["headers"] = {
            name: {"description": text, "schema": {"type": "string"}} for name, text in headers.items()
        }
    return {str(status): answers[status] for status in sorted(answers)}


def _path_parameter(name: str) -> dict[str, Any]:
    """A path parameter with its pattern (chalicelib.http.PATH_PARAMETERS, which the routes check alike)."""
    parameter = http.PATH_PARAMETERS[name]
    refusal = "404" if parameter.refused_with == 404 else "422 (`details.fields` names it)"
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"{parameter.description}; a value that does not match the pattern answers {refusal}",
        "schema": {"type": "string", "pattern": parameter.pattern},
    }


def _error_name(status: int) -> str:
    return HTTPStatus(status).phrase.title().replace(" ", "")


def _answer(description: str, content: dict[str, Any] | None) -> dict[str, Any]:
    return {"description": description, **({"content": content} if content else {})}


def _query_parameters(model: type[BaseModel], components: dict[str, Any]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(by_alias=True, ref_template=_REF)
    components.update(schema.get("$defs", {}))
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema["properties"].items():
        parameter = {"name": name, "in": "query", "required": name in required}
        if "description" in prop:  # the parameter's, where tools show it
            parameter["description"] = prop.pop("description")
        parameters.append(parameter | {"schema": _without_null(prop)})
    return parameters


def _without_null(prop: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent or a value: `X | None` (default None) is just X there."""
    options = [option for option in prop.get("anyOf", []) if option != {"type": "null"}]
    if len(options) != 1:
        return prop
    rest = {key: value for key, value in prop.items() if key != "anyOf" and (key, value) != ("default", None)}
    return {**options[0], **rest}


def _tag(entry: RouteEntry) -> str:
    """The view's blueprint (its module in chalicelib/routes) is its tag."""
    return str(entry.view_function.__module__).rsplit(".", 1)[-1]


def _first_paragraph(text: str | None) -> str:
    return " ".join((text or "").strip().split("\n\n", 1)[0].split())
