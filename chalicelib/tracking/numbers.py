"""A project's tracking numbers (administration): the pool and the default number, and the pool's figures.

A Number item is keyed by the number itself, so a number belongs to one project at a time. What sessions hold
is `holds`' job.
"""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action

from chalicelib import clock, phones
from chalicelib.errors import ConflictError, NotFoundError, invalid
from chalicelib.schemas import NumberList, NumberOut, Pool
from chalicelib.store import keys, transactions
from chalicelib.store.models import Number, Project
from chalicelib.tracking import sites
from chalicelib.tracking.holds import POOL, held

DEFAULT = "default"
# a project's numbers: far beyond any real pool, and GET /v1/numbers (about 1 KB a number) stays under 1 MB
MAX_NUMBERS = 500
# a number added or taken away meanwhile makes `put` look at it again, this many times at most
PUT_ATTEMPTS = 3


def parse(project: Project, text: str) -> str:
    try:
        return phones.to_e164(text, project.default_country)
    except phones.PhoneError:
        raise invalid("number", "not a phone number") from None


# ---- administration -------------------------------------------------------------------------------------


def put(project: Project, number: str, kind: str, label: str | None) -> Number:
    """Add a number to the project (or change its kind or label); 409 when another project has it, or when it is
    new to a project that has MAX_NUMBERS already.

    Project.number_count counts the project's numbers, whatever the concurrency: the transaction that claims a
    number new to the project (on condition that it does not exist) adds 1 on condition that the count is under
    the cap; a number the project has already is updated on condition that it still does. Which of the two
    applies is read first (one GetItem); a number that changed meanwhile fails its condition and is read again.
    """
    project_id = project.project_id
    item = Number(keys.number_pk(number), keys.NUMBER_SK)
    actions: list[Action] = [
        Number.kind.set(Number),
        Number.number.set(number),
        Number.project_id.set(project_id),
        Number.number_kind.set(kind),
        Number.label.set(label) if label is not None else Number.label.remove(),
        Number.gsi2pk.set(keys.numbers_gsi2pk(project_id)),
        Number.gsi2sk.set(number),
    ]
    if kind == POOL:
        # a hold survives a label change; a number new to the pool is free
        actions += [
            Number.gsi1pk.set(keys.pool_gsi1pk(project_id)),
            Number.gsi1sk.set(Number.gsi1sk | keys.pool_gsi1sk(None, number)),
        ]
    else:
        actions += [
            Number.gsi1pk.remove(),
            Number.gsi1sk.remove(),
            Number.held_by_session.remove(),
            Number.held_by_visitor.remove(),
            Number.held_by_address.remove(),
        ]
    previous_default = project.default_number
    # a new default number takes the place of the old one, which goes in the same transaction
    replaced_default = previous_default if kind == DEFAULT and previous_default != number else None
    default_actions: list[Action] = []
    if kind == DEFAULT:
        default_actions.append(Project.default_number.set(number))
    elif previous_default == number:
        default_actions.append(Project.default_number.remove())
    under_cap = Project.number_count.does_not_exist() | (Project.number_count < MAX_NUMBERS)
    for _attempt in range(PUT_ATTEMPTS):
        owner = _owner(number)
        if owner not in (None, project_id):
            raise ConflictError(f"{number} belongs to another project")
        new = owner is None
        added = int(new) - int(replaced_default is not None)
        project_actions = [*default_actions, *([Project.number_count.add(added)] if added else [])]
        try:
            with transactions.transaction() as transaction:
                transaction.update(
                    item,
                    actions=actions,
                    condition=Number.pk.does_not_exist() if new else Number.project_id == project_id,
                )
                if project_actions:
                    transaction.update(
                        project,
                        actions=project_actions,
                        condition=under_cap if added > 0 else None,
                        return_values="ALL_OLD",
                    )
                if replaced_default:
                    transaction.delete(
                        Number(keys.number_pk(replaced_default), keys.NUMBER_SK),
                        condition=Number.project_id == project_id,
                    )
        except TransactWriteError as exc:
            if (project.pk, project.sk) in transactions.failed_keys(exc):
                raise ConflictError(
                    f"a project may have at most {MAX_NUMBERS} numbers; delete one first", {"max_numbers": MAX_NUMBERS}
                ) from None
            if transactions.condition_failed(exc) or transactions.conflicted(exc):
                continue  # the number (or the default it replaces) changed meanwhile: read it again
            raise
        sites.forget_site(project)
        return Number.get(keys.number_pk(number), keys.NUMBER_SK, consistent_read=True)
    raise ConflictError(f"{number} changed meanwhile; try again")


def _owner(number: str) -> str | None:
    """The project that has `number` now, if any."""
    try:
        return Number.get(keys.number_pk(number), keys.NUMBER_SK, consistent_read=True).project_id
    except Number.DoesNotExist:
        return None


def delete(project: Project, number: str) -> None:
    project_actions: list[Action] = [Project.number_count.add(-1)]
    if project.default_number == number:
        project_actions.append(Project.default_number.remove())
    try:
        with transactions.transaction() as transaction:
            transaction.delete(
                Number(keys.number_pk(number), keys.NUMBER_SK), condition=Number.project_id == project.project_id
            )
            transaction.update(
                project,
                actions=project_actions,
                condition=Project.default_number == number if project.default_number == number else None,
                return_values="ALL_OLD",
            )
    except TransactWriteError as exc:
        if not transactions.condition_failed(exc):
            raise
        if (project.pk, project.sk) in transactions.failed_keys(exc):
            raise ConflictError("the default number changed meanwhile; try again") from None
        raise NotFoundError(f"number {number} not found") from None
    sites.forget_site(project)


def listing(project_id: str) -> list[Number]:
    return list(Number.query(keys.numbers_gsi2pk(project_id), index_name=keys.GSI2))


def out(number: Number) -> NumberOut:
    """A number as the API shows it: its hold only while it lasts."""
    holding = held(number, clock.now())
    return NumberOut(
        number=number.number,
        kind=number.number_kind,
        label=number.label,
        held_by_session=number.held_by_session if holding else None,
        hold_until=number.hold_until if holding else None,
    )


def overview(project: Project) -> NumberList:
    """The project's numbers and its pool's figures: its size, the numbers held now and the overflow so far."""
    items = [out(number) for number in listing(project.project_id)]
    pool = [item for item in items if item.kind == POOL]
    held_now = sum(1 for item in pool if item.hold_until)
    return NumberList(items=items, pool=Pool(size=len(pool), held=held_now, overflow_total=int(project.overflow_total)))
