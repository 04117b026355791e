"""AWS clients, built on first use (never at import) so that tests can point them at the emulator, and the
configuration they read when first used (never at import: Chalice's packager imports app.py without the stage's
environment).

botocore (and so pynamodb) honours the standard AWS_ENDPOINT_URL, which is how the local stack is reached.

Every client has connect and read timeouts and a bounded retry budget, in one of two policies: an API request's
(it must answer before API Gateway's 29 s: a request past its deadline stops calling AWS and answers 503) and a
queue handler's (it may wait out a throttling storm, so that its message does not go to the dead-letter queue).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import botocore.session
from botocore.config import Config
from botocore.exceptions import ConnectionError, HTTPClientError

from chalicelib.errors import ServiceUnavailableError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient
    from pynamodb.connection import Connection


@dataclass(frozen=True)
class ClientPolicy:
    connect_timeout: float
    read_timeout: float
    max_attempts: int  # the first try included (botocore's standard retry mode, exponential backoff with jitter)


# Worst case of one AWS call begun just before the deadline: an attempt (1 + 4 s), the throttling backoff before
# the next (at most 2 s), then the deadline check refuses the next attempt: 20 + 5 + 2 = 27 s < 29 s.
API = ClientPolicy(connect_timeout=1, read_timeout=4, max_attempts=3)
API_DEADLINE_SECONDS = 20.0
# queue handlers: up to 8 tries with backoff (about 1 + 2 + 4 + 8 + 16 + 20 + 20 s) outlast a short throttling storm
BACKGROUND = ClientPolicy(connect_timeout=5, read_timeout=20, max_attempts=8)
# the card sends its client's queries together (card.py) over the one DynamoDB connection's pool
POOL_CONNECTIONS = 10

First = TypeVar("First")
Second = TypeVar("Second")

_policy: ContextVar[ClientPolicy] = ContextVar("aws_client_policy", default=API)
_deadline: ContextVar[float | None] = ContextVar("aws_deadline", default=None)
_building = threading.Lock()  # a client is built once, not by whichever of the card's threads comes first

# AWS's answers that mean "slow down" rather than "you are wrong"
_THROTTLING_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "Throttling",
        "RequestLimitExceeded",
        "SlowDown",
        "ServiceUnavailable",
        "InternalServerError",
        "RequestThrottled",
        "TooManyRequestsException",
    }
)


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION", "eu-central-1")


def table_name() -> str:
    return os.environ.get("CALLCARD_TABLE", "callcard")


def bucket_name() -> str:
    return os.environ.get("CALLCARD_BUCKET", "callcard-recordings")


def user_pool_id() -> str:
    """The people's Cognito user pool (the template's PeopleUserPool; locally the one the bootstrap made)."""
    return _required("CALLCARD_USER_POOL_ID")


def user_pool_client_id() -> str:
    """The user pool's app client that signs people in with their password (PeopleUserPoolClient)."""
    return _required("CALLCARD_USER_POOL_CLIENT_ID")


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"set {name}")
    return value


def public_base_url() -> str:
    """The address the API and web app are reached at, without a trailing slash: CALLCARD_PUBLIC_URL, else the
    SSM parameter named by CALLCARD_PUBLIC_URL_PARAMETER (deployed: the template cannot hand the function its
    CloudFront address directly, that would be a circular reference)."""
    configured = os.environ.get("CALLCARD_PUBLIC_URL")
    if configured:
        return configured.rstrip("/")
    parameter = os.environ.get("CALLCARD_PUBLIC_URL_PARAMETER")
    if not parameter:
        raise RuntimeError("set CALLCARD_PUBLIC_URL or CALLCARD_PUBLIC_URL_PARAMETER")
    return _parameter(parameter).rstrip("/")


def public_url(path: str) -> str:
    """The absolute address of `path` that people and browsers use: from configuration, never from request
    headers (a client can forge those)."""
    return f"{public_base_url()}{quote(path)}"


def alerts_sender() -> str:
    """The SES identity (an email address) that missed-call alerts are sent from: CALLCARD_ALERTS_SENDER (deployed:
    the template's AlertsSenderEmail; locally a made-up address that the bootstrap verifies in the emulator)."""
    sender = os.environ.get("CALLCARD_ALERTS_SENDER")
    if not sender:
        raise RuntimeError("set CALLCARD_ALERTS_SENDER")
    return sender


def policy() -> ClientPolicy:
    return _policy.get()


@contextmanager
def background() -> Iterator[None]:
    """The block's AWS calls use the queue handlers' longer retry budget (and no request deadline)."""
    token = _policy.set(BACKGROUND)
    try:
        yield
    finally:
        _policy.reset(token)


@contextmanager
def api_request() -> Iterator[None]:
    """The block is one API request: its AWS calls stop once API_DEADLINE_SECONDS have passed."""
    token = _deadline.set(time.monotonic() + API_DEADLINE_SECONDS)
    try:
        yield
    finally:
        _deadline.reset(token)


def together(first: Callable[[], First], second: Callable[[], Second]) -> tuple[First, Second]:
    """Both calls at once, as one round trip's wait instead of two (botocore clients are thread-safe and the one
    DynamoDB connection keeps a pool); `first` runs in this thread, `second` in the process's pool, with this
    request's policy and deadline. Raises what either raised (the first's error first)."""
    pending = _threads().submit(copy_context().run, second)
    try:
        first_result = first()
    except BaseException:
        wait([pending])  # no call outlives the request that made it
        raise
    return first_result, pending.result()


def all_together(calls: Sequence[Callable[[], First]]) -> list[First]:
    """Every call at once, as `together` does for two: the first in this thread, the rest in the pool."""
    if not calls:
        return []
    pending = [_threads().submit(copy_context().run, call) for call in calls[1:]]
    try:
        first_result = calls[0]()
    finally:
        wait(pending)  # no call outlives the request that made it
    return [first_result, *(future.result() for future in pending)]


@cache
def _threads() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=POOL_CONNECTIONS, thread_name_prefix="aws")


def _refuse_past_deadline(**_: Any) -> None:
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        raise ServiceUnavailableError("AWS answered too slowly; try again shortly")


def _throttled(http_response: Any, parsed: dict[str, Any], **_: Any) -> None:
    # after-call fires once the retries are spent: a throttling answer then is the caller's to retry later
    if http_response.status_code >= 300 and parsed.get("Error", {}).get("Code") in _THROTTLING_CODES:
        raise ServiceUnavailableError("AWS is throttling; try again shortly")


def _unreachable(exception: Exception, **_: Any) -> None:
    if isinstance(exception, ConnectionError | HTTPClientError):
        raise ServiceUnavailableError("AWS could not be reached in time; try again shortly") from exception


def _config(client_policy: ClientPolicy, **extra: Any) -> Config:
    return Config(
        connect_timeout=client_policy.connect_timeout,
        read_timeout=client_policy.read_timeout,
        retries={"mode": "standard", "total_max_attempts": client_policy.max_attempts},
        max_pool_connections=POOL_CONNECTIONS,
        **extra,
    )


def _watched(client: Any) -> Any:
    """The client's failures that mean "AWS is slow or throttling" raise ServiceUnavailableError (the API answers
    503 with Retry-After; a queue handler's message is tried again later)."""
    # before-send fires for every attempt, retries included: no attempt starts past the request's deadline
    client.meta.events.register("before-send", _refuse_past_deadline)
    client.meta.events.register("after-call", _throttled)
    client.meta.events.register("after-call-error", _unreachable)
    return client


def dynamodb() -> Connection:
    """The process's one DynamoDB connection (for the current policy), shared by every pynamodb model and every
    transaction (store/models.py, store/transactions.py)."""
    with _building:
        return _dynamodb(policy(), region())


@cache
def _dynamodb(client_policy: ClientPolicy, region_name: str) -> Connection:
    from pynamodb.connection import Connection

    connection = Connection(
        region=region_name,
        connect_timeout_seconds=client_policy.connect_timeout,
        read_timeout_seconds=client_policy.read_timeout,
        retry_configuration={"mode": "standard", "total_max_attempts": client_policy.max_attempts},
        max_pool_connections=POOL_CONNECTIONS,
    )
    _watched(connection.client)
    return connection


def s3() -> S3Client:
    with _building:
        client: S3Client = _client("s3", policy(), region())
        return client


def sqs() -> SQSClient:
    with _building:
        client: SQSClient = _client("sqs", policy(), region())
        return client


@cache
def _parameter(name: str) -> str:
    return str(ssm().get_parameter(Name=name)["Parameter"]["Value"])


def ssm() -> Any:  # no mypy_boto3_ssm stubs installed
    with _building:
        return _client("ssm", policy(), region())


def ses() -> Any:  # no mypy_boto3_ses stubs installed
    with _building:
        return _client("ses", policy(), region())


def cognito() -> Any:  # no mypy_boto3_cognito_idp stubs installed
    with _building:
        return _client("cognito-idp", policy(), region())


@cache
def secret_value(arn: str) -> str:
    """A Secrets Manager secret's string, read once per warm function (a rotated secret needs new functions)."""
    return str(secretsmanager().get_secret_value(SecretId=arn)["SecretString"])


def secretsmanager() -> Any:  # no mypy_boto3_secretsmanager stubs installed
    with _building:
        return _client("secretsmanager", policy(), region())


@cache
def _client(service: str, client_policy: ClientPolicy, region_name: str) -> Any:
    # botocore's own clients, one session for all: boto3 adds nothing the app uses (presigned URLs are botocore's),
    # and leaving it out spares its import on a cold start and 1.3 MB of the package
    extra = {"signature_version": "s3v4"} if service == "s3" else {}
    return _watched(_session().create_client(service, region_name=region_name, config=_config(client_policy, **extra)))


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()
