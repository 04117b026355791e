"""Visitor ids, issued by the server and signed, so that a visitor id read from a site's cookie by some script
cannot make another browser's sessions join that visitor's client (DESIGN.md, "Hardening (third round)").

An id reads `{32 hex digits}_{signature}`: the signature is HMAC-SHA256 of the project id and the digits, keyed
with the stack's visitor secret (Secrets Manager, read once per warm function like the origin secret), cut to
128 bits and written in base64url. An id without a valid signature (a made-up one, another project's, an old
cookie from before signing) is no visitor: the session starts a new one, and its answer carries the new id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import uuid

from chalicelib import aws

# Deployed, the ARN of the stack's visitor secret (set by the template); locally the local stack's secret, which
# local/bootstrap.py creates from the template.
SECRET_VARIABLE = "CALLCARD_VISITOR_SECRET_ARN"
LOCAL_SECRET = "callcard/visitor-secret"
SIGNATURE_BYTES = 16


def _signature(project_id: str, digits: str) -> str:
    key = aws.secret_value(os.environ.get(SECRET_VARIABLE, LOCAL_SECRET)).encode()
    mac = hmac.new(key, f"{project_id}:{digits}".encode(), hashlib.sha256).digest()[:SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def issue(project_id: str) -> str:
    """A new visitor's id."""
    digits = uuid.uuid4().hex
    return f"{digits}_{_signature(project_id, digits)}"


def known(project_id: str, visitor_id: str | None) -> str | None:
    """`visitor_id` when this stack issued it for this project, else None (then a new visitor starts)."""
    digits, _, signature = (visitor_id or "").partition("_")
    if not signature:
        return None
    return visitor_id if hmac.compare_digest(signature, _signature(project_id, digits)) else None
