"""The demo project that `make run` creates on a fresh stack: a few weeks of calls with their reviews.

Everything goes through the domain functions (as the API would), so the demo data obeys the same rules.
"""

from __future__ import annotations

import io
import random
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from chalicelib import aws, calls, clock, settings
from chalicelib.auth import Caller, Role
from chalicelib.people import identities, members
from chalicelib.projects import create_project
from chalicelib.recordings import checking, objects, ogg, upload
from chalicelib.schemas import AlertsIn, CallIn, CommentIn, ReviewPatch, SettingsPatch
from local import notifications, worker

CATEGORIES = ["sale", "support", "spam", "partnership"]
TAGS = ["quote sent", "delivery", "new client", "complaint", "call back"]
CLIENTS = [f"+38050{n:07d}" for n in (1234567, 2345678, 3456789, 4567890, 5678901, 6789012, 7890123, 8901234)] + [
    "+48221234567",
    "+380441112233",
]
COMPANY_LINE = "+380443334455"
AGENTS = ["101", "102", "103"]
DEMO_ALERTS_EMAIL = "team@demo.example"  # missed-call alerts go here (make run prints them)
# the demo's people (make run prints their emails and passwords): the admin, and the agent at extension 101
ADMIN = ("admin@demo.callcard.test", "Olena Kovalenko", Role.ADMIN, None)
AGENT = ("agent@demo.callcard.test", "Maksym Shevchenko", Role.AGENT, "101")
COMMENTS = [
    "Asked for a quote for 20 units.",
    "Wants a call back after 3 pm.",
    "Complained about the delivery time.",
    "Existing customer, question about the invoice.",
    "Prefers e-mail; address in the CRM.",
]


def seed() -> dict[str, str]:
    """Create the demo project; its credentials as `{"project_id", "site_key", "admin_key", "admin_email",
    "admin_password", "admin_user_id", "agent_email", "agent_password", "agent_user_id"}`."""
    project = create_project("Demo", "UA")
    settings.change(
        project.project_id, SettingsPatch(categories=CATEGORIES, tags=TAGS, currency="UAH", timezone="Europe/Kyiv")
    )
    people = {who: seed_person(project.project_id, *person) for who, person in (("admin", ADMIN), ("agent", AGENT))}
    recorded = seed_calls(project.project_id)
    newest = seed_tracking(project.project_id)
    recorded[newest] = NEWEST_RECORDING
    seed_recordings(project.project_id, recorded)
    review_newest(project.project_id, newest, people["admin"], people["agent"])
    # set last, so that the seeded calls alert nobody: a missed call posted to `make run` prints its email
    settings.change(project.project_id, SettingsPatch(alerts=AlertsIn(missed_call_emails=[DEMO_ALERTS_EMAIL])))
    credentials = {"project_id": project.project_id, "site_key": project.site_key, "admin_key": project.admin_key}
    for who, person in people.items():
        user_id = str(person.caller.user_id)
        credentials |= {f"{who}_email": person.email, f"{who}_password": person.password, f"{who}_user_id": user_id}
    return credentials


def restore_people(demo: dict[str, str]) -> dict[str, str]:
    """The demo's people again after a restart: the emulator's Cognito keeps nothing (the snapshot holds the table
    and the bucket), so each is made again with their printed password and their membership moves to the new
    account. `demo` with the new user ids."""
    restored = dict(demo)
    for who, (email, name, role, extension) in (("admin", ADMIN), ("agent", AGENT)):
        if identities.user_id_of(email) is not None:
            continue  # the accounts outlived the emulator (nothing to do)
        members.remove_member(demo["project_id"], demo[f"{who}_user_id"])
        member = members.add_member(demo["project_id"], email, name, role, extension, demo[f"{who}_password"])
        restored[f"{who}_user_id"] = member.user_id
    return restored


@dataclass(frozen=True)
class DemoPerson:
    caller: Caller  # what signs their comments
    email: str
    password: str


def seed_person(project_id: str, email: str, name: str, role: Role, extension: str | None) -> DemoPerson:
    """A member with a password of their own (a random one: `make run` prints it)."""
    password = secrets.token_urlsafe(12)
    member = members.add_member(project_id, email, name, role, extension, password)
    caller = Caller(project_id, role, name, None, user_id=member.user_id, name=name, extension=extension)
    return DemoPerson(caller, email, password)


DEMO_AUDIO = Path(__file__).resolve().parent / "demo_audio"
# stereo calls of a minute or more (agent left, client right), made by local/demo_audio/make_call.py
NEWEST_RECORDING = DEMO_AUDIO / "call-72s-stereo-opus.ogg"
RECORDINGS = [DEMO_AUDIO / "call-84s-stereo-opus.ogg", DEMO_AUDIO / "call-63s-stereo-vorbis.ogg", NEWEST_RECORDING]


def _seconds(recording: Path) -> int:
    content = recording.read_bytes()
    return round(ogg.check(io.BytesIO(content), len(content)).duration_seconds)


def seed_calls(project_id: str, days: int = 21, recorded: int = 5) -> dict[str, Path]:
    """Calls of every direction and status over the last `days` days, some reviewed. The oldest answered call
    and the `recorded` newest get a recording, their talk time its length: those calls' ids and files."""
    rng = random.Random(20261125)
    project = settings.load_project(project_id)
    supervisor = Caller(project_id, Role.SUPERVISOR, "Olena (supervisor)", "demo")
    now = clock.now()
    payloads = []
    for index in range(days * 3):
        started_at = (
            now - timedelta(days=days) + timedelta(hours=8 * index + rng.randint(0, 5), minutes=rng.randint(0, 59))
        )
        direction = rng.choice(["incoming", "incoming", "incoming", "outgoing", "callback"])
        status = rng.choice(["answered", "answered", "answered", "missed", "busy", "failed", "voicemail"])
        client = rng.choice(CLIENTS) if rng.random() > 0.05 else None  # now and then a withheld number
        agent = rng.choice(AGENTS)
        payloads.append(
            CallIn(
                external_id=f"demo-{index}",
                direction=direction,
                status=status,
                started_at=started_at,
                caller=client if direction == "incoming" else agent,
                destination=COMPANY_LINE if direction == "incoming" else client,
                agent=agent,
                wait_seconds=rng.randint(0, 40),
                talk_seconds=rng.randint(5, 600) if status == "answered" else 0,
            )
        )
    answered = [index for index, payload in enumerate(payloads) if payload.status == "answered"]
    files = {index: RECORDINGS[n % len(RECORDINGS)] for n, index in enumerate([answered[0], *answered[-recorded:]])}
    for index, recording in files.items():
        payloads[index] = payloads[index].model_copy(update={"talk_seconds": _seconds(recording)})
    with_recording = {}
    for index, payload in enumerate(payloads):
        call_id = str(calls.record(project, payload).body["call_id"])
        if index in files:
            with_recording[call_id] = files[index]
        if payload.status == "answered" and rng.random() < 0.6:
            calls.change_review(
                supervisor,
                project,
                call_id,
                ReviewPatch(
                    category=rng.choice(CATEGORIES),
                    manager_rating=rng.randint(1, 5),
                    call_rating=rng.randint(1, 5),
                ),
            )
            calls.add_comment(supervisor, call_id, CommentIn(text=rng.choice(COMMENTS)))
    return with_recording


def seed_recordings(project_id: str, recorded: dict[str, Path]) -> None:
    """Real OGG recordings (local/demo_audio, encoded by opusenc and oggenc) for `recorded` calls, checked by the
    same code as an upload; the first of them is then archived (Glacier), as the lifecycle rule does, and the
    queue's handler hears of it from the notification S3 sends."""
    s3, bucket = aws.s3(), aws.bucket_name()
    keys = []
    pbx = Caller(project_id, Role.INTEGRATION, "PBX", "demo")
    for call_id, recording in recorded.items():
        call = calls.get(project_id, call_id)
        key = objects.object_key(project_id, call.call_id, call.started_at)
        upload.upload_url(pbx, call.call_id)  # the call waits for an object only once a URL was issued
        s3.put_object(Bucket=bucket, Key=key, Body=recording.read_bytes(), ContentType="audio/ogg")
        checking.process_object(key)
        keys.append(key)
    # what the lifecycle rule does after 365 days: the object moves to Glacier, and S3 notifies the transition
    s3.copy_object(Bucket=bucket, Key=keys[0], CopySource={"Bucket": bucket, "Key": keys[0]}, StorageClass="GLACIER")
    queue = worker.queue_url()
    transition = notifications.s3_event("LifecycleTransition", keys[0], clock.now())
    aws.sqs().send_message(QueueUrl=queue, MessageBody=transition)
    worker.drain(queue)  # the app's queue handler, as on AWS: the demo's card reads `archived` from the start


def review_newest(project_id: str, call_id: str, admin: DemoPerson, agent: DemoPerson) -> None:
    """The newest call shows the card at its fullest: a category, both ratings and a short thread of comments,
    signed by the demo's people."""
    project = settings.load_project(project_id)
    calls.change_review(
        admin.caller,
        project,
        call_id,
        ReviewPatch(category="sale", manager_rating=5, call_rating=4, tags=["quote sent", "delivery"], value="48500"),
    )
    for author, text in [
        (agent.caller, "Wants the Oslo sofa in grey, delivery to Kyiv before the 15th. Sent the quote by e-mail."),
        (admin.caller, "Good call: offered the autumn discount at the right moment."),
        (agent.caller, "Client confirmed the order; invoice sent."),
    ]:
        calls.add_comment(author, call_id, CommentIn(text=text))


UA = {
    "desktop": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 "
    "Safari/537.36",
    "mobile": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1",
    "android": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile "
    "Safari/537.36",
    "tablet": "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
    "Safari/605.1.15",
}
SITE = "https://demo-shop.example"
PAGES = [
    ("/sofas", "Sofas"),
    ("/sofas/oslo", "Sofa Oslo"),
    ("/delivery", "Delivery"),
    ("/contacts", "Contacts"),
    ("/sale", "Sale"),
    ("/armchairs", "Armchairs"),
]
# (visitor, client phone or None, device, city, [(days ago, landing query or path, referrer, calls after minutes)])
VISITS: list[tuple[str, str | None, str, str, list[tuple[float, str, str | None, int | None]]]] = [
    (
        "demo-visitor-anna",
        "+380501234567",
        "desktop",
        "Kyiv",
        [
            (12.3, "/sofas", "https://www.google.com/", None),
            (6.2, "/sofas/oslo", "https://www.google.com/", None),
            (2.1, "/sofas/oslo", None, 9),
            # the newest call of the log: a paid search ad, the client's fourth visit
            (0.06, "/sofas/oslo?utm_source=google&utm_medium=cpc&utm_campaign=sofas_brand&gclid=Cj0Kdemo", None, 7),
        ],
    ),
    (
        "demo-visitor-bohdan",
        "+380502345678",
        "mobile",
        "Lviv",
        [
            (9.4, "/sale?utm_source=facebook&utm_medium=cpc&utm_campaign=autumn_sale&fbclid=IwAR0demo", None, 4),
            (1.3, "/armchairs", "https://m.facebook.com/", 6),
        ],
    ),
    (
        "demo-visitor-olha",
        "+380503456789",
        "tablet",
        "Odesa",
        [
            (4.5, "/?utm_source=newsletter&utm_medium=email&utm_campaign=november", None, 12),
        ],
    ),
    (
        "demo-visitor-taras",
        "+380504567890",
        "android",
        "Kharkiv",
        [
            (3.2, "/sofas?gclid=Cj0KCQdemo", "https://www.google.com/", None),
            (0.4, "/delivery", "https://www.bing.com/", 3),
        ],
    ),
    (
        "demo-visitor-iryna",
        None,
        "desktop",
        "Dnipro",
        [
            (0.2, "/contacts", "https://blog.example.org/best-sofas", None),
        ],
    ),
]


def seed_tracking(project_id: str) -> str:
    """Tracked sessions of several visitors (sources, devices, cities, repeat visits, one who called twice), played
    through the tracking and call code at their own times, so that the demo cards show every visit section; the
    id of the last call (the newest of the log, made as long as its recording)."""
    from unittest import mock

    from chalicelib.schemas import EventBatch, SessionStart, TrackEvent
    from chalicelib.tracking import capture, events, numbers, sessions

    project = settings.load_project(project_id)
    numbers.put(project, COMPANY_LINE, numbers.DEFAULT, "printed on the site")
    for index in range(6):
        numbers.put(project, f"+38044333460{index}", numbers.POOL, "website")
    site_key = settings.load_project(project_id).site_key
    timeline = sorted(
        (days, visitor, phone, device, city, path, referrer, call_after)
        for visitor, phone, device, city, sessions in VISITS
        for days, path, referrer, call_after in sessions
    )[::-1]  # oldest first, as they happened
    now = clock.now()
    call_ids = []
    issued: dict[str, str | None] = {}  # each demo visitor's id as the first start issued it (ids are signed)
    for index, (days, visitor, phone, device, city, path, referrer, call_after) in enumerate(timeline):
        moment = now - timedelta(days=days)
        viewer = capture.Viewer(UA[device], f"198.51.100.{10 + index}", {"country": "UA", "region": None, "city": city})
        with mock.patch.object(clock, "now", return_value=moment):
            started = sessions.start(
                SessionStart(
                    site_key=site_key,
                    visitor_id=issued.get(visitor),
                    url=SITE + path,
                    referrer=referrer,
                    title="Demo shop",
                ),
                viewer,
            )
        issued[visitor] = started.visitor_id
        for step, (page, title) in enumerate(PAGES[index % 3 : index % 3 + 3]):
            moment += timedelta(seconds=40 + 25 * step)
            batch = [TrackEvent(type="pageview", url=SITE + page, title=title), TrackEvent(type="ping")]
            with mock.patch.object(clock, "now", return_value=moment):
                events.record_events(str(started.session_id), EventBatch(site_key=site_key, events=batch))
        if phone and call_after is not None and started.phone_number:
            payload = CallIn(
                external_id=f"demo-tracked-{index}",
                direction="incoming",
                status="answered",
                started_at=moment + timedelta(minutes=call_after),
                caller=phone,
                destination=started.phone_number,
                agent=AGENTS[index % 3],
                wait_seconds=6,
                talk_seconds=_seconds(NEWEST_RECORDING) if index == len(timeline) - 1 else 95 + 20 * index,
            )
            call_ids.append(str(calls.record(settings.load_project(project_id), payload).body["call_id"]))
    return call_ids[-1]
