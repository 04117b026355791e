"""People: sign in and out with the session cookie, the password steps, switching project (DESIGN.md section 4a);
and the project's members (admin)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import auth, http, openapi, schemas
from chalicelib.auth import Caller, Permission, Role
from chalicelib.errors import NewPasswordRequiredError, UnauthorizedError
from chalicelib.people import identities, members, profile, sessions
from chalicelib.routes import ANY_BODY
from chalicelib.store.models import Membership

bp = Blueprint(__name__)

_SIGNED_IN = {200: {"Set-Cookie": "the session cookie (HttpOnly, SameSite=Strict, Secure over https, Path=/)"}}
_FOREIGN_ORIGIN = {403: "sent from another site's page (a foreign Origin)"}


def _session_cookie(value: str, max_age: int) -> str:
    secure = "; Secure" if sessions.secure_cookie() else ""
    return f"{auth.SESSION_COOKIE}={value}; Max-Age={max_age}; Path=/; HttpOnly; SameSite=Strict{secure}"


def _signed_in(signed_in: sessions.SignedIn) -> Response:
    body = profile.me(signed_in.caller).model_dump(mode="json")
    cookie = _session_cookie(signed_in.cookie, sessions.SESSION_SECONDS)
    return Response(body=body, status_code=200, headers={"Set-Cookie": cookie})


@bp.route("/v1/auth/sign-in", methods=["POST"], content_types=ANY_BODY)
@openapi.describe(
    public=True,
    body="SignInIn",
    returns="Me",
    headers=_SIGNED_IN,
    also={
        401: "the email address or the password is wrong (the same answer for both)",
        403: "a foreign Origin, or an account that is a member of no project",
        409: "an invited person's first sign-in (`new_password_required`): send `details.session` with a new "
        "password to POST /v1/auth/new-password",
        429: "too many failed sign-ins for the address: wait `Retry-After` seconds",
    },
)
def sign_in() -> Response:
    """Sign in with email and password: the session cookie and GET /v1/me's answer."""
    auth.check_sign_in_origin(bp.current_request)
    payload = http.body(bp.current_request, schemas.SignInIn)
    outcome = sessions.sign_in(payload.email, payload.password)
    if isinstance(outcome, identities.NewPasswordRequired):
        raise NewPasswordRequiredError(outcome.session)
    return _signed_in(outcome)


@bp.route("/v1/auth/new-password", methods=["POST"], content_types=ANY_BODY)
@openapi.describe(
    public=True,
    body="NewPasswordIn",
    returns="Me",
    headers=_SIGNED_IN,
    also={401: "the sign-in step expired or does not match: sign in again", **_FOREIGN_ORIGIN},
)
def new_password() -> Response:
    """An invited person's first password (after sign-in answered 409): signs them in."""
    auth.check_sign_in_origin(bp.current_request)
    payload = http.body(bp.current_request, schemas.NewPasswordIn)
    return _signed_in(sessions.set_new_password(payload.email, payload.session, payload.new_password))


@bp.route("/v1/auth/forgot-password", methods=["POST"], content_types=ANY_BODY)
@openapi.describe(public=True, body="ForgotPasswordIn", status=202, also=_FOREIGN_ORIGIN)
def forgot_password() -> Response:
    """Mails a code to the address if it is a person's; always 202 (nothing tells whether it was)."""
    auth.check_sign_in_origin(bp.current_request)
    identities.forget_password(http.body(bp.current_request, schemas.ForgotPasswordIn).email)
    return Response(body="", status_code=202)


@bp.route("/v1/auth/confirm-forgot-password", methods=["POST"], content_types=ANY_BODY)
@openapi.describe(public=True, body="ConfirmForgotPasswordIn", status=204, also=_FOREIGN_ORIGIN)
def confirm_forgot_password() -> Response:
    """Sets a new password with the mailed code (422 `code` when wrong or expired); the person's sessions end."""
    auth.check_sign_in_origin(bp.current_request)
    payload = http.body(bp.current_request, schemas.ConfirmForgotPasswordIn)
    sessions.reset_password(payload.email, payload.code, payload.new_password)
    return Response(body="", status_code=204)


def _person(caller: Caller) -> Caller:
    if caller.user_id is None:
        raise UnauthorizedError("this route takes a signed-in person's session, not an API key")
    return caller


def _cookie() -> str:
    cookie = auth.session_cookie(bp.current_request)
    if cookie is None:  # authenticated by the cookie, so never here
        raise UnauthorizedError("sign in first")
    return cookie


@bp.route("/v1/auth/sign-out", methods=["POST"], content_types=ANY_BODY)
@openapi.describe(people_only=True, status=204, headers={204: {"Set-Cookie": "the session cookie, expired"}})
def sign_out() -> Response:
    """Ends the person's sessions everywhere (every browser) within a minute."""
    caller = _person(auth.authenticate(bp.current_request))
    sessions.sign_out_everywhere(caller)
    return Response(body="", status_code=204, headers={"Set-Cookie": _session_cookie("", 0)})


@bp.route("/v1/auth/project", methods=["POST"], content_types=ANY_BODY)
@openapi.describe(people_only=True, body="ProjectChoice", returns="Me", also={404: "not one of the person's projects"})
def switch_project() -> dict[str, Any]:
    """The session works in another of the person's projects (404 for one they are not a member of)."""
    caller = _person(auth.authenticate(bp.current_request))
    payload = http.body(bp.current_request, schemas.ProjectChoice)
    return profile.me(sessions.switch_project(caller, _cookie(), payload.project_id)).model_dump(mode="json")


def _member_out(member: Membership) -> dict[str, Any]:
    return schemas.MemberOut.model_validate(member, from_attributes=True).model_dump(mode="json")


@bp.route("/v1/members", methods=["GET"])
@openapi.describe(may=Permission.MANAGE_MEMBERS, returns="MemberList")
def list_members() -> dict[str, Any]:
    caller = auth.require(bp.current_request, Permission.MANAGE_MEMBERS)
    items = [schemas.MemberOut.model_validate(m, from_attributes=True) for m in members.list_members(caller.project_id)]
    return schemas.MemberList(items=items).model_dump(mode="json")


@bp.route("/v1/members", methods=["POST"], content_types=ANY_BODY)
@openapi.describe(
    may=Permission.MANAGE_MEMBERS,
    body="MemberIn",
    returns="MemberOut",
    status=201,
    also={409: "a member already, or the extension is another member's"},
)
def add_member() -> Response:
    """Invites the person (Cognito mails them a temporary password), or adds them when they have an account."""
    caller = auth.require(bp.current_request, Permission.MANAGE_MEMBERS)
    payload = http.body(bp.current_request, schemas.MemberIn)
    member = members.add_member(caller.project_id, payload.email, payload.name, Role(payload.role), payload.extension)
    return Response(body=_member_out(member), status_code=201)


@bp.route("/v1/members/{user_id}", methods=["PATCH"], content_types=ANY_BODY)
@openapi.describe(
    may=Permission.MANAGE_MEMBERS,
    body="MemberPatch",
    returns="MemberOut",
    also={409: "the extension is another member's"},
)
def update_member(user_id: str) -> dict[str, Any]:
    caller = auth.require(bp.current_request, Permission.MANAGE_MEMBERS)
    payload = http.body(bp.current_request, schemas.MemberPatch)
    extension = payload.extension if "extension" in payload.model_fields_set else members.UNCHANGED
    role = Role(payload.role) if payload.role is not None else None
    member = members.update_member(
        caller.project_id, http.path_value("user_id", user_id), payload.name, role, extension
    )
    return _member_out(member)


@bp.route("/v1/members/{user_id}", methods=["DELETE"])
@openapi.describe(may=Permission.MANAGE_MEMBERS, status=204)
def remove_member(user_id: str) -> Response:
    """The person leaves the project; their sessions in it stop working within a minute."""
    caller = auth.require(bp.current_request, Permission.MANAGE_MEMBERS)
    members.remove_member(caller.project_id, http.path_value("user_id", user_id))
    return Response(body="", status_code=204)
