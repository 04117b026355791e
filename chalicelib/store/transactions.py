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


def failed_keys(transaction: TransactWrite, exc: TransactWriteError) -> set[tuple[str, str]]:
    """The (PK, SK) of the transaction's items whose condition failed.

    pynamodb sends condition checks, deletes, puts and updates in that order, whatever the order of the calls.
    """
    sent = [
        *transaction._condition_check_items,
        *transaction._delete_items,
        *transaction._put_items,
        *transaction._update_items,
    ]
    reasons = exc.cancellation_reasons or []
    failed = set()
    for item, reason in zip(sent, reasons, strict=False):
        if reason is not None and reason.code == "ConditionalCheckFailed":
            key = item.get("Key") or item["Item"]
            failed.add((key[keys.TABLE_HASH_KEY]["S"], key[keys.TABLE_RANGE_KEY]["S"]))
    return failed
