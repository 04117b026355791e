"""Write transactions on the one table, and what a cancelled one says about its conditions."""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib import aws
from chalicelib.store import keys


def transaction() -> TransactWrite:
    """A TransactWrite on the table, over the process's one connection (the models' own, store/models.py)."""
    return TransactWrite(connection=aws.dynamodb())


def condition_failed(exc: TransactWriteError) -> bool:
    """Whether some item's condition cancelled the transaction (rather than a conflict or a fault)."""
    reasons = exc.cancellation_reasons or []
    return any(reason is not None and reason.code == "ConditionalCheckFailed" for reason in reasons)


def conflicted(exc: TransactWriteError) -> bool:
    """Whether another request's transaction on the same items cancelled this one (worth trying again)."""
    reasons = exc.cancellation_reasons or []
    return any(reason is not None and reason.code == "TransactionConflict" for reason in reasons)


def failed_keys(exc: TransactWriteError) -> set[tuple[str, str]]:
    """The (PK, SK) of the items whose condition cancelled a transaction, as DynamoDB returns them (the writes
    with a condition ask for them with `return_values=ALL_OLD`; an item that does not exist has none)."""
    return {
        (reason.raw_item[keys.TABLE_HASH_KEY]["S"], reason.raw_item[keys.TABLE_RANGE_KEY]["S"])
        for reason in exc.cancellation_reasons or []
        if reason is not None and reason.code == "ConditionalCheckFailed" and reason.raw_item
    }
