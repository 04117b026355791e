"""Deleting a recording: the status first, then every share link, then the object."""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from chalicelib.auth import Caller
from chalicelib.errors import ConflictError
from chalicelib.partition import load
from chalicelib.recordings import schedule
from chalicelib.recordings.objects import delete_object
from chalicelib.recordings.status import record_action, require_recording
from chalicelib.store import keys, transactions
from chalicelib.store.models import Call, CallShare, Item, Recording, ShareLink


def delete(caller: Caller, call_id: str) -> None:
    """Status `deleted` (so that no link can be made any more), then every share link ended, then the object.

    The links are ended in batches after the status changed, so the work stays small whatever their number, and
    a link made before the status changed is found by the read after it. Deleting a deleted recording again
    ends its links and removes its object again (a retry after a failure half-way).
    """
    partition = load(caller.project_id, call_id)
    if partition.call.recording_status != "deleted":
        require_recording(partition)
        try:
            with transactions.transaction() as transaction:
                call = Call(partition.pk, keys.CALL_SK)
                transaction.update(
                    call,
                    actions=[Call.recording_status.set("deleted"), *call.changed()],
                    condition=Call.recording_status.is_in(*Call.KEPT_RECORDING),
                )
                transaction.update(
                    Recording(partition.pk, keys.RECORDING_SK),
                    actions=[record_action(caller, "delete"), *schedule.listed(None, partition.pk)],
                    condition=Recording.pk.exists(),
                )
        except TransactWriteError as exc:
            if not transactions.condition_failed(exc):
                raise
            # only a delete takes a recording out of the kept states: a concurrent one; finish it as well
            partition = load(caller.project_id, call_id)
            if partition.call.recording_status != "deleted":
                require_recording(partition)
    if partition.recording is None:
        raise ConflictError("the call has no recording (status deleted)", {"status": "deleted"})
    end_links(partition.pk)
    delete_object(partition.recording.object_key)


def end_links(pk: str) -> None:
    """Every share link of the call, a page at a time: the public SHARE# item first, so that a failure half-way
    leaves the listing item by which a retry finds the rest."""
    listed = CallShare.query(pk, CallShare.sk.startswith(keys.SHARE_PREFIX), consistent_read=True, page_size=50)
    for page in listed.page_iter:
        shares = [CallShare.from_raw_data(raw) for raw in page.get("Items", [])]
        for items in ([ShareLink(keys.share_pk(s.token), keys.SHARE_SK) for s in shares], shares):
            with Item.batch_write() as batch:
                for item in items:
                    batch.delete(item)
