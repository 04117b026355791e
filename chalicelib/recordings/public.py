"""The public share route: a share link's token exchanged for fresh presigned URLs, counting each use."""

from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import ClientError
from pynamodb.exceptions import UpdateError

from chalicelib import aws, clock
from chalicelib.errors import NotFoundError
from chalicelib.recordings.objects import ARCHIVE_CLASSES, is_missing, presigned_get, restore_state
from chalicelib.recordings.shares import TOKEN
from chalicelib.store import keys
from chalicelib.store.models import CallShare, ShareLink


@dataclass(frozen=True)
class SharedRecording:
    """What a share link's page shows: fresh URLs (None while archived) and what the link keeps of the call."""

    play_url: str | None
    download_url: str | None
    link: ShareLink


def open_share(token: str) -> SharedRecording:
    """A share link's fresh presigned URLs, counting the use; 404 once revoked, expired or deleted.

    One GetItem by token; the count is a conditional ADD on the call's listing item, which a revoke removes in
    the transaction that ends the link (a delete removes both, and the object, before it answers).
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
    try:
        head = aws.s3().head_object(Bucket=aws.bucket_name(), Key=link.object_key)
    except ClientError as exc:
        if not is_missing(exc):
            raise
        raise NotFoundError("no such share link") from None
    try:
        CallShare(keys.call_pk(link.project_id, link.call_id), keys.call_share_sk(token)).update(
            actions=[CallShare.uses.add(1)], condition=CallShare.pk.exists()
        )
    except UpdateError:
        raise NotFoundError("no such share link") from None
    archived = head.get("StorageClass") in ARCHIVE_CLASSES and restore_state(head.get("Restore")).status != "restored"
    if archived:
        return SharedRecording(None, None, link)
    file_name = link.file_name or link.object_key.rsplit("/", 1)[-1]
    attachment = f'attachment; filename="{file_name}"'
    return SharedRecording(presigned_get(link.object_key, "inline"), presigned_get(link.object_key, attachment), link)
