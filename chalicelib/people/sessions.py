"""Signed-in sessions: sign in (and the invited person's first password), switch project, sign out everywhere.

A session is a random value in an HttpOnly cookie, `<user_id>.<secret>` (256 bits of secret), of which the table
keeps only the SHA-256, in the person's partition, for 30 days. Each request looks it up as an API key is looked up
(chalicelib.auth, cached at most 60 s), so removing a membership or signing out ends access within a minute, and
no token is verified in Lambda (no JWT library, no key set to fetch on a cold start). Cognito's tokens are not
kept: they served once, to check the password.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from chalicelib import auth, aws, clock
from chalicelib.auth import Caller
from chalicelib.errors import ForbiddenError, NotFoundError, TooManyRequestsError, UnauthorizedError
from chalicelib.people import identities
from chalicelib.people.identities import NewPasswordRequired
from chalicelib.store import keys
from chalicelib.store.conditional import conditional_update
from chalicelib.store.models import Membership, PersonSession, SignInFailures

SESSION_DAYS = 30
SESSION_SECONDS = SESSION_DAYS * 24 * 3600
# failed sign-ins of one address (known or not) counted per window; past the limit the address waits for the next
FAILURE_WINDOW_SECONDS = 15 * 60
MAX_FAILURES = 5


@dataclass(frozen=True)
class SignedIn:
    cookie: str  # the session cookie's value
    caller: Caller


def normalise_email(email: str) -> str:
    return email.strip().lower()


def sign_in(email: str, password: str) -> SignedIn | NewPasswordRequired:
    email = normalise_email(email)
    now = int(clock.now().timestamp())
    window = now // FAILURE_WINDOW_SECONDS
    digest = hashlib.sha256(email.encode()).hexdigest()
    pk, sk = keys.sign_in_failures_pk(digest), keys.sign_in_failures_sk(window)
    try:
        failures = SignInFailures.get(pk, sk).failures
    except SignInFailures.DoesNotExist:
        failures = 0
    if failures >= MAX_FAILURES:
        retry_after = (window + 1) * FAILURE_WINDOW_SECONDS - now
        raise TooManyRequestsError("too many failed sign-ins for this address; try again later", retry_after)
    try:
        checked = identities.check_password(email, password)
    except identities.WrongCredentialsError:
        SignInFailures(pk, sk).update(
            [
                SignInFailures.kind.set(SignInFailures),
                SignInFailures.failures.add(1),
                SignInFailures.ttl.set(clock.now() + timedelta(seconds=2 * FAILURE_WINDOW_SECONDS)),
            ]
        )
        raise
    if isinstance(checked, NewPasswordRequired):
        return checked
    return start(checked)


def set_new_password(email: str, session: str, new_password: str) -> SignedIn:
    return start(identities.set_new_password(normalise_email(email), session, new_password))


def projects_of(user_id: str) -> list[Membership]:
    """The person's memberships, by project id (one Query of their partition)."""
    return list(Membership.query(keys.person_pk(user_id), Membership.sk.startswith(keys.MEMBER_PREFIX)))


def start(user_id: str, project_id: str | None = None) -> SignedIn:
    """A new session of the person, in `project_id` or else the first of their projects; 403 with none."""
    memberships = projects_of(user_id)
    member = next((m for m in memberships if project_id in (None, m.project_id)), None)
    if member is None:
        raise ForbiddenError("this account is not a member of any project; ask an admin to add you")
    cookie = f"{user_id}.{secrets.token_urlsafe(32)}"
    now = clock.now()
    expires_at = now + timedelta(seconds=SESSION_SECONDS)
    PersonSession(
        keys.person_pk(user_id),
        keys.person_session_sk(auth.session_digest(cookie)),
        user_id=user_id,
        project_id=member.project_id,
        created_at=now,
        expires_at=expires_at,
        ttl=expires_at,
    ).save(condition=PersonSession.pk.does_not_exist())
    return SignedIn(cookie, auth.caller_of(member))


def switch_project(caller: Caller, cookie: str, project_id: str) -> Caller:
    """The session's current project becomes `project_id`, one of the person's (404 otherwise, as for a project
    that does not exist)."""
    user_id = str(caller.user_id)
    try:
        member = Membership.get(keys.person_pk(user_id), keys.membership_sk(project_id))
    except Membership.DoesNotExist as exc:
        raise NotFoundError(f"project {project_id} not found") from exc
    session = PersonSession(keys.person_pk(user_id), keys.person_session_sk(auth.session_digest(cookie)))
    switched = conditional_update(session, [PersonSession.project_id.set(project_id)], PersonSession.pk.exists())
    auth.forget_session(cookie)
    if not switched:  # signed out (everywhere) since this function cached the session
        raise UnauthorizedError("the session is not valid; sign in again")
    return auth.caller_of(member)


def sign_out_everywhere(caller: Caller) -> None:
    """Deletes every session of the person (every browser) and revokes Cognito's tokens."""
    user_id = str(caller.user_id)
    end_sessions(user_id)
    identities.sign_out_everywhere(user_id)


def end_sessions(user_id: str) -> None:
    pk = keys.person_pk(user_id)
    found = PersonSession.query(pk, PersonSession.sk.startswith(keys.PERSON_SESSION_PREFIX), attributes_to_get=["SK"])
    with PersonSession.batch_write() as batch:
        for session in found:
            batch.delete(PersonSession(pk, session.sk))
    auth.forget_person(user_id)


def reset_password(email: str, code: str, new_password: str) -> None:
    """A forgotten password replaced with the mailed code; the person's sessions end (someone else may have had
    the old password)."""
    email = normalise_email(email)
    identities.reset_password(email, code, new_password)
    user_id = identities.user_id_of(email)
    if user_id is not None:
        end_sessions(user_id)


def secure_cookie() -> bool:
    """`Secure` wherever the app is served over https (deployed; plain http locally would drop such a cookie)."""
    return aws.public_base_url().startswith("https://")
