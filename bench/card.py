"""What one card read costs for a short and a long client history, what tracking costs, the size of track.js as
served, the round trips each request waits for, `import app` against `import boto3` (bench/coldstart.py), and the
package's size.

Run with `make bench`. It starts its own emulator (moto server over HTTP), so it needs no AWS account.
Everything goes through the HTTP API (Chalice's test client); request counts come from botocore's event
hooks (local.metrics), times are wall-clock medians against the local emulator (they say little about
DynamoDB, so only the ratios are worth quoting).
"""

from __future__ import annotations

import gzip
import os
import statistics
import subprocess
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.coldstart import cold_start
from bench.delay import delayed_dynamodb
from bench.stack import free_port
from local import metrics
from local.emulator import Emulator, configure_environment

metrics.install()

HISTORIES = (3, 300)
READS = 20
# the delay added to every DynamoDB request to count the round trips a request waits for (the figure)
DELAY_SECONDS = 0.25
DELAYED_RUNS = 5
PACKAGE = Path(__file__).resolve().parent.parent / "out" / "deployment.zip"
SNIPPET_BUDGET_GZIPPED = 6 * 1024  # the budget for track.js (README, "Tracking")
BROWSER = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
}


def package_size() -> None:
    """The deployment zip of `make package` (built afresh, so that it is the tree's) and its size unpacked."""
    subprocess.run(["make", "package"], check=True, cwd=PACKAGE.parent.parent, stdout=subprocess.DEVNULL)
    with zipfile.ZipFile(PACKAGE) as archive:
        entries = archive.infolist()
    by_folder = Counter[str]()
    for entry in entries:
        by_folder[entry.filename.split("/", 1)[0]] += entry.file_size
    largest = ", ".join(f"{name} {size / 1e6:.1f}" for name, size in by_folder.most_common(4))
    print(
        f"package: deployment.zip {PACKAGE.stat().st_size / 1e6:.1f} MB, unpacked "
        f"{sum(by_folder.values()) / 1e6:.1f} MB (budget 35 MB); largest: {largest} MB"
    )


class Bench:
    def __init__(self, client: Any, admin_key: str, site_key: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {admin_key}", "Content-Type": "application/json"}
        self.site_key = site_key
        self.sequence = 0

    def request(self, method: str, path: str, body: dict[str, Any] | None = None, **headers: str) -> Any:
        import json

        response = self.client.http.request(
            method, path, headers={**self.headers, **headers}, body=json.dumps(body).encode() if body else b""
        )
        assert response.status_code < 300, (path, response.status_code, response.body)
        return response.json_body

    def post_call(self, caller: str, destination: str, minutes_ago: float) -> str:
        """Seeding, not measured: with the queue handlers' client policy, since the emulator (it serialises
        DynamoDB) may keep a call that links 20 sessions waiting past an API request's timeouts on a busy machine."""
        from chalicelib import aws, clock

        self.sequence += 1
        call = {
            "external_id": f"bench-{self.sequence}",
            "direction": "incoming",
            "status": "answered" if self.sequence % 3 else "missed",
            "started_at": clock.iso(clock.now() - timedelta(minutes=minutes_ago)),
            "caller": caller,
            "destination": destination,
            "wait_seconds": 4,
            "talk_seconds": 40 if self.sequence % 3 else 0,
        }
        with aws.background():
            return str(self.request("POST", "/v1/calls", call)["call_id"])

    def start_session(self, visitor_id: str | None) -> dict[str, Any]:
        body = {"site_key": self.site_key, "url": "https://shop.example/?utm_source=bench", "visitor_id": visitor_id}
        if visitor_id is None:
            del body["visitor_id"]
        with metrics.dynamodb_requests() as seen:
            started: dict[str, Any] = self.request("POST", "/v1/track/sessions", body, **BROWSER)
        started["requests"] = len(seen)
        return started

    def round_trips(self, label: str, request: Callable[[], object]) -> None:
        """The request's extra time with DELAY_SECONDS added to every DynamoDB request, in delays: the number of
        round trips it waits for one after another (bench/delay.py)."""
        plain, delayed = [], []
        rounds: list[list[str]] = []
        for _ in range(DELAYED_RUNS):
            started = time.perf_counter()
            request()
            plain.append(time.perf_counter() - started)
            with delayed_dynamodb(DELAY_SECONDS) as sent:
                started = time.perf_counter()
                request()
                delayed.append(time.perf_counter() - started)
            rounds = sent.rounds()
        extra = (statistics.median(delayed) - statistics.median(plain)) / DELAY_SECONDS
        shape = " then ".join("+".join(round_) for round_ in rounds)
        print(f"  {label}: {extra:.1f} x the delay (round trips of the last run: {len(rounds)}, {shape})")

    def card_cost(self, call_id: str) -> tuple[list[str], float]:
        self.request("GET", f"/v1/calls/{call_id}")  # warms the key lookup
        timings = []
        for _ in range(READS):
            with metrics.dynamodb_requests() as seen:
                started = time.perf_counter()
                self.request("GET", f"/v1/calls/{call_id}")
                timings.append(time.perf_counter() - started)
        return seen, statistics.median(timings)


def _report(label: str, seen: list[str], seconds: float) -> None:
    detail = ", ".join(f"{name} {count}" for name, count in sorted(Counter(seen).items()))
    print(f"  {label}: {len(seen)} DynamoDB requests ({detail}); median {seconds * 1000:.1f} ms")


def main() -> None:
    os.environ.setdefault("CALLCARD_TABLE", "callcard-bench")
    os.environ.setdefault("CALLCARD_BUCKET", "callcard-bench-recordings")
    os.environ.setdefault("CALLCARD_PUBLIC_URL", "http://127.0.0.1:8000")  # the cards' client_url
    emulator = Emulator(free_port())
    configure_environment(emulator.url)
    emulator.start()
    try:
        from chalice.test import Client

        from app import app
        from chalicelib import projects
        from chalicelib.linking import LINK_QUEUE
        from chalicelib.tracking import starts
        from local import worker
        from local.bootstrap import bootstrap

        # hundreds of starts a minute from the bench's one address: what a start costs, not the rate limit (which
        # tests/integration/test_holds.py tests); each start still counts itself (its UpdateItem is measured)
        starts.STARTS_PER_MINUTE = 1_000_000
        bootstrap(os.environ["CALLCARD_TABLE"], os.environ["CALLCARD_BUCKET"])
        created = projects.create_project("bench", "UA")
        with Client(app) as client:
            bench = Bench(client, created.admin_key, created.site_key)
            bench.request("PUT", "/v1/numbers/+380443330000", {"kind": "default"})
            for index in range(1, 4):
                bench.request("PUT", f"/v1/numbers/+38044333000{index}", {"kind": "pool"})

            print("card read (GET /v1/calls/{id}), key lookup warm:")
            for history in HISTORIES:
                phone = f"+38050111{history:04d}"
                for index in range(history):
                    call_id = bench.post_call(phone, "+380443330000", minutes_ago=(history - index) * 60)
                _report(f"client with {history:>3} calls   ", *bench.card_cost(call_id))

            session_starts: list[int] = []
            for history in HISTORIES:
                visitor = None
                for _ in range(history):
                    started = bench.start_session(visitor)
                    visitor = started["visitor_id"]
                    session_starts.append(started["requests"])
                # the visitor dials a few seconds after the last page load
                call_id = bench.post_call(f"+38067222{history:04d}", started["phone_number"], minutes_ago=-0.1)
                while worker.drain(worker.queue_url(LINK_QUEUE)):
                    pass  # older sessions join the client through the link queue, as on AWS
                card = bench.request("GET", f"/v1/calls/{call_id}")
                assert card["statistics"]["total_sessions"] == history, card["statistics"]
                _report(f"client with {history:>3} sessions", *bench.card_cost(call_id))
            spread = ", ".join(
                f"{count} requests x{times}" for count, times in sorted(Counter(session_starts[1:]).items())
            )
            print(f"session start (site key warm), {len(session_starts) - 1} starts on a 3-number pool: {spread}")
            print("  (4 while a number is free; a takeover of the longest-idle number adds the previous hold's end)")
            print(f"round trips waited for ({DELAY_SECONDS * 1000:.0f} ms added to every DynamoDB request):")
            bench.round_trips("card read       ", lambda: bench.request("GET", f"/v1/calls/{call_id}"))
            bench.round_trips("call log page   ", lambda: bench.request("GET", "/v1/calls?limit=50"))
            bench.round_trips("session start   ", lambda: bench.start_session(None))
            session_id = bench.start_session(None)["session_id"]
            pageview = {"type": "pageview", "url": "https://shop.example/sofas?utm_source=bench"}
            events = {"site_key": bench.site_key, "events": [pageview, {"type": "ping"}]}
            bench.round_trips(
                "events batch    ",
                lambda: bench.request("POST", f"/v1/track/sessions/{session_id}/events", events, **BROWSER),
            )
            snippet = client.http.request("GET", "/v1/track.js").body
            print(
                f"track.js as served: {len(snippet)} bytes, {len(gzip.compress(snippet))} gzipped "
                f"(budget {SNIPPET_BUDGET_GZIPPED})"
            )
    finally:
        emulator.stop()

    cold_start()
    package_size()


if __name__ == "__main__":
    main()
