"""GET /v1/openapi.json: a valid OpenAPI 3.1 document of every API route, which agrees with what the API does."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from app import app
from chalicelib import http, openapi
from chalicelib.auth import Role
from chalicelib.openapi import document as openapi_document
from tests.integration.helpers import (
    A_PASSWORD,
    LANDING,
    VIEWER,
    Api,
    a_call,
    a_member,
    add_numbers,
    an_email,
    call_to,
    fresh_number,
    later,
)

# values for path parameters: a phone that parses, ids of the right form that exist nowhere (numbers are fresh: the
# table is shared)
PATH_VALUES = {
    "call_id": "0" * 32,
    "comment_id": "1" * 32,
    "token": "a" * 22,
    "session_id": "0" * 32,
    "phone": "+380441234567",
    "key_id": "0" * 16,
    "webhook_id": "0" * 32,
    "delivery_id": "0" * 32,
    "user_id": "00000000-0000-0000-0000-000000000000",
    "view_id": "0" * 32,
}
# ...and values that do not match their parameter's pattern
UNMATCHED = {
    "call_id": "nope",
    "comment_id": "1" * 31 + "z",
    "token": "short",
    "session_id": "0" * 31 + "g",
    "phone": "+38044abc",
    "number": "x",
    "key_id": "0" * 15 + "G",
    "webhook_id": "nope",
    "delivery_id": "0" * 33,
    "user_id": "not-a-user",
    "view_id": "nope",
}
WEB_MODULE = "chalicelib.routes.web"
# every answer any test of this module got: (method, path without its query, status)
SEEN: list[tuple[str, str, int]] = []


@pytest.fixture(autouse=True)
def record_statuses(monkeypatch: pytest.MonkeyPatch) -> None:
    request = Api.request

    def recorded(self: Api, method: str, path: str, *args: Any, **kwargs: Any) -> Any:
        response = request(self, method, path, *args, **kwargs)
        SEEN.append((method.lower(), path.split("?")[0], response.status_code))
        return response

    monkeypatch.setattr(Api, "request", recorded)


@pytest.fixture(scope="module", autouse=True)
def every_status_seen_is_declared() -> Iterator[None]:
    """Fails the module when any route answered, in any of its tests, a status its operation does not list."""
    yield
    document = openapi_document.document(app)
    templates = [
        (re.compile("^" + re.sub(r"\\{\w+\\}", "[^/]+", re.escape(path)) + "$"), path) for path in document["paths"]
    ]
    undeclared = set()
    for method, path, status in SEEN:
        # a path of its own (/v1/calls/count) before a template that also matches it (/v1/calls/{call_id})
        matching = [path] if path in document["paths"] else [t for pattern, t in templates if pattern.match(path)]
        (template,) = matching or [None]
        if template and str(status) not in document["paths"][template][method]["responses"]:
            undeclared.add((method, template, status))
    assert not undeclared, f"answers the document does not list: {sorted(undeclared)}"


def _document(api: Api) -> dict[str, Any]:
    response = api.get("/v1/openapi.json", role=None)
    assert response.status_code == 200, response.json_body
    return dict(response.json_body)


@pytest.fixture
def document(api: Api) -> dict[str, Any]:
    return _document(api)


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, methods in document["paths"].items() for method, op in methods.items()]


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda match: PATH_VALUES.get(match.group(1)) or fresh_number(), path)


def validator(document: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A validator of `schema` whose `#/components/...` references resolve in the document."""
    return OAS31Validator({**schema, "components": document["components"]})


def request_schema(document: dict[str, Any], operation_id: str) -> dict[str, Any]:
    (op,) = [op for _, _, op in operations(document) if op["operationId"] == operation_id]
    return dict(op["requestBody"]["content"]["application/json"]["schema"])


def check_response(document: dict[str, Any], method: str, path: str, response: Any) -> None:
    """The answer's status is documented for the route, and its JSON body matches the documented schema."""
    answers = document["paths"][path][method.lower()]["responses"]
    assert str(response.status_code) in answers, (method, path, response.status_code)
    answer = answers[str(response.status_code)]
    if "$ref" in answer:
        answer = document["components"]["responses"][answer["$ref"].rsplit("/", 1)[-1]]
    schema = answer["content"]["application/json"]["schema"]
    errors = [error.message for error in validator(document, schema).iter_errors(response.json_body)]
    assert not errors, (method, path, errors)


def test_the_document_is_public_valid_openapi_31_and_names_its_server(api: Api) -> None:
    response = api.get("/v1/openapi.json", role=None)
    assert response.status_code == 200
    validate(response.json_body)
    assert response.json_body["openapi"] == "3.1.0"
    assert response.json_body["servers"] == [{"url": "https://callcard.test"}]  # CALLCARD_PUBLIC_URL


def test_every_api_route_is_described_and_the_web_pages_are_not(document: dict[str, Any]) -> None:
    routes = {
        (path, method.lower()): entry
        for path, methods in app.routes.items()
        for method, entry in methods.items()
        if entry.view_function.__module__ != WEB_MODULE
    }
    assert {(path, method) for path, method, _ in operations(document)} == set(routes)
    undescribed = [entry.view_name for entry in routes.values() if openapi.described(entry.view_function) is None]
    assert not undescribed, f"add @openapi.describe(...) under the route of {undescribed}"
    for (path, method), entry in routes.items():
        parameters = document["paths"][path][method].get("parameters", [])
        assert [p["name"] for p in parameters if p["in"] == "path"] == entry.view_args
    ids = [op["operationId"] for _, _, op in operations(document)]
    assert len(ids) == len(set(ids))
    assert {tag["name"] for tag in document["tags"]} >= {"calls", "clients", "recordings", "tracking", "numbers"}


def test_the_call_logs_query_parameters_are_the_contracts(document: dict[str, Any]) -> None:
    parameters = {p["name"]: p for p in document["paths"]["/v1/calls"]["get"]["parameters"]}
    assert set(parameters) == {"from", "to", "direction", "status", "category", "phone", "has_recording", "limit"} | {
        "cursor", "agent", "number", "source", "medium", "campaign", "mark", "min_talk_seconds", "min_call_rating",
        "has_comment", "tag", "needs_callback", "phone_part", "order",
    }  # fmt: skip
    assert parameters["mark"]["schema"]["type"] == "array"  # repeated: mark=first&mark=target
    assert parameters["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 200, "default": 50} | {
        "title": "Limit"
    }
    assert parameters["limit"]["description"] == "the most calls a page holds"
    assert parameters["has_recording"]["schema"]["type"] == "boolean"
    assert not any(p["required"] for p in parameters.values())


# a signed-in person's routes that an API key cannot use (401)
PEOPLE_ONLY = {"/v1/auth/sign-out", "/v1/auth/project", "/v1/me/views", "/v1/me/views/{view_id}"}


def test_public_routes_need_no_key_and_the_others_answer_401_without_one(api: Api, document: dict[str, Any]) -> None:
    for path, method, op in operations(document):
        body: dict[str, Any] | None = {} if "requestBody" in op else None
        status = api.request(method.upper(), concrete(path), body, role=None).status_code
        if op["security"] == []:
            assert status != 401, (method, path)
        else:
            basic: list[dict[str, list[str]]] = (
                [{openapi.BASIC_SECURITY_SCHEME: []}] if path == "/v1/conversions/google-ads.csv" else []
            )
            key: list[dict[str, list[str]]] = [] if path in PEOPLE_ONLY else [{openapi.SECURITY_SCHEME: []}]
            assert op["security"] == [*key, {openapi.SESSION_SECURITY_SCHEME: []}, *basic], (method, path)
            assert (status, "401") in [(401, code) for code in op["responses"]], (method, path, status)
    public = {(path, method) for path, method, op in operations(document) if op["security"] == []}
    assert public == {
        ("/v1/track.js", "get"),
        ("/v1/track/sessions", "post"),
        ("/v1/track/sessions/{session_id}/events", "post"),
        ("/v1/shared/{token}", "get"),
        ("/v1/openapi.json", "get"),
        ("/v1/auth/sign-in", "post"),
        ("/v1/auth/new-password", "post"),
        ("/v1/auth/forgot-password", "post"),
        ("/v1/auth/confirm-forgot-password", "post"),
    }


def test_the_documented_roles_are_the_roles_the_api_lets_in(api: Api, document: dict[str, Any]) -> None:
    for path, method, op in operations(document):
        if op["security"] == []:
            continue
        body: dict[str, Any] | None = {} if "requestBody" in op else None
        for role in Role:
            status = api.request(method.upper(), concrete(path), body, role=role.value).status_code
            assert (status != 403) is (role.value in op["x-roles"]), (method, path, role, status)


# Request bodies as the other tests send them; each must pass the document's schema and the API's own checks.
def valid_bodies(api: Api) -> dict[str, dict[str, Any]]:
    new_password = {"new_password": "a password long enough"}
    member = a_member(api)
    return {
        "sign_in": {"email": an_email(), "password": A_PASSWORD},
        "new_password": {"email": an_email(), "session": "a session that has expired", **new_password},
        "forgot_password": {"email": an_email()},
        "confirm_forgot_password": {"email": member.email, "code": "123456", **new_password},
        "switch_project": {"project_id": api.project_id},
        "add_member": {"email": an_email(), "name": "Olena", "role": "agent", "extension": "205"},
        "update_member": {"name": "Olena K.", "extension": None},
        "save_view": {"name": "My missed calls", "query": "status=missed&agent=me"},
        "post_call": a_call(total_seconds=70),
        "add_comment": {"text": "asked about delivery"},
        "edit_comment": {"text": "asked about delivery on Friday"},
        "change_review": {"category": "sale", "manager_rating": 4, "call_rating": 5, "value": "1500.00"},
        "change_settings": {
            "timezone": "Europe/Kyiv",
            "categories": ["sale", "spam"],
            "number_hold_minutes": 30,
            "tags": ["quote sent"],
            "currency": "EUR",
        },
        "put_number": {"kind": "pool", "label": "site"},
        "create_share": {"expires_in_days": 30},
        "restore_recording": {"tier": "Expedited", "days": 3},
        "create_key": {"role": "agent", "label": "Olena, front desk"},
        "create_webhook": {"url": "https://93.184.215.14/hooks", "events": ["call.missed"], "description": "CRM"},
        "change_webhook": {"events": ["call.created", "call.updated"], "enabled": False},
        "start_session": {"site_key": api.site_key, "url": LANDING, "referrer": "https://mail.example/"},
        "session_events": {
            "site_key": api.site_key,
            "events": [
                {"type": "pageview", "url": "https://shop.example/sofas/1", "title": "Sofa 1"},
                {"type": "ping"},
            ],
        },
    }


# ...and a bad one for each, which the schema and the API (422) both refuse.
INVALID_BODIES: dict[str, dict[str, Any]] = {
    "sign_in": {"email": "not an address", "password": ""},
    "new_password": {"email": "olena@example.com", "session": "s", "new_password": "short"},
    "forgot_password": {"email": "olena"},
    "confirm_forgot_password": {"email": "olena@example.com", "code": "", "new_password": "a password long enough"},
    "switch_project": {"project_id": ""},
    "add_member": {"email": "olena@example.com", "name": "Olena", "role": "integration"},
    "update_member": {"role": "owner"},
    "save_view": {"name": "", "query": "status=lost"},
    "post_call": a_call(direction="sideways"),
    "add_comment": {"text": ""},
    "edit_comment": {"text": "x" * 4001},
    "change_review": {"manager_rating": 6},
    "change_settings": {"sale_cycle_days": 0},
    "put_number": {"kind": "spare"},
    "create_share": {"expires_in_days": 366},
    "restore_recording": {"tier": "Instant"},
    "create_key": {"role": "owner", "label": "x" * 101},
    "create_webhook": {"url": "https://93.184.215.14/hooks", "events": ["call.exploded"]},
    "change_webhook": {"events": []},
    "start_session": {"site_key": "k", "url": LANDING, "visitor_id": "short"},
    "session_events": {"site_key": "k", "events": []},
}


def test_request_schemas_accept_the_tests_bodies_as_the_api_does(api: Api, document: dict[str, Any]) -> None:
    valid = valid_bodies(api)
    with_body = {op["operationId"]: (path, method) for path, method, op in operations(document) if "requestBody" in op}
    assert set(valid) == set(INVALID_BODIES) == set(with_body)
    assert api.patch("/v1/settings", {"categories": ["sale"]}).status_code == 200  # the review's category
    person = a_member(api, role="admin")
    for operation_id, (path, method) in with_body.items():
        schema = validator(document, request_schema(document, operation_id))
        assert not list(schema.iter_errors(valid[operation_id])), operation_id
        assert list(schema.iter_errors(INVALID_BODIES[operation_id])), operation_id
        headers = VIEWER if path.startswith("/v1/track/") else {}
        if path in PEOPLE_ONLY:
            accepted = person.request(method.upper(), path, valid[operation_id])
            refused = person.request(method.upper(), path, INVALID_BODIES[operation_id])
        else:
            accepted = api.request(method.upper(), concrete(path), valid[operation_id], role="admin", **headers)
            refused = api.request(method.upper(), concrete(path), INVALID_BODIES[operation_id], role="admin", **headers)
        assert accepted.status_code not in (400, 422), (operation_id, accepted.json_body)
        assert refused.status_code == 422, (operation_id, refused.json_body)


def test_answers_match_the_documented_schemas(
    api: Api, document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def check(method: str, path: str, response: Any) -> Any:
        check_response(document, method, path, response)
        return response.json_body

    numbers = add_numbers(api, 1)
    later(monkeypatch, 0)  # a frozen clock, moved by the test: the call comes after the session's start
    session = check(
        "POST",
        "/v1/track/sessions",
        api.request("POST", "/v1/track/sessions", valid_bodies(api)["start_session"], role=None, **VIEWER),
    )
    assert session["phone_number"] == numbers.pool[0]
    session_events = f"/v1/track/sessions/{session['session_id']}/events"
    check(
        "POST",
        "/v1/track/sessions/{session_id}/events",
        api.request("POST", session_events, valid_bodies(api)["session_events"], role=None, **VIEWER),
    )
    later(monkeypatch, 2)
    call_id = call_to(api, session["phone_number"], caller="+380441234567")["call"]["call_id"]

    call = f"/v1/calls/{call_id}"
    card = check("GET", "/v1/calls/{call_id}", api.get(call))
    assert card["visit"] and card["sessions"] and card["statistics"], "a card with its visit sections filled"
    check("POST", "/v1/calls/{call_id}/comments", api.post(f"{call}/comments", {"text": "asked about delivery"}))
    check("PATCH", "/v1/calls/{call_id}/review", api.patch(f"{call}/review", {"category": None, "call_rating": 4}))
    check("GET", "/v1/calls/{call_id}/recording", api.get(f"{call}/recording"))
    check("POST", "/v1/calls/{call_id}/recording/upload", api.post(f"{call}/recording/upload", role="integration"))
    check("GET", "/v1/calls/{call_id}/recording/shares", api.get(f"{call}/recording/shares"))
    check("GET", "/v1/calls", api.get("/v1/calls?limit=1"))
    check("GET", "/v1/clients/{phone}", api.get("/v1/clients/+380441234567"))
    check("GET", "/v1/clients/{phone}/calls", api.get("/v1/clients/+380441234567/calls"))
    check("GET", "/v1/clients/{phone}/sessions", api.get("/v1/clients/+380441234567/sessions"))
    check("GET", "/v1/settings", api.get("/v1/settings", role="agent"))
    check("GET", "/v1/numbers", api.get("/v1/numbers"))
    check("GET", "/v1/me", api.get("/v1/me", role="supervisor"))
    check("GET", "/v1/me", api.get("/v1/me"))  # with the site key
    check("GET", "/v1/settings/timezones", api.get("/v1/settings/timezones"))
    check("GET", "/v1/settings/countries", api.get("/v1/settings/countries"))
    check("POST", "/v1/keys", api.post("/v1/keys", {"role": "agent", "label": "Olena"}))
    check("GET", "/v1/keys", api.get("/v1/keys"))
    body = a_call()
    check("POST", "/v1/calls", api.post("/v1/calls", body, role="integration"))
    check("POST", "/v1/calls", api.post("/v1/calls", body, role="integration"))  # again: 200

    # errors, in the one shared shape
    check("POST", "/v1/calls", api.post("/v1/calls", {**body, "talk_seconds": 1}, role="integration"))  # 409
    check("GET", "/v1/calls/{call_id}", api.get("/v1/calls/nope"))
    check("GET", "/v1/calls", api.get("/v1/calls?limit=500"))
    check("GET", "/v1/calls", api.get("/v1/calls", role=None))
    check("GET", "/v1/calls", api.get("/v1/calls", role="integration"))
    check("POST", "/v1/calls", api.post("/v1/calls", "{", role="integration"))


def test_path_parameters_carry_the_patterns_the_routes_check(api: Api, document: dict[str, Any]) -> None:
    for path, method, op in operations(document):
        for parameter in [p for p in op.get("parameters", []) if p["in"] == "path"]:
            expected = http.PATH_PARAMETERS[parameter["name"]]
            assert parameter["schema"] == {"type": "string", "pattern": expected.pattern}, (path, parameter)
            bad = concrete(path).replace(PATH_VALUES.get(parameter["name"], "\0"), UNMATCHED[parameter["name"]], 1)
            if parameter["name"] == "number":
                bad = re.sub(r"/v1/numbers/[^/]+", "/v1/numbers/" + UNMATCHED["number"], bad)
            headers = VIEWER if path.startswith("/v1/track/") else {}
            body = valid_bodies(api).get(op["operationId"])
            if path in PEOPLE_ONLY:
                response = a_member(api, role="admin").request(method.upper(), bad, body)
            else:
                response = api.request(method.upper(), bad, body, role="admin", **headers)
            assert response.status_code == expected.refused_with, (method, bad, response.json_body)
            assert str(expected.refused_with) in op["responses"], (method, path)


def test_each_routes_own_errors_are_provoked_and_documented(api: Api, other_api: Api, document: dict[str, Any]) -> None:
    def answers(method: str, template: str, response: Any, status: int) -> None:
        assert response.status_code == status, (method, template, response.json_body)
        check_response(document, method, template, response)

    call = a_call(started_at="2026-11-20T10:15:00Z")
    call_id = api.post("/v1/calls", call, role="integration").json_body["call_id"]
    recording = f"/v1/calls/{call_id}/recording"
    answers("DELETE", "/v1/calls/{call_id}/recording", api.request("DELETE", recording), 409)
    answers("POST", "/v1/calls/{call_id}/recording/share", api.post(f"{recording}/share", {}), 409)
    answers("POST", "/v1/calls/{call_id}/recording/restore", api.post(f"{recording}/restore", {}), 409)
    answers(
        "DELETE",
        "/v1/calls/{call_id}/recording/shares/{token}",
        api.request("DELETE", f"{recording}/shares/{'a' * 22}"),
        404,
    )
    answers("GET", "/v1/shared/{token}", api.get(f"/v1/shared/{'a' * 22}", role=None), 404)
    api.patch("/v1/settings", {"recording_enabled": False})
    answers("POST", "/v1/calls/{call_id}/recording/upload", api.post(f"{recording}/upload", role="integration"), 409)
    unknown_site = {"site_key": "site_nope", "url": LANDING}
    answers("POST", "/v1/track/sessions", api.request("POST", "/v1/track/sessions", unknown_site, role=None), 404)
    theirs = add_numbers(other_api, 1, default=False).pool[0]
    answers("PUT", "/v1/numbers/{number}", api.request("PUT", f"/v1/numbers/{theirs}", {"kind": "pool"}), 409)
    answers("DELETE", "/v1/numbers/{number}", api.request("DELETE", f"/v1/numbers/{fresh_number()}"), 404)
    answers("GET", "/v1/clients/{phone}", api.get("/v1/clients/+380441234599"), 404)
    theirs_key = other_api.post("/v1/keys", {"role": "agent"}).json_body["key_id"]
    answers("DELETE", "/v1/keys/{key_id}", api.request("DELETE", f"/v1/keys/{theirs_key}"), 404)
    answers("GET", "/v1/calls/{call_id}/comments", api.get(f"/v1/calls/{call_id}/comments?cursor=nope"), 422)


def request_models(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The request bodies' schemas by name, with the schemas they refer to."""
    names = {
        op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        for _, _, op in operations(document)
        if "requestBody" in op
    }
    schemas = document["components"]["schemas"]
    found: dict[str, dict[str, Any]] = {}
    while names:
        name = names.pop()
        found[name] = schemas[name]
        names |= set(re.findall(r"#/components/schemas/(\w+)", json.dumps(schemas[name]))) - set(found)
    return found


def test_optional_request_fields_carry_no_default_so_generated_clients_leave_them_out(
    document: dict[str, Any],
) -> None:
    models = request_models(document)
    assert {"ReviewPatch", "SettingsPatch", "CallIn", "RestoreIn"} <= set(models)
    with_default = [
        f"{name}.{field}"
        for name, schema in models.items()
        for field, prop in schema.get("properties", {}).items()
        if "default" in prop
    ]
    assert with_default == []


def test_settings_lists_are_routes_not_enums_whose_names_collide_in_generated_clients(
    api: Api, document: dict[str, Any]
) -> None:
    schemas = document["components"]["schemas"]
    for model in ("Settings", "SettingsPatch"):
        for field in ("timezone", "default_country"):
            assert "enum" not in json.dumps(schemas[model]["properties"][field]), (model, field)
    assert "Etc/GMT0" in api.get("/v1/settings/timezones").json_body["items"]
    assert api.patch("/v1/settings", {"timezone": "Etc/GMT0", "default_country": "PL"}).status_code == 200


def test_answers_are_typed_for_generated_clients(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["CallSummary"]["properties"]["started_at"]["format"] == "date-time"
    assert {"format": "date-time", "type": "string"} in schemas["KeyOut"]["properties"]["revoked_at"]["anyOf"]
    card = schemas["Card"]["properties"]
    assert card["visit"]["anyOf"][0] == {"$ref": "#/components/schemas/Visit"}
    assert card["last_visit"]["anyOf"][0] == {"$ref": "#/components/schemas/LastVisit"}
    assert schemas["Visit"]["properties"]["started_at"]["format"] == "date-time"
    assert schemas["Me"]["properties"]["role"] == schemas["KeyOut"]["properties"]["role"]
    keys = {p["name"]: p for p in document["paths"]["/v1/keys"]["get"]["parameters"]}
    assert keys["limit"]["description"] and keys["limit"]["schema"]["maximum"] == 100


def test_headers_redirects_and_throttling_are_declared(document: dict[str, Any]) -> None:
    paths = document["paths"]
    assert "Location" in paths["/v1/shared/{token}"]["get"]["responses"]["302"]["headers"]
    assert "audio/ogg" in paths["/v1/shared/{token}"]["get"]["responses"]["302"]["description"]
    assert "X-Next-Cursor" in paths["/v1/calls.csv"]["get"]["responses"]["200"]["headers"]
    assert "304" in paths["/v1/track.js"]["get"]["responses"]
    assert [(method, path) for path, method, op in operations(document) if "429" not in op["responses"]] == []
