"""Helpers shared by the integration tests: the API through Chalice's test client, and the calls, visits,
tracking numbers and recordings that tests make through it. Fixtures live in conftest.py."""

from __future__ import annotations

import http.server
import io
import ipaddress
import itertools
import json
import secrets
import threading
import time
import wave
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import boto3
import pytest
import requests
from botocore.exceptions import EndpointConnectionError
from chalice.test import Client
from standardwebhooks.webhooks import Webhook as StandardWebhook, WebhookVerificationError

from bench import cost
from chalicelib import auth, aws, clock, history, projects
from chalicelib.people import members
from chalicelib.store import keys
from chalicelib.store.models import Call, Comment, Number, Session
from chalicelib.tracking import numbers as tracking_numbers
from chalicelib.webhooks.delivery import DELIVERY_QUEUE
from local import worker
from local.notifications import s3_event


@dataclass
class Api:
    """The app through Chalice's test client, with one project's keys."""

    client: Client
    project_id: str
    site_key: str
    keys: dict[str, str]

    def key(self, role: str) -> str:
        if role not in self.keys:
            self.keys[role] = auth.create_key(self.project_id, auth.Role(role), f"{role} of the test").key
        return self.keys[role]

    def request(self, method: str, path: str, body: Any = None, role: str | None = "admin", **headers: str) -> Any:
        if role:
            headers.setdefault("Authorization", f"Bearer {self.key(role)}")
        if body is not None:
            headers.setdefault("Content-Type", "application/json")
        raw = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
        encoded = raw.encode() if isinstance(raw, str) else raw or b""
        return self.client.http.request(method, path, headers=headers, body=encoded)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.request("PATCH", path, body, **kwargs)


def new_api(client: Client, country: str = "UA") -> Api:
    created = projects.create_project("test project", country)
    return Api(client, created.project_id, created.site_key, {"admin": created.admin_key})


# ---- calls ------------------------------------------------------------------------------------------

_ids = itertools.count()


def a_call(**overrides: Any) -> dict[str, Any]:
    call = {
        "external_id": f"pbx-{next(_ids)}",
        "direction": "incoming",
        "status": "answered",
        "started_at": "2026-11-20T10:15:00Z",
        "caller": "+380441234567",
        "destination": "+380443334455",
        "agent": "101",
        "wait_seconds": 5,
        "talk_seconds": 60,
    }
    call.update(overrides)
    return call


def post(api: Api, **overrides: Any) -> dict[str, Any]:
    response = api.post("/v1/calls", a_call(**overrides), role="integration")
    assert response.status_code == 201, response.json_body
    return dict(response.json_body)


def card(api: Api, call_id: str) -> dict[str, Any]:
    response = api.get(f"/v1/calls/{call_id}")
    assert response.status_code == 200, response.json_body
    return dict(response.json_body)


def comments(call_pk: str, count: int, newest: datetime, apart: timedelta, author: str, text: str) -> list[Comment]:
    """`count` comments of a call, the newest at `newest` and each earlier one `apart` before it (to write directly:
    what tests measure is how they are read)."""
    made = []
    for index in range(count):
        created_at = newest - apart * index
        comment_id = f"{index:032x}"
        made.append(
            Comment(
                call_pk,
                keys.comment_sk(created_at, comment_id),
                comment_id=comment_id,
                author=author,
                text=text,
                created_at=created_at,
            )
        )
    return made


# ---- tracking numbers (fresh ones each time: numbers are global and the run shares one table) ----------

UA_DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
_fresh = itertools.count(1000)


def fresh_number() -> str:
    return f"+380442{next(_fresh):06d}"


@dataclass(frozen=True)
class Numbers:
    default: str
    pool: list[str]


def add_numbers(api: Api, pool: int, default: bool = True) -> Numbers:
    default_number = fresh_number()
    if default:
        assert api.request("PUT", f"/v1/numbers/{default_number}", {"kind": "default"}).status_code == 200
    numbers = [fresh_number() for _ in range(pool)]
    for number in numbers:
        response = api.request("PUT", f"/v1/numbers/{number}", {"kind": "pool", "label": "site"})
        assert response.status_code == 200, response.json_body
    return Numbers(default_number, numbers)


def a_stored_pool_number(project_id: str, number: str, **fields: Any) -> Number:
    """A pool number's item as written straight to the table (a layout or a state the API would not make)."""
    return Number(
        keys.number_pk(number),
        keys.NUMBER_SK,
        number=number,
        project_id=project_id,
        number_kind=tracking_numbers.POOL,
        **fields,
    )


# ---- visits -------------------------------------------------------------------------------------------

UA_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.0 Mobile/15E148 Safari/604.1"
)
VIEWER = {
    "User-Agent": UA_IPHONE,
    "X-Forwarded-For": "198.51.100.7, 10.0.0.1",
    "CloudFront-Viewer-Country": "UA",
    "CloudFront-Viewer-Country-Region": "30",
    "CloudFront-Viewer-City": "Kyiv",
}
LANDING = "https://shop.example/sofas?utm_source=newsletter&utm_medium=email&utm_campaign=spring&gclid=abc123"


_addresses = itertools.count(1)


def an_address() -> str:
    """A visitor address no other start of the run used (198.18.0.0/15 is for benchmarks, RFC 2544)."""
    return str(ipaddress.ip_address("198.18.0.0") + next(_addresses))


def start(api: Api, site_key: str | None = None, **fields: Any) -> Any:
    body = {"site_key": site_key or api.site_key, "url": LANDING, "referrer": "https://mail.example/", **fields}
    return api.request("POST", "/v1/track/sessions", body, role=None, **VIEWER)


def page_figures(session: Session) -> list[dict[str, Any]]:
    """A stored session's pages (its page items with the page it holds), each {"u", "t" when known, "v", "s"}."""
    pages = history.session_pages(session)
    return [history.page_counters(*entry) for by_page in pages.values() for entry in by_page.values()]


def events(api: Api, session_id: str, batch: list[dict[str, Any]], site_key: str | None = None) -> Any:
    body = {"site_key": site_key or api.site_key, "events": batch}
    return api.request("POST", f"/v1/track/sessions/{session_id}/events", body, role=None, **VIEWER)


def call_to(api: Api, number: str, caller: str = "+380671234567", **fields: Any) -> dict[str, Any]:
    body = a_call(
        direction="incoming",
        caller=caller,
        destination=number,
        started_at=clock.iso(fields.pop("at", clock.now())),
        **fields,
    )
    response = api.post("/v1/calls", body, role="integration")
    assert response.status_code == 201, response.json_body
    card = api.get(f"/v1/calls/{response.json_body['call_id']}")
    assert card.status_code == 200, card.json_body
    return dict(card.json_body)


def at_time_of_day(monkeypatch: pytest.MonkeyPatch, hour: int, minute: int = 0) -> None:
    """Freezes the clock at hour:minute UTC of yesterday: a test whose minutes must stay on one day (pages are kept
    by day), or must cross midnight, then passes whenever it runs."""
    yesterday = clock.now() - timedelta(days=1)
    _freeze_clock(monkeypatch, yesterday.replace(hour=hour, minute=minute, second=0, microsecond=0))


def later(monkeypatch: pytest.MonkeyPatch, minutes: float) -> None:
    # whole seconds, as the times in requests and responses: a call "now" is not before a session started "now"
    _freeze_clock(monkeypatch, (clock.now() + timedelta(minutes=minutes)).replace(microsecond=0))


def _freeze_clock(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment)


# ---- recordings ---------------------------------------------------------------------------------------

AUDIO = Path(__file__).resolve().parents[2] / "local" / "demo_audio"
VORBIS = (AUDIO / "greeting-vorbis.ogg").read_bytes()  # 4 s, mono, made with oggenc
OPUS = (AUDIO / "chord-opus.ogg").read_bytes()  # 3 s, mono, made with opusenc


def a_wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(8000)
        file.writeframes(b"\x00\x01" * 8000)
    return out.getvalue()


def an_mp3() -> bytes:
    # MPEG-1 Layer III frames, 128 kbit/s, 44.1 kHz: a frame header and silence, a few times
    return (b"\xff\xfb\x90\x64" + b"\x00" * 413) * 5


def without_last_page(data: bytes) -> bytes:
    """A stream cut cleanly at a page boundary: every page whole, but none ends the stream."""
    return data[: data.rindex(b"OggS")]


def upload(api: Api, call_id: str, data: bytes, queue: str) -> requests.Response:
    """Ask for the upload URL, PUT over HTTP as a PBX would, and let the worker process the notification."""
    answer = api.post(f"/v1/calls/{call_id}/recording/upload", role="integration")
    assert answer.status_code == 200, answer.json_body
    put = requests.put(answer.json_body["upload_url"], data=data, headers=answer.json_body["headers"], timeout=10)
    worker.drain(queue)
    return put


def recording(api: Api, call_id: str, role: str = "agent") -> dict[str, Any]:
    response = api.get(f"/v1/calls/{call_id}/recording", role=role)
    assert response.status_code == 200, response.json_body
    return dict(response.json_body)


def objects(api: Api) -> list[str]:
    listed = boto3.client("s3").list_objects_v2(Bucket=aws.bucket_name(), Prefix=f"recordings/{api.project_id}/")
    return [entry["Key"] for entry in listed.get("Contents", [])]


def with_recording(api: Api, queue: str, data: bytes = VORBIS) -> str:
    call_id = str(post(api, started_at="2026-11-25T10:15:00Z")["call_id"])
    assert upload(api, call_id, data, queue).status_code == 200
    assert recording(api, call_id)["status"] == "available"
    return call_id


def archive(api: Api, call_id: str, notify: bool = True) -> str:
    """What the lifecycle rule does after 365 days: the object moves to Glacier, and S3 notifies the queue of the
    transition (unless `notify` is off: a notification that was missed). The object's key."""
    key = copy_to_glacier(api, call_id)
    queue = worker.queue_url()
    discard(queue)  # the emulator's copy notification, which a lifecycle transition never sends
    if notify:
        deliver(queue, s3_event("LifecycleTransition", key, clock.now()))
    return key


def discard(queue: str) -> None:
    """The messages waiting on the queue, taken off unread (PurgeQueue may run once a minute only)."""
    sqs = aws.sqs()
    while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])


def copy_to_glacier(api: Api, call_id: str) -> str:
    """The recording's object copied over itself into Glacier (the emulator notifies ObjectCreated:Copy, as S3
    does); its key."""
    key = next(key for key in objects(api) if key.endswith(f"/{call_id}.ogg"))
    bucket = aws.bucket_name()
    boto3.client("s3").copy_object(
        Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": key}, StorageClass="GLACIER"
    )
    return key


def deliver(queue: str, *bodies: str) -> None:
    """Messages on the recordings queue, in this order, then the worker hands them to the app's handler."""
    for body in bodies:
        aws.sqs().send_message(QueueUrl=queue, MessageBody=body)
    worker.drain(queue)


# ---- failures --------------------------------------------------------------------------------------------


@contextmanager
def queue_sends_fail() -> Iterator[None]:
    """Every SQS SendMessage of the app fails inside the block, as when SQS cannot be reached (a botocore hook on
    the API's client and the queue handlers' alike)."""
    with aws.background():
        background = aws.sqs()
    clients = [aws.sqs(), background]

    def refuse(**kwargs: Any) -> None:
        raise EndpointConnectionError(endpoint_url="https://sqs.unreachable")

    for client in clients:
        client.meta.events.register("before-call.sqs.SendMessage", refuse, unique_id="queue_sends_fail")
    try:
        yield
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.sqs.SendMessage", unique_id="queue_sends_fail")


@contextmanager
def dynamodb_hook(handler: Callable[..., None], *events: str) -> Iterator[None]:
    """`handler` on the app's DynamoDB client for each botocore event (e.g. `before-call.dynamodb.UpdateItem`)
    inside the block: a race or a failure at a chosen request."""
    hooks = aws.dynamodb().client.meta.events
    for event in events:
        hooks.register(event, handler)
    try:
        yield
    finally:
        for event in events:
            hooks.unregister(event, handler)


@contextmanager
def write_units() -> Iterator[cost.Profile]:
    """The DynamoDB request units of the app's requests inside the block, metered as bench/cost.py meters them:
    each written item's before and after images read back through a probe client (its own reads not metered),
    1 WRU a KB of the larger image, twice in a transaction, and the index entries that change."""
    meter = cost.Meter(boto3.client("dynamodb"))
    with ExitStack() as hooks:
        for event, handler in meter.dynamodb_hooks().items():
            hooks.enter_context(dynamodb_hook(handler, event))
        with meter.measuring("block") as profile:
            yield profile


def sqs_event(body: str) -> dict[str, Any]:
    """One received message in the shape of Lambda's SQS event."""
    record = {
        "body": body,
        "eventSource": "aws:sqs",
        "receiptHandle": "r",
        "messageId": "m",
        "eventSourceARN": "arn:aws:sqs:eu-central-1:123456789012:q",
    }
    return {"Records": [record]}


# ---- contention ------------------------------------------------------------------------------------------

Outcome = TypeVar("Outcome")


def simultaneously(count: int, action: Callable[[int], Outcome]) -> list[Outcome | Exception]:
    """`action(index)` in `count` threads released at once: what each returned or raised, in index order.

    The actions call the domain functions themselves (Chalice's test client keeps one current request for all
    threads), with the queue handlers' client policy: the emulator serialises DynamoDB, so requests sent at once
    wait there for seconds, past an API request's read timeout, which AWS never makes them wait. What these tests
    prove is the outcome under contention, not the timeouts (tests/integration/test_aws_unavailable.py does)."""
    barrier = threading.Barrier(count)
    outcomes: list[Outcome | Exception] = [RuntimeError("not run")] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            with aws.background():
                outcomes[index] = action(index)
        except Exception as error:  # noqa: BLE001 - the caller asserts on it
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


# ---- webhooks --------------------------------------------------------------------------------------------


@dataclass
class Answer:
    """What a receiver answers one request with."""

    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    path: str = ""  # with the query string

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """A webhook receiver on 127.0.0.1 (a threaded http.server): it records every request and answers with the
    next of `answers` (204 once they are spent). `secrets` are those of the endpoints that send to it: the fixture
    verifies every request it got with them (`all_verified`)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: list[Answer] = []
        self.secrets: list[str] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", "0"))
                receiver.received.append(Received(dict(self.headers.items()), self.rfile.read(length), self.path))
                answer = receiver.answers.pop(0) if receiver.answers else Answer()
                time.sleep(answer.delay_seconds)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks?from=callcard"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def all_verified(self) -> None:
        """Every request received carries a valid signature by one of `secrets` (the standardwebhooks library)."""
        for received in self.received:
            assert any(_verifies(secret, received) for secret in self.secrets), received.headers


def _verifies(secret: str, received: Received) -> bool:
    try:
        verified(secret, received)
    except WebhookVerificationError:
        return False
    return True


def webhook(api: Api, receiver: Receiver, events: list[str]) -> dict[str, Any]:
    """A new endpoint of the project that sends to `receiver` (which learns its secret)."""
    response = api.post("/v1/webhooks", {"url": receiver.url, "events": events, "description": "the CRM"})
    assert response.status_code == 201, response.json_body
    receiver.secrets.append(response.json_body["secret"])
    return dict(response.json_body)


def deliver_webhooks() -> int:
    """Every webhook attempt waiting on the delivery queue, handled as Lambda would (local/worker.py)."""
    return worker.drain(worker.queue_url(DELIVERY_QUEUE))


def forget_queued_deliveries() -> None:
    """Drop what earlier tests left on the delivery queue (a retry's delayed message), before counting requests."""
    aws.sqs().purge_queue(QueueUrl=worker.queue_url(DELIVERY_QUEUE))


def deliveries(api: Api, webhook_id: str) -> list[dict[str, Any]]:
    response = api.get(f"/v1/webhooks/{webhook_id}/deliveries")
    assert response.status_code == 200, response.json_body
    return list(response.json_body["items"])


def verified(secret: str, received: Received) -> Any:
    """The body of a delivery, once the standardwebhooks library verified its signature (it raises otherwise)."""
    return StandardWebhook(secret).verify(received.body, received.headers)


# ---- people (DESIGN.md section 4a) ------------------------------------------------------------------

PUBLIC_ORIGIN = "https://callcard.test"  # CALLCARD_PUBLIC_URL of the tests (tests/conftest.py)
A_PASSWORD = "correct horse battery staple"
_people = itertools.count(1)


@dataclass
class Person:
    """A member of a project who signed in: requests carry the session cookie and the app's own Origin."""

    api: Api
    email: str
    password: str
    user_id: str
    cookie: str = ""

    def request(self, method: str, path: str, body: Any = None, origin: str | None = PUBLIC_ORIGIN) -> Any:
        headers = {"Cookie": f"{auth.SESSION_COOKIE}={self.cookie}"} if self.cookie else {}
        if origin is not None:
            headers["Origin"] = origin
        return self.api.request(method, path, body, role=None, **headers)

    def get(self, path: str) -> Any:
        return self.request("GET", path)

    def post(self, path: str, body: Any = None) -> Any:
        return self.request("POST", path, body)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    def sign_in(self, password: str | None = None) -> Any:
        body = {"email": self.email, "password": password or self.password}
        response = self.api.request("POST", "/v1/auth/sign-in", body, role=None, Origin=PUBLIC_ORIGIN)
        if response.status_code == 200:
            self.cookie = session_cookie_of(response)
        return response


def an_email() -> str:
    return f"person-{next(_people)}-{secrets.token_hex(4)}@example.com"


def a_member(
    api: Api, role: str = "agent", extension: str | None = None, email: str | None = None, name: str | None = None
) -> Person:
    """A person added to the project with a password of their own (as `member add --password` does), signed in."""
    email = email or an_email()
    added = members.add_member(
        api.project_id, email, name or f"{role.title()} {email[:12]}", auth.Role(role), extension, A_PASSWORD
    )
    person = Person(api, email, A_PASSWORD, added.user_id)
    assert person.sign_in().status_code == 200
    return person


def session_cookie_of(response: Any) -> str:
    """The session cookie's value that the answer sets."""
    set_cookie = response.headers["Set-Cookie"]
    name, _, rest = set_cookie.partition("=")
    assert name == auth.SESSION_COOKIE, set_cookie
    return str(rest.split(";", 1)[0])


def a_call_written_directly(project_id: str, call_id: str, phone: str, started_at: datetime) -> Call:
    """An answered 40 s incoming call with the log's and the client's keys only, as tests write many at once in a
    batch (what they measure is a read): no flags, reports, changes feed or events of a call recorded by the app."""
    return Call(
        keys.call_pk(project_id, call_id),
        keys.CALL_SK,
        call_id=call_id,
        project_id=project_id,
        external_id=call_id,
        direction="incoming",
        status="answered",
        started_at=started_at,
        caller=phone,
        destination="+380443334455",
        client_phone=phone,
        wait_seconds=3,
        talk_seconds=40,
        total_seconds=43,
        created_at=started_at,
        gsi1pk=keys.call_log_gsi1pk(project_id, call_id),
        gsi1sk=keys.call_log_gsi1sk(started_at, call_id),
        gsi2pk=keys.client_pk(project_id, phone),
        gsi2sk=keys.client_call_gsi2sk(started_at, call_id),
    )
