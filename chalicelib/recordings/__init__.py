"""Recordings, a file a job: objects.py (object keys and the bucket), upload.py (upload URLs), checking.py (what
arrives; the only module that loads the Ogg checker, mutagen), events.py (the queue's S3 notifications),
status.py (what a recording's status shows), deletion.py, shares.py, archive.py (archive state and restore),
public.py (the public share route) and page.py (its HTML page).

The status lives on the Call item (the call log filters on it); the details, the restore request and the
history live in the RECORDING item of the call's partition, and each share link has an item there too (with
its `uses`; an expired one stays until the next share purges it) plus a SHARE#{token} item for the public
route. So one Query of the call's partition (chalicelib.partition) reads everything a recording route needs.
"""
