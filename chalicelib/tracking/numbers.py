"""A project's tracking numbers (administration): the pool and the default number, and the pool's figures.

A Number item is keyed by the number itself, so a number belongs to one project at a time; beside it, its
NumberListing item is what the project's numbers list (GSI2) shows, so that no hold change writes that list. What
sessions hold is `holds`' job.
"""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from chalicelib import clock, phones, schemas
from chalicelib.errors import ConflictError, NotFoundError, invalid
from chalicelib.store import keys, transactions
from chalicelib.store.models import Item, Number, NumberListing, Project
from chalicelib.tracking import holds, sites
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


def put(project: Project, number: str, kind: str, label: str | None) -> schemas.NumberOut:
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
        # listed by its LISTING item: a Number item written before the pool's shards leaves the list
        Number.gsi2pk.remove(),
        Number.gsi2sk.remove(),
    ]
    listing_actions: list[Action] = [
        NumberListing.kind.set(NumberListing),
        NumberListing.number.set(number),
        NumberListing.project_id.set(project_id),
        NumberListing.number_kind.set(kind),
        NumberListing.label.set(label) if label is not None else NumberListing.label.remove(),
        NumberListing.gsi2pk.set(keys.numbers_gsi2pk(project_id)),
        NumberListing.gsi2sk.set(number),
    ]
    if kind != POOL:
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
        current = _current(number)
        if current is not None and current.project_id != project_id:
            raise ConflictError(f"{number} belongs to another project")
        new = current is None
        added = int(new) - int(replaced_default is not None)
        # a number new to the pool (or in the pool before its shards) goes free into the shard the project's count
        # of numbers says (a hold survives a label change); a start reads that shard from then on
        in_shard = Number.gsi1pk.startswith(keys.pool_prefix(project_id))
        joins_pool = kind == POOL and not (
            current is not None and str(current.gsi1pk or "").startswith(keys.pool_prefix(project_id))
        )
        shard = keys.pool_shard(int(project.number_count))
        project_actions = [
            *default_actions,
            *([Project.number_count.add(added)] if added else []),
            *([Project.pool_shards.add({shard})] if joins_pool else []),
        ]
        condition: Condition
        if new:
            condition = Number.pk.does_not_exist()
        elif joins_pool:
            condition = (Number.project_id == project_id) & ~in_shard
        else:
            condition = Number.project_id == project_id
        try:
            with transactions.transaction() as transaction:
                transaction.update(
                    item,
                    actions=[*actions, *(_pool_entry(project_id, number, shard) if joins_pool else [])],
                    condition=condition,
                )
                transaction.update(
                    NumberListing(keys.number_pk(number), keys.NUMBER_LISTING_SK), actions=listing_actions
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
                    transaction.delete(NumberListing(keys.number_pk(replaced_default), keys.NUMBER_LISTING_SK))
        except TransactWriteError as exc:
            if (project.pk, project.sk) in transactions.failed_keys(exc):
                raise ConflictError(
                    f"a project may have at most {MAX_NUMBERS} numbers; delete one first", {"max_numbers": MAX_NUMBERS}
                ) from None
            if transactions.condition_failed(exc) or transactions.conflicted(exc):
                continue  # the number (or the default it replaces) changed meanwhile: read it again
            raise
        sites.forget_site(project)
        [(listed, saved)] = _with_holds([NumberListing.get(keys.number_pk(number), keys.NUMBER_LISTING_SK)])
        return out(listed, saved)
    raise ConflictError(f"{number} changed meanwhile; try again")


def _pool_entry(project_id: str, number: str, shard: int) -> list[Action]:
    """A number's free place in a pool shard."""
    return [Number.gsi1pk.set(keys.pool_gsi1pk(project_id, shard)), Number.gsi1sk.set(keys.pool_gsi1sk(None, number))]


def _current(number: str) -> Number | None:
    """`number` as it is now, if a project has it."""
    try:
        return Number.get(keys.number_pk(number), keys.NUMBER_SK, consistent_read=True)
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
            transaction.delete(NumberListing(keys.number_pk(number), keys.NUMBER_LISTING_SK))
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


def listing(project_id: str) -> list[tuple[NumberListing, Number | None]]:
    """The project's numbers (1 Query of GSI2) with their holds (their Number items: 1 BatchGetItem a 100)."""
    listed = list(NumberListing.query(keys.numbers_gsi2pk(project_id), index_name=keys.GSI2))
    return _with_holds(listed)


def _with_holds(listed: list[NumberListing]) -> list[tuple[NumberListing, Number | None]]:
    """Each pool number's listing with its Number item (the hold), read together; a default number holds none."""
    wanted = [(keys.number_pk(item.number), keys.NUMBER_SK) for item in listed if item.number_kind == POOL]
    found = {number.number: number for number in Item.batch_get(wanted) if isinstance(number, Number)}
    return [(item, found.get(item.number)) for item in listed]


def out(listed: NumberListing, number: Number | None) -> schemas.NumberOut:
    """A number as the API shows it: its hold only while it lasts."""
    holding = number is not None and held(number, clock.now())
    return schemas.NumberOut(
        number=listed.number,
        kind=listed.number_kind,
        label=listed.label,
        held_by_session=number.held_by_session if number and holding else None,
        hold_until=number.hold_until if number and holding else None,
    )


def overview(project: Project) -> schemas.NumberList:
    """The project's numbers and its pool's figures: its size, the numbers held now and the overflow so far."""
    items = [out(listed, number) for listed, number in listing(project.project_id)]
    pool = [item for item in items if item.kind == POOL]
    held_now = sum(1 for item in pool if item.hold_until)
    overflow = holds.overflow_total(project.project_id)
    return schemas.NumberList(items=items, pool=schemas.Pool(size=len(pool), held=held_now, overflow_total=overflow))
