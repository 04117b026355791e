"""The public share route: a share link's token exchanged for fresh presigned URLs, counting each use."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib import clock, observability
from chalicelib.errors import NotFoundError
from chalicelib.partition import from_items
from chalicelib.recordings import status
from chalicelib.recordings.objects import download_name, presigned_get
from chalicelib.recordings.shares import TOKEN
from chalicelib.store import keys
from chalicelib.store.conditional import conditional_update
from chalicelib.store.models import Call, CallShare, Item, ShareLink


@dataclass(frozen=True)
class SharedRecording:
    """What a share link's page shows: fresh URLs (None while archived) and what the link keeps of the call."""

    play_url: str | None
    download_url: str | None
    link: ShareLink


def open_share(token: str) -> SharedRecording:
    """A share link's fresh presigned URLs, counting the use; 404 once revoked, expired or deleted.

    One GetItem by token, one Query for the call and its recording (whose status says archived or deleted, no S3
    request); the count is a conditional ADD on the call's listing item, which a revoke removes in the transaction
    that ends the link (a delete removes both, and the object, before it answers).
    """
    if not TOKEN.match(token):
        raise NotFoundError("no such share link")
    try:
        link = ShareLink.get(keys.share_pk(token), keys.SHARE_SK)
    except ShareLink.DoesNotExist:
        raise NotFoundError("no such share link") from None
    now = clock.now()
    if link.expires_at is not None and link.expires_at <= now:
        raise NotFoundError("no such share link")
    pk = keys.call_pk(link.project_id, link.call_id)
    read = from_items(list(Item.query(pk, Item.sk.between(keys.CALL_SK, keys.RECORDING_SK))))
    shown = status.shown(read) if read is not None else None
    if shown is None or shown.status not in Call.KEPT_RECORDING:
        raise NotFoundError("no such share link")
    share = CallShare(keys.call_pk(link.project_id, link.call_id), keys.call_share_sk(token))
    if not conditional_update(share, [CallShare.uses.add(1)], CallShare.pk.exists()):
        raise NotFoundError("no such share link")  # revoked meanwhile
    observability.tag(project_id=link.project_id, call_id=link.call_id)
    observability.count("ShareLinksOpened")
    if shown.status not in status.PLAYABLE:
        return SharedRecording(None, None, link)
    # named here, not when the link was made: links made before kept a name with the client's number
    attachment = f'attachment; filename="{download_name(link.call_id, link.call_started_at)}"'
    return SharedRecording(presigned_get(link.object_key, "inline"), presigned_get(link.object_key, attachment), link)
