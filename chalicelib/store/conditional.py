"""Conditional writes of one item: whether the condition held, and every other failure raised as it is.

A condition that fails is an answer (the item changed or went meanwhile); throttling past the retries
(ServiceUnavailableError, from aws.py), a refused request or a fault is not, and must not read as one.
"""

from __future__ import annotations

from collections.abc import Sequence

from pynamodb.exceptions import DeleteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model

CONDITION_FAILED = "ConditionalCheckFailedException"


def conditional_update(item: Model, actions: Sequence[Action], condition: Condition | None = None) -> bool:
    """Applies `actions` to `item` if `condition` holds (True); False if it does not. A model with a version
    attribute adds its own condition (the version as read), so `condition` may be left out for it."""
    try:
        item.update(actions=list(actions), condition=condition)
    except UpdateError as exc:
        if exc.cause_response_code != CONDITION_FAILED:
            raise
        return False
    return True


def conditional_delete(item: Model, condition: Condition) -> bool:
    """Deletes `item` if `condition` holds (True); False if it does not."""
    try:
        item.delete(condition=condition)
    except DeleteError as exc:
        if exc.cause_response_code != CONDITION_FAILED:
            raise
        return False
    return True
