"""The people's Cognito user pool: passwords checked and changed, invitations, signing out everywhere.

Cognito holds who a person is and their password; nothing else about them. A person's `user_id` is their Cognito
`sub` (the pool's username: the pool signs in by email address).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import sys
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.errors import UnauthorizedError, ValidationError, invalid

# Locally (`make run`, tests) no mail leaves: with CALLCARD_INVITATIONS=print callcard makes the temporary password
# itself, tells Cognito to send nothing and prints the invitation (on stderr: make run's terminal).
INVITATIONS_VARIABLE = "CALLCARD_INVITATIONS"
_WRONG = "the email address or the password is wrong"
# what Cognito answers a wrong password, an unknown address, a disabled person or one who must reset first: the
# caller hears the same for all of them (no account enumeration)
_NOT_SIGNED_IN = frozenset(
    {"NotAuthorizedException", "UserNotFoundException", "UserNotConfirmedException", "PasswordResetRequiredException"}
)
_CODE_REFUSED = frozenset({"CodeMismatchException", "ExpiredCodeException", "UserNotFoundException"})


class WrongCredentialsError(UnauthorizedError):
    """The email address and password do not sign in (whichever of them is wrong)."""

    def __init__(self) -> None:
        super().__init__(_WRONG)


@dataclass(frozen=True)
class NewPasswordRequired:
    """An invited person's first sign-in: they choose their password, quoting Cognito's `session`."""

    session: str


@dataclass(frozen=True)
class Invited:
    user_id: str
    temporary_password: str | None  # only where callcard made it (printed locally); else Cognito mailed its own


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def check_password(email: str, password: str) -> str | NewPasswordRequired:
    """The person's user_id when the password is theirs, or the new-password step of an invited person."""
    try:
        answer = aws.cognito().initiate_auth(
            ClientId=aws.user_pool_client_id(),
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
    except ClientError as error:
        # InvalidParameterException: an address Cognito cannot take as a username (it is no one's)
        if _error_code(error) in _NOT_SIGNED_IN | {"InvalidParameterException"}:
            raise WrongCredentialsError from error
        raise
    if answer.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
        return NewPasswordRequired(answer["Session"])
    return _user_id(answer)


def set_new_password(email: str, session: str, new_password: str) -> str:
    """An invited person's own password in place of the temporary one; their user_id."""
    try:
        answer = aws.cognito().respond_to_auth_challenge(
            ClientId=aws.user_pool_client_id(),
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=session,
            ChallengeResponses={"USERNAME": email, "NEW_PASSWORD": new_password},
        )
    except ClientError as error:
        code = _error_code(error)
        if code in ("InvalidPasswordException", "InvalidParameterException"):
            raise invalid("new_password", _password_reason(error)) from error
        # Cognito answers a session it does not know NotAuthorizedException, its emulator ResourceNotFoundException
        if code in _NOT_SIGNED_IN | _CODE_REFUSED | {"ResourceNotFoundException"}:
            raise UnauthorizedError("the sign-in step has expired or does not match; sign in again") from error
        raise
    return _user_id(answer)


def _user_id(answer: dict[str, Any]) -> str:
    """The `sub` of the ID token that Cognito just handed us. It came straight from Cognito over TLS in answer to our
    own call, so its claims are read without checking the signature (OpenID Connect Core, section 3.1.3.7)."""
    token = answer["AuthenticationResult"]["IdToken"]
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["sub"])


def forget_password(email: str) -> None:
    """Cognito mails a code to the address when it is a person's; nothing tells the caller which it was."""
    try:
        aws.cognito().forgot_password(ClientId=aws.user_pool_client_id(), Username=email)
    except ClientError as error:
        if _error_code(error) in _NOT_SIGNED_IN | {"InvalidParameterException", "ResourceNotFoundException"}:
            return  # an unknown address, or one without a verified email: answered as a known one
        raise


def reset_password(email: str, code: str, new_password: str) -> None:
    try:
        aws.cognito().confirm_forgot_password(
            ClientId=aws.user_pool_client_id(), Username=email, ConfirmationCode=code, Password=new_password
        )
    except ClientError as error:
        code_name = _error_code(error)
        if code_name == "InvalidPasswordException":
            raise invalid("new_password", _password_reason(error)) from error
        if code_name in _CODE_REFUSED | _NOT_SIGNED_IN | {"ResourceNotFoundException", "InvalidParameterException"}:
            raise invalid("code", "wrong or expired; ask for a new one") from error
        raise


def user_id_of(email: str) -> str | None:
    """The user_id of the person with this address, None for an unknown one."""
    try:
        found = aws.cognito().admin_get_user(UserPoolId=aws.user_pool_id(), Username=email)
    except ClientError as error:
        if _error_code(error) == "UserNotFoundException":
            return None
        raise
    return _sub(found["UserAttributes"])


def _sub(attributes: list[dict[str, str]]) -> str:
    return next(attribute["Value"] for attribute in attributes if attribute["Name"] == "sub")


def _password_reason(error: ClientError) -> str:
    return "at least 12 characters" if "length" in str(error).lower() else "not accepted as a password"


def sign_out_everywhere(user_id: str) -> None:
    """Revokes every token Cognito issued to the person (callcard's own sessions are deleted by the caller)."""
    try:
        aws.cognito().admin_user_global_sign_out(UserPoolId=aws.user_pool_id(), Username=user_id)
    except ClientError as error:
        if _error_code(error) != "UserNotFoundException":
            raise


def invite(email: str, password: str | None = None) -> Invited:
    """The person with this address, created (and invited) when Cognito does not know them yet. With `password`
    (the operator's CLI) the password is set as permanent and nothing is sent."""
    cognito = aws.cognito()
    local = os.environ.get(INVITATIONS_VARIABLE) == "print"
    temporary = secrets.token_urlsafe(12) if local and password is None else None
    extra: dict[str, Any] = {"DesiredDeliveryMediums": ["EMAIL"]}
    if password is not None or local:
        extra = {"MessageAction": "SUPPRESS"}
    if temporary is not None:
        extra["TemporaryPassword"] = temporary
    try:
        created = cognito.admin_create_user(
            UserPoolId=aws.user_pool_id(),
            Username=email,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
            **extra,
        )
        attributes = created["User"]["Attributes"]
    except ClientError as error:
        if _error_code(error) == "InvalidParameterException":
            raise invalid("email", "not an address Cognito accepts") from error
        if _error_code(error) != "UsernameExistsException":
            raise
        temporary = None  # they have a password already: a project more, no invitation
        attributes = cognito.admin_get_user(UserPoolId=aws.user_pool_id(), Username=email)["UserAttributes"]
    user_id = _sub(attributes)
    if password is not None:
        try:
            cognito.admin_set_user_password(
                UserPoolId=aws.user_pool_id(), Username=user_id, Password=password, Permanent=True
            )
        except ClientError as error:
            if _error_code(error) in ("InvalidPasswordException", "InvalidParameterException"):
                raise ValidationError({"password": _password_reason(error)}) from error
            raise
    if temporary is not None:
        # stderr: the CLI's stdout is its answer; make run's terminal shows both
        print(f"invitation     {email}  temporary password {temporary}", file=sys.stderr, flush=True)
    return Invited(user_id, temporary)
