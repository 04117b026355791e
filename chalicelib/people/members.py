"""A project's members (admin): listed, invited, changed, removed. A member's extension is theirs alone in the
project: an ExtensionClaim item is written with the membership, on condition that no one holds it."""

from __future__ import annotations

from collections.abc import Callable

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib import agents, auth, clock
from chalicelib.auth import Role
from chalicelib.errors import ConflictError, NotFoundError
from chalicelib.people import identities
from chalicelib.people.sessions import normalise_email
from chalicelib.store import keys, transactions
from chalicelib.store.models import ExtensionClaim, Membership, Project


class Unchanged:
    """A PATCH field left out (`extension: null` clears the extension, left out it stays)."""


UNCHANGED = Unchanged()


def list_members(project_id: str) -> list[Membership]:
    """The project's members by name (one Query of GSI1)."""
    found = Membership.query(keys.project_members_gsi1pk(project_id), index_name=keys.GSI1)
    return sorted(found, key=lambda member: (member.name.casefold(), member.user_id))


def add_member(
    project_id: str, email: str, name: str, role: Role, extension: str | None, password: str | None = None
) -> Membership:
    """The person with this address joins the project, invited by Cognito when it does not know them yet (with
    `password`, the operator's CLI, that password is set as theirs instead). 409 when they are a member already or
    the extension is another member's; 404 for a project that does not exist."""
    email = normalise_email(email)
    user_id = identities.invite(email, password).user_id
    member = Membership(
        keys.person_pk(user_id),
        keys.membership_sk(project_id),
        user_id=user_id,
        project_id=project_id,
        email=email,
        name=name,
        role=role.value,
        extension=extension,
        created_at=clock.now(),
        gsi1pk=keys.project_members_gsi1pk(project_id),
        gsi1sk=user_id,
    )

    def write(transaction: TransactWrite) -> None:
        transaction.condition_check(
            Project, keys.project_pk(project_id), keys.PROJECT_SK, condition=Project.pk.exists()
        )
        transaction.save(member, condition=Membership.pk.does_not_exist(), return_values="ALL_OLD")
        if extension is not None:
            _claim(transaction, project_id, extension, user_id)

    try:
        _write(write, project_id, extension)
    except TransactWriteError as exc:
        if (member.pk, member.sk) in transactions.failed_keys(exc):
            raise ConflictError(f"{email} is a member of the project already") from exc
        raise NotFoundError(f"project {project_id} not found") from exc
    return member


def update_member(
    project_id: str, user_id: str, name: str | None, role: Role | None, extension: str | None | Unchanged
) -> Membership:
    """Changes what is given; 404 for a person who is not a member of the project, 409 for an extension another
    member holds."""
    member = _member(project_id, user_id)
    actions: list[Action] = []
    if name is not None:
        actions.append(Membership.name.set(name))
    if role is not None:
        actions.append(Membership.role.set(role.value))
    new_extension = member.extension if isinstance(extension, Unchanged) else extension
    if new_extension != member.extension:
        actions.append(
            Membership.extension.set(new_extension) if new_extension is not None else Membership.extension.remove()
        )
    if not actions:
        return member

    def write(transaction: TransactWrite) -> None:
        transaction.update(member, actions=actions, condition=Membership.pk.exists())
        if new_extension != member.extension:
            if new_extension is not None:
                _claim(transaction, project_id, new_extension, user_id)
            if member.extension is not None:
                _release(transaction, project_id, member.extension, user_id)

    try:
        _write(write, project_id, new_extension if new_extension != member.extension else None)
    except TransactWriteError as exc:
        raise NotFoundError(f"member {user_id} not found") from exc
    auth.forget_person(user_id)
    return _member(project_id, user_id)


def remove_member(project_id: str, user_id: str) -> None:
    """The person leaves the project: their sessions in it end within a minute (chalicelib.auth's cache)."""
    member = _member(project_id, user_id)

    def write(transaction: TransactWrite) -> None:
        transaction.delete(member, condition=Membership.pk.exists())
        if member.extension is not None:
            _release(transaction, project_id, member.extension, user_id)

    try:
        _write(write, project_id, None)
    except TransactWriteError as exc:
        raise NotFoundError(f"member {user_id} not found") from exc
    auth.forget_person(user_id)


def _member(project_id: str, user_id: str) -> Membership:
    try:
        return Membership.get(keys.person_pk(user_id), keys.membership_sk(project_id), consistent_read=True)
    except Membership.DoesNotExist as exc:
        raise NotFoundError(f"member {user_id} not found") from exc


def _claim(transaction: TransactWrite, project_id: str, extension: str, user_id: str) -> None:
    claim = ExtensionClaim(
        keys.extension_pk(project_id, extension), keys.EXTENSION_SK, project_id=project_id, user_id=user_id
    )
    transaction.save(claim, condition=ExtensionClaim.pk.does_not_exist(), return_values="ALL_OLD")


def _release(transaction: TransactWrite, project_id: str, extension: str, user_id: str) -> None:
    claim = ExtensionClaim(keys.extension_pk(project_id, extension), keys.EXTENSION_SK)
    transaction.delete(claim, condition=ExtensionClaim.user_id == user_id)


def _write(write: Callable[[TransactWrite], None], project_id: str, claimed: str | None) -> None:
    """Runs the transaction: 409 when the extension `claimed` is another member's; any other failed condition is
    left to the caller (TransactWriteError)."""
    try:
        with transactions.transaction() as transaction:
            write(transaction)
    except TransactWriteError as exc:
        if not transactions.condition_failed(exc):
            raise
        if claimed is not None and (
            keys.extension_pk(project_id, claimed),
            keys.EXTENSION_SK,
        ) in transactions.failed_keys(exc):
            raise ConflictError(
                f"extension {claimed} belongs to another member", {"fields": {"extension": "taken"}}
            ) from exc
        raise
    agents.forget(project_id)  # the names of the calls' agents, read again by this function
