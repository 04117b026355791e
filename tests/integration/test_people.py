"""People sign in (DESIGN.md section 4a): the session cookie, the Origin check, signing out everywhere, the
password steps, no account enumeration, slowed guessing, several projects."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import pytest

from chalicelib import auth, aws
from chalicelib.people import sessions
from local import metrics
from tests.integration.helpers import A_PASSWORD, PUBLIC_ORIGIN, Api, Person, a_member, an_email, session_cookie_of


def cookie_attributes(response: Any) -> dict[str, str]:
    _, _, rest = response.headers["Set-Cookie"].partition(";")
    pairs = [part.strip().partition("=") for part in rest.split(";") if part.strip()]
    return {name.lower(): value for name, _, value in pairs}


def later_than_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """This warm function's cached lookups are a minute old (as another function's may be)."""
    started = time.monotonic()
    monkeypatch.setattr(auth.time, "monotonic", lambda: started + auth.CACHE_SECONDS + 1)


def test_sign_in_sets_an_http_only_strict_secure_cookie_for_30_days_and_answers_me(api: Api) -> None:
    person = a_member(api, role="supervisor", extension="101")
    response = person.sign_in()
    assert response.status_code == 200
    attributes = cookie_attributes(response)
    assert attributes == {
        "max-age": str(30 * 24 * 3600),
        "path": "/",
        "httponly": "",
        "samesite": "Strict",
        "secure": "",
    }
    me = response.json_body
    assert me["project_id"] == api.project_id and me["role"] == "supervisor"
    assert me["person"] == {
        "user_id": person.user_id,
        "email": person.email,
        "name": me["label"],
        "extension": "101",
    }
    assert me["projects"] == [{"project_id": api.project_id, "name": "test project", "role": "supervisor"}]
    assert person.request("GET", "/v1/calls").status_code == 200


def test_the_cookie_is_not_secure_where_the_app_is_served_over_plain_http(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = a_member(api)
    monkeypatch.setenv("CALLCARD_PUBLIC_URL", "http://127.0.0.1:8000")
    body = {"email": person.email, "password": person.password}
    response = api.request("POST", "/v1/auth/sign-in", body, role=None, Origin="http://127.0.0.1:8000")
    assert response.status_code == 200 and "secure" not in cookie_attributes(response)


def test_a_wrong_password_and_an_unknown_address_answer_alike(api: Api) -> None:
    person = a_member(api)
    wrong = person.sign_in("not the password at all")
    unknown = Person(api, an_email(), A_PASSWORD, "").sign_in()
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json_body == unknown.json_body
    assert "Set-Cookie" not in wrong.headers


def test_repeated_failures_for_an_address_are_refused_for_a_while_known_or_not(api: Api) -> None:
    person = a_member(api)
    stranger = Person(api, an_email(), A_PASSWORD, "")
    for _ in range(sessions.MAX_FAILURES):
        assert person.sign_in("a wrong password here").status_code == 401
        assert stranger.sign_in("a wrong password here").status_code == 401
    refused, unknown = person.sign_in(), stranger.sign_in()  # even the right password waits now
    assert refused.status_code == unknown.status_code == 429
    assert refused.json_body["error"]["code"] == "too_many_requests"
    assert 0 < int(refused.headers["Retry-After"]) <= sessions.FAILURE_WINDOW_SECONDS
    # other addresses are not slowed
    assert a_member(api).sign_in().status_code == 200


def test_a_cookie_state_change_needs_the_apps_own_origin_and_api_keys_need_none(api: Api) -> None:
    person = a_member(api, role="admin")
    change = {"timezone": "Europe/Kyiv"}
    assert person.request("PATCH", "/v1/settings", change, origin=None).status_code == 403
    assert person.request("PATCH", "/v1/settings", change, origin="https://evil.example").status_code == 403
    assert person.request("PATCH", "/v1/settings", change, origin="http://callcard.test").status_code == 403
    assert person.request("GET", "/v1/settings", origin=None).status_code == 200  # reading changes nothing
    assert person.request("PATCH", "/v1/settings", change).status_code == 200
    assert api.patch("/v1/settings", {"timezone": "UTC"}).status_code == 200  # a key sends no Origin


def test_signing_in_from_another_sites_page_is_refused(api: Api) -> None:
    person = a_member(api)
    body = {"email": person.email, "password": person.password}
    foreign = api.request("POST", "/v1/auth/sign-in", body, role=None, Origin="https://evil.example")
    assert foreign.status_code == 403 and "Set-Cookie" not in foreign.headers
    assert api.request("POST", "/v1/auth/sign-in", body, role=None).status_code == 200  # curl sends none


def test_roles_apply_to_people_as_to_keys(api: Api) -> None:
    agent = a_member(api, role="agent")
    assert agent.request("GET", "/v1/calls").status_code == 200
    assert agent.request("PATCH", "/v1/settings", {"timezone": "UTC"}).status_code == 403
    assert agent.request("GET", "/v1/members").status_code == 403
    assert agent.request("GET", "/v1/me").json_body["may"] == api.get("/v1/me", role="agent").json_body["may"]


def test_a_bad_or_missing_session_cookie_is_401(api: Api) -> None:
    person = a_member(api)
    tampered = Person(api, person.email, person.password, person.user_id, person.cookie[:-2] + "xx")
    assert tampered.request("GET", "/v1/calls").status_code == 401
    assert Person(api, "", "", "", "no-dot").request("GET", "/v1/calls").status_code == 401
    assert Person(api, "", "", "").request("GET", "/v1/calls").status_code == 401


def test_sign_out_ends_every_session_of_the_person_and_clears_the_cookie(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop = a_member(api)
    phone = Person(api, laptop.email, laptop.password, laptop.user_id)
    assert phone.sign_in().status_code == 200
    assert phone.request("GET", "/v1/calls").status_code == 200
    assert laptop.request("POST", "/v1/auth/sign-out", origin=None).status_code == 403  # a state change
    signed_out = laptop.request("POST", "/v1/auth/sign-out")
    assert signed_out.status_code == 204
    assert session_cookie_of(signed_out) == "" and cookie_attributes(signed_out)["max-age"] == "0"
    assert laptop.request("GET", "/v1/calls").status_code == 401
    later_than_the_cache(monkeypatch)  # the other browser's session is gone too, whichever function cached it
    assert phone.request("GET", "/v1/calls").status_code == 401
    assert laptop.sign_in().status_code == 200  # signing in again works


def test_an_api_key_cannot_sign_out_or_switch_project(api: Api) -> None:
    assert api.post("/v1/auth/sign-out").status_code == 401
    assert api.post("/v1/auth/project", {"project_id": api.project_id}).status_code == 401


def test_removing_a_member_stops_their_session_within_the_cache_minute(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = a_member(api)
    assert person.request("GET", "/v1/calls").status_code == 200  # cached by this function
    assert api.request("DELETE", f"/v1/members/{person.user_id}").status_code == 204
    later_than_the_cache(monkeypatch)
    assert person.request("GET", "/v1/calls").status_code == 401
    refused = person.sign_in()
    assert refused.status_code == 403 and "Set-Cookie" not in refused.headers  # a member of no project now


def test_a_role_change_applies_within_the_cache_minute(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    person = a_member(api, role="admin")
    assert person.request("GET", "/v1/members").status_code == 200
    assert api.patch(f"/v1/members/{person.user_id}", {"role": "agent"}).status_code == 200
    later_than_the_cache(monkeypatch)
    assert person.request("GET", "/v1/members").status_code == 403


def test_a_person_in_two_projects_switches_between_them(api: Api, other_api: Api) -> None:
    person = a_member(api, role="agent")
    a_member(other_api, role="admin", email=person.email)  # the same account joins the other project
    me = person.request("GET", "/v1/me").json_body
    assert me["project_id"] == api.project_id
    assert {p["project_id"]: p["role"] for p in me["projects"]} == {
        api.project_id: "agent",
        other_api.project_id: "admin",
    }
    switched = person.request("POST", "/v1/auth/project", {"project_id": other_api.project_id})
    assert switched.status_code == 200
    assert switched.json_body["project_id"] == other_api.project_id and switched.json_body["role"] == "admin"
    assert person.request("GET", "/v1/members").status_code == 200  # admin there
    listed = person.request("GET", "/v1/members").json_body["items"]
    assert {member["email"] for member in listed} == {person.email}  # the other project's members only
    back = person.request("POST", "/v1/auth/project", {"project_id": api.project_id})
    assert back.json_body["role"] == "agent"


def test_switching_to_a_project_one_is_not_a_member_of_is_404(api: Api, other_api: Api) -> None:
    person = a_member(api)
    assert person.request("POST", "/v1/auth/project", {"project_id": other_api.project_id}).status_code == 404
    assert person.request("POST", "/v1/auth/project", {"project_id": "nope"}).status_code == 404
    assert person.request("GET", "/v1/me").json_body["project_id"] == api.project_id


def test_an_invited_person_sets_their_own_password_at_first_sign_in(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    email = an_email()
    added = api.post("/v1/members", {"email": email, "name": "Olena", "role": "agent"})
    assert added.status_code == 201
    invitation = next(line for line in capsys.readouterr().err.splitlines() if line.startswith("invitation"))
    assert email in invitation
    temporary = invitation.rsplit(" ", 1)[1]
    person = Person(api, email, temporary, added.json_body["user_id"])
    challenged = person.sign_in()
    assert challenged.status_code == 409 and "Set-Cookie" not in challenged.headers
    assert challenged.json_body["error"]["code"] == "new_password_required"
    session = challenged.json_body["error"]["details"]["session"]
    body = {"email": email, "session": session, "new_password": "short"}
    short = api.request("POST", "/v1/auth/new-password", body, role=None, Origin=PUBLIC_ORIGIN)
    assert short.status_code == 422 and "new_password" in short.json_body["error"]["details"]["fields"]
    body["new_password"] = "my own long password"
    chosen = api.request("POST", "/v1/auth/new-password", body, role=None, Origin=PUBLIC_ORIGIN)
    assert chosen.status_code == 200 and chosen.json_body["person"]["name"] == "Olena"
    person.cookie = session_cookie_of(chosen)
    assert person.request("GET", "/v1/calls").status_code == 200
    assert person.sign_in("my own long password").status_code == 200


def forgot_password_code(email: str, api: Api) -> str:
    """The code Cognito would mail (the emulator hands it back in a header of its answer)."""
    codes: list[str] = []

    def keep(http_response: Any, **_: Any) -> None:
        codes.append(http_response.headers.get("x-moto-forgot-password-confirmation-code", ""))

    aws.cognito().meta.events.register("after-call.cognito-identity-provider.ForgotPassword", keep)
    try:
        assert api.request("POST", "/v1/auth/forgot-password", {"email": email}, role=None).status_code == 202
    finally:
        aws.cognito().meta.events.unregister("after-call.cognito-identity-provider.ForgotPassword", keep)
    return codes[0]


def test_a_forgotten_password_is_reset_with_the_mailed_code_and_ends_the_sessions(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = a_member(api)
    old_cookie = person.cookie
    assert api.request("POST", "/v1/auth/forgot-password", {"email": an_email()}, role=None).status_code == 202
    code = forgot_password_code(person.email, api)
    assert code
    reset = {"email": person.email, "code": "moto-confirmation-code:000000", "new_password": "a brand new password"}
    wrong = api.request("POST", "/v1/auth/confirm-forgot-password", reset, role=None)
    assert wrong.status_code == 422 and "code" in wrong.json_body["error"]["details"]["fields"]
    reset["code"] = code
    assert api.request("POST", "/v1/auth/confirm-forgot-password", reset, role=None).status_code == 204
    assert person.sign_in().status_code == 401  # the old password
    assert person.sign_in("a brand new password").status_code == 200
    later_than_the_cache(monkeypatch)
    assert Person(api, "", "", "", old_cookie).request("GET", "/v1/calls").status_code == 401


def test_the_operator_cli_adds_a_member_with_a_password(api: Api) -> None:
    email = an_email()
    command = [sys.executable, "-m", "chalicelib.cli", "member", "add", "--project", api.project_id]
    command += ["--email", email, "--name", "First Admin", "--role", "admin", "--password", A_PASSWORD, "--json"]
    done = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
    assert done.returncode == 0, done.stderr
    user_id = json.loads(done.stdout)["user_id"]
    person = Person(api, email, A_PASSWORD, user_id)
    assert person.sign_in().status_code == 200
    assert person.request("GET", "/v1/members").status_code == 200


def test_a_session_is_looked_up_with_two_get_items_then_cached_and_signing_in_costs_a_fixed_few(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = a_member(api)
    later_than_the_cache(monkeypatch)
    with metrics.dynamodb_requests() as first:
        assert person.request("GET", "/v1/settings").status_code == 200
    with metrics.dynamodb_requests() as again:
        assert person.request("GET", "/v1/settings").status_code == 200
    settings_reads = again  # what the route itself reads
    assert first[: len(first) - len(settings_reads)] == ["GetItem", "GetItem"]  # the session, its membership
    with metrics.dynamodb_requests() as signing_in:
        assert person.sign_in().status_code == 200
    # the failures' window, the person's projects, the new session; then /v1/me's answer: their projects' names
    assert signing_in == ["GetItem", "Query", "PutItem", "Query", "BatchGetItem"]
