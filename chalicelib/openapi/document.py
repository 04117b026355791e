"""The OpenAPI 3.1 document of the HTTP API, generated from the app's route table, what each view declares
(chalicelib/openapi, `describe`) and the models of chalicelib/schemas.

Built on first use and kept (`document(app)`): the route that serves it imports this module when first asked, so a
cold start loads neither pydantic's JSON Schema generator nor every group of models.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, Literal

from chalice.app import Chalice, RouteEntry
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

from chalicelib import auth, http, schemas
from chalicelib.auth import ROLES_MAY, Role
from chalicelib.openapi import (
    BASIC_SECURITY_SCHEME,
    ERRORS,
    RETRY_AFTER,
    SECURITY_SCHEME,
    SESSION_SECURITY_SCHEME,
    Operation,
    api_routes,
    described,
)

_REF = "#/components/schemas/{model}"


def model(name: str) -> type[BaseModel]:
    """The model of chalicelib/schemas that a view names."""
    found = getattr(schemas, name)
    if not (isinstance(found, type) and issubclass(found, BaseModel)):
        raise TypeError(f"{name} is not a model of chalicelib/schemas")
    return found


@functools.cache
def document(app: Chalice) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `app`'s API routes (built once per app)."""
    routes = api_routes(app)
    operations = {id(entry): described(entry.view_function) or Operation() for entry in routes}
    models = _Schemas()
    models.add(schemas.ErrorOut, "serialization")
    for operation in operations.values():
        if operation.body:
            models.add(model(operation.body), "validation")
        if operation.returns:
            models.add(model(operation.returns), "serialization")
    refs, components = models.build()
    error_ref = refs[(schemas.ErrorOut, "serialization")]

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
        parameters += _query_parameters(model(operation.query), components)
    if parameters:
        out["parameters"] = parameters
    if operation.body:
        body = model(operation.body)
        out["requestBody"] = {
            "required": any(field.is_required() for field in body.model_fields.values()),
            "content": {"application/json": {"schema": refs[(body, "validation")]}},
        }
    out["responses"] = _responses(entry, operation, refs, error_ref)
    return out


def _responses(
    entry: RouteEntry,
    operation: Operation,
    refs: Mapping[tuple[type[BaseModel], Mode], dict[str, Any]],
    error_ref: dict[str, Any],
) -> dict[str, Any]:
    content: dict[str, Any] | None = None
    if operation.returns:
        content = {"application/json": {"schema": refs[(model(operation.returns), "serialization")]}}
    elif operation.media:
        media = operation.media
        content = {media: {"schema": {"type": "object" if media.endswith("json") else "string"}}}
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
