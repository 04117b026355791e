"""Every request's caller, with role checks: an API key (machines and scripts) or a signed-in person's session
cookie (the web app); and API keys: issue, revoke, list.

A key reads `cc_<key_id>_<secret>`: the key id finds the item with one GetItem, and only the SHA-256 of
the whole key is stored (the secret has 256 bits of entropy, so a fast hash is enough). A session cookie reads
`<user_id>.<secret>` and is kept the same way (chalicelib.people.sessions issues it): the user id finds the
person's partition, the cookie's SHA-256 the session in it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from chalice.app import Request

from chalicelib import aws, clock, observability
from chalicelib.errors import ForbiddenError, NotFoundError, UnauthorizedError, invalid
from chalicelib.store import keys, transactions
from chalicelib.store.conditional import conditional_update
from chalicelib.store.models import ApiKey, Membership, PersonSession, Project
from chalicelib.store.paging import Page, decode_cursor, first_page


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"
    INTEGRATION = "integration"


class Permission(StrEnum):
    READ = "read"
    COMMENT = "comment"
    CATEGORISE = "categorise"
    RATE = "rate"
    POST_CALLS = "post_calls"
    UPLOAD_RECORDINGS = "upload_recordings"
    PLAY = "play"
    SHARE = "share"
    DELETE_RECORDINGS = "delete_recordings"
    RESTORE = "restore"
    READ_SETTINGS = "read_settings"
    WRITE_SETTINGS = "write_settings"
    MANAGE_NUMBERS = "manage_numbers"
    ERASE_CLIENTS = "erase_clients"
    MANAGE_KEYS = "manage_keys"
    MANAGE_WEBHOOKS = "manage_webhooks"
    EXPORT_CONVERSIONS = "export_conversions"
    MANAGE_MEMBERS = "manage_members"


_STAFF = {Role.ADMIN, Role.SUPERVISOR, Role.AGENT}
_LEADS = {Role.ADMIN, Role.SUPERVISOR}

# DESIGN.md section 4, the role table.
ROLES_MAY: dict[Permission, set[Role]] = {
    Permission.READ: _STAFF,
    Permission.COMMENT: _STAFF,
    Permission.CATEGORISE: _STAFF,
    Permission.RATE: _LEADS,
    Permission.POST_CALLS: {Role.ADMIN, Role.INTEGRATION},
    Permission.UPLOAD_RECORDINGS: {Role.ADMIN, Role.INTEGRATION},
    Permission.PLAY: _STAFF,
    Permission.SHARE: _LEADS,
    Permission.DELETE_RECORDINGS: _LEADS,
    Permission.RESTORE: _LEADS,
    Permission.READ_SETTINGS: _STAFF,
    Permission.WRITE_SETTINGS: {Role.ADMIN},
    Permission.MANAGE_NUMBERS: {Role.ADMIN},
    Permission.ERASE_CLIENTS: {Role.ADMIN},
    Permission.MANAGE_KEYS: {Role.ADMIN},
    Permission.MANAGE_WEBHOOKS: {Role.ADMIN},
    Permission.EXPORT_CONVERSIONS: {Role.ADMIN, Role.INTEGRATION},
    Permission.MANAGE_MEMBERS: {Role.ADMIN},
}

CACHE_SECONDS = 60
_KEY_PREFIX = "cc_"
MAX_LABEL = 100


@dataclass(frozen=True)
class Caller:
    """Who sends the request: an API key (`key_id`) or a signed-in person (`user_id`, `name`, `extension`: None
    for a key). `label` signs comments and actions: the key's label, or the person's name."""

    project_id: str
    role: Role
    label: str
    key_id: str | None
    user_id: str | None = None
    name: str | None = None
    extension: str | None = None

    @property
    def actor_id(self) -> str:
        """The id that a comment keeps of its author (who may edit it later): the key's, or the person's."""
        return self.key_id if self.key_id is not None else f"person:{self.user_id}"

    def may(self, permission: Permission) -> bool:
        return self.role in ROLES_MAY[permission]

    def require(self, permission: Permission) -> Caller:
        if not self.may(permission):
            raise ForbiddenError(f"the {self.role} role may not {permission.replace('_', ' ')}")
        return self


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    key: str
    item: ApiKey


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key(project_id: str, role: Role, label: str | None) -> IssuedKey:
    """A fresh key and its item, not yet saved (callers save it, alone or in a transaction)."""
    if label is not None and len(label) > MAX_LABEL:
        raise invalid("label", f"at most {MAX_LABEL} characters")  # it signs every comment and action
    key_id = secrets.token_hex(8)
    key = f"{_KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    created_at = clock.now()
    item = ApiKey(
        keys.api_key_pk(key_id),
        keys.KEY_SK,
        key_id=key_id,
        project_id=project_id,
        role=role.value,
        label=label or role.value,
        secret_hash=_hash(key),
        created_at=created_at,
        gsi1pk=keys.project_keys_gsi1pk(project_id),
        gsi1sk=keys.api_key_gsi1sk(created_at, key_id),
    )
    return IssuedKey(key_id, key, item)


def create_key(project_id: str, role: Role, label: str | None) -> IssuedKey:
    issued = new_key(project_id, role, label)
    with transactions.transaction() as transaction:
        transaction.condition_check(
            Project, keys.project_pk(project_id), keys.PROJECT_SK, condition=Project.pk.exists()
        )
        transaction.save(issued.item, condition=ApiKey.pk.does_not_exist())
    return issued


def revoke_key(key_id: str, project_id: str | None = None) -> None:
    """Revokes the key (the operator's CLI names any key; `project_id` limits it to that project's keys, another
    project's answering 404 like a missing one). Revoking a revoked key changes nothing: its first time stays."""
    try:
        item = ApiKey.get(keys.api_key_pk(key_id), keys.KEY_SK)
    except ApiKey.DoesNotExist as exc:
        raise NotFoundError(f"key {key_id} not found") from exc
    if project_id is not None and item.project_id != project_id:
        raise NotFoundError(f"key {key_id} not found")
    if item.revoked_at is None:
        # when the condition fails a concurrent revoke came first, and its time stays
        conditional_update(item, [ApiKey.revoked_at.set(clock.now())], ApiKey.revoked_at.does_not_exist())
    _cache.clear()


def list_keys(project_id: str) -> list[ApiKey]:
    """Every key of the project, oldest first (the operator's CLI)."""
    return list(ApiKey.query(keys.project_keys_gsi1pk(project_id), index_name=keys.GSI1))


def key_page(project_id: str, limit: int, cursor: str | None) -> Page[ApiKey]:
    """A page of the project's keys, revoked ones too, the newest first: one Query of at most `limit` keys."""
    partition = keys.project_keys_gsi1pk(project_id)
    results = ApiKey.query(
        partition,
        index_name=keys.GSI1,
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=decode_cursor(cursor, keys.INDEX_KEYS[keys.GSI1][0], partition),
    )
    return first_page(ApiKey, results)


# key hash -> (monotonic expiry, caller); a warm function keeps lookups for at most CACHE_SECONDS
_cache: dict[str, tuple[float, Caller]] = {}


def _lookup(key: str) -> Caller:
    digest = _hash(key)
    cached = _cache.get(digest)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    parts = key[len(_KEY_PREFIX) :].split("_", 1) if key.startswith(_KEY_PREFIX) else []
    if len(parts) != 2:
        raise UnauthorizedError("the API key is not valid")
    try:
        item = ApiKey.get(keys.api_key_pk(parts[0]), keys.KEY_SK)
    except ApiKey.DoesNotExist as exc:
        raise UnauthorizedError("the API key is not valid") from exc
    if item.revoked_at is not None or not hmac.compare_digest(item.secret_hash, digest):
        raise UnauthorizedError("the API key is not valid")
    caller = Caller(item.project_id, Role(item.role), item.label, item.key_id)
    _cache[digest] = (time.monotonic() + CACHE_SECONDS, caller)
    return caller


def _presented_key(request: Request, basic: bool) -> str:
    """The key of `Authorization: Bearer <key>`, or where `basic` allows, of HTTP Basic auth with the key as the
    password (the user name is not read): what a scheduled fetch that knows only a user and a password sends."""
    header: str = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    if basic and scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode()
        except (binascii.Error, UnicodeError):
            decoded = ""
        _, colon, password = decoded.partition(":")
        if colon and password:
            return password
    also = " or as the password of HTTP Basic auth" if basic else ""
    raise UnauthorizedError(f"send an API key as 'Authorization: Bearer <key>'{also}")


SESSION_COOKIE = "callcard_session"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# cookie hash -> (monotonic expiry, caller): like keys, a removed person or membership stops within CACHE_SECONDS
_sessions: dict[str, tuple[float, Caller]] = {}


def session_digest(cookie_value: str) -> str:
    return _hash(cookie_value)


def forget_session(cookie_value: str) -> None:
    """Drops this function's cached lookup of the session (signed out or switched project here)."""
    _sessions.pop(session_digest(cookie_value), None)


def forget_person(user_id: str | None = None) -> None:
    """Drops this function's cached sessions of the person (of everyone without `user_id`): memberships changed."""
    for digest, (_, caller) in list(_sessions.items()):
        if user_id is None or caller.user_id == user_id:
            _sessions.pop(digest, None)


def _session_lookup(cookie_value: str) -> Caller:
    digest = session_digest(cookie_value)
    cached = _sessions.get(digest)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    user_id, dot, _ = cookie_value.partition(".")
    if not dot or not user_id:
        raise UnauthorizedError("the session is not valid; sign in again")
    try:
        session = PersonSession.get(keys.person_pk(user_id), keys.person_session_sk(digest))
        if session.expires_at <= clock.now():
            raise UnauthorizedError("the session has expired; sign in again")
        member = Membership.get(keys.person_pk(user_id), keys.membership_sk(session.project_id))
    except (PersonSession.DoesNotExist, Membership.DoesNotExist) as exc:
        raise UnauthorizedError("the session is not valid; sign in again") from exc
    caller = caller_of(member)
    _sessions[digest] = (time.monotonic() + CACHE_SECONDS, caller)
    return caller


def caller_of(member: Membership) -> Caller:
    """A signed-in person as the caller: their role, name and extension in the membership's project."""
    return Caller(
        member.project_id,
        Role(member.role),
        member.name,
        None,
        user_id=member.user_id,
        name=member.name,
        extension=member.extension,
    )


def session_cookie(request: Request) -> str | None:
    """The value of the session cookie the browser sent, if any."""
    header: str = request.headers.get("cookie", "")
    for part in header.split(";"):
        name, equals, value = part.strip().partition("=")
        if equals and name == SESSION_COOKIE and value:
            return value
    return None


def _own_origin(origin: str) -> bool:
    own, sent = urlsplit(aws.public_base_url()), urlsplit(origin)
    return (sent.scheme, sent.netloc) == (own.scheme, own.netloc)


def _check_origin(request: Request) -> None:
    """A cookie rides along with any site's form or fetch: a state change must come from the app's own pages."""
    if request.method.upper() not in _SAFE_METHODS and not _own_origin(request.headers.get("origin", "")):
        raise ForbiddenError("a signed-in change must come from the app's own pages (its Origin)")


def check_sign_in_origin(request: Request) -> None:
    """Sign-in and password steps need no cookie, but a browser on another site must not sign its visitor in to
    an account of its choosing (login CSRF): a foreign Origin is refused; none (curl, scripts) is not."""
    origin = request.headers.get("origin")
    if origin is not None and not _own_origin(origin):
        raise ForbiddenError("signing in must come from the app's own pages (its Origin)")


def authenticate(request: Request, basic: bool = False) -> Caller:
    """The request's caller: the API key of the Authorization header when there is one, else the session cookie
    (whose state changes must carry the app's own Origin); 401 without either."""
    cookie = None if request.headers.get("authorization") else session_cookie(request)
    if cookie is not None:
        caller = _session_lookup(cookie)
        _check_origin(request)
        observability.tag(project_id=caller.project_id, user_id=caller.user_id)
        return caller
    caller = _lookup(_presented_key(request, basic))
    observability.tag(project_id=caller.project_id, key_id=caller.key_id)  # the key's public id, never the key
    return caller


def require(request: Request, permission: Permission, basic: bool = False) -> Caller:
    """The request's caller, after the key or session check (401) and the role check (403); `basic` also takes the
    key as an HTTP Basic password."""
    return authenticate(request, basic).require(permission)
