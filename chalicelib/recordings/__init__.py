"""Recordings, a file a job:

- objects.py: object keys, presigned URLs, what S3 says of an object (one HEAD), removal; the queue's name.
- upload.py: upload URLs (the call then waits for an object).
- checking.py: what arrives becomes `available` or is `rejected` and removed; the only module that loads the Ogg
  checker (ogg.py, mutagen): the queue's and the sweeper's functions import it, the API never does.
- events.py: the queue's S3 notifications, each to the job it starts.
- archive.py: the archive state from S3's notifications (no S3 request to show a status), and restore.
- schedule.py and sweeper.py: recordings whose state waits on a message that may never come, looked at when due.
- status.py: the status object people see; deletion.py, shares.py; public.py and page.py: the public share route.

The status lives on the Call item (the call log filters on it); the details, the restore request, the archive
state's expiry and the history live in the RECORDING item of the call's partition, and each share link has an
item there too (with its `uses`; an expired one stays until the next share purges it) plus a SHARE#{token} item
for the public route. So one Query of the call's partition (chalicelib.partition) reads everything a recording
route needs.
"""
