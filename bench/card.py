"""What one card read costs for a short and a long client history, what tracking costs, the size of track.js as
served, and `import app`.

Run with `make bench`. It starts its own emulator (moto server over HTTP), so it needs no AWS account.
Everything goes through the HTTP API (Chalice's test client); request counts come from botocore's event
hooks (local.metrics), times are wall-clock medians against the local emulator (they say little about
DynamoDB, so only the ratios are worth quoting).
"""

from __future__ import annotations

import gzip
import os
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from typing import Any

from local import metrics
from local.emulator import Emulator, configure_environment

metrics.install()

HISTORIES = (3, 300)
READS = 20
SNIPPET_BUDGET_GZIPPED = 6 * 1024  # the budget for track.js (README, "Tracking")
BROWSER = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _import_seconds(statement: str, runs: int = 5) -> float:
    """Median wall time of a fresh interpreter running `statement` (interpreter start included)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True, env=os.environ.copy())
        times.append(time.perf_counter() - started)
    return statistics.median(times)


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
        from chalicelib import clock

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
        return str(self.request("POST", "/v1/calls", call)["call_id"])

    def start_session(self, visitor_id: str | None) -> dict[str, Any]:
        body = {"site_key": self.site_key, "url": "https://shop.example/?utm_source=bench", "visitor_id": visitor_id}
        if visitor_id is None:
            del body["visitor_id"]
        with metrics.dynamodb_requests() as seen:
            started: dict[str, Any] = self.request("POST", "/v1/track/sessions", body, **BROWSER)
        started["requests"] = len(seen)
        return started

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
    emulator = Emulator(_free_port())
    configure_environment(emulator.url)
    emulator.start()
    try:
        from chalice.test import Client

        from app import app
        from chalicelib import projects
        from chalicelib.linking import LINK_QUEUE
        from local import worker
        from local.bootstrap import bootstrap

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
            print("  (3 while a number is free; a takeover of the longest-idle number adds the previous hold's end)")
            snippet = client.http.request("GET", "/v1/track.js").body
            print(
                f"track.js as served: {len(snippet)} bytes, {len(gzip.compress(snippet))} gzipped "
                f"(budget {SNIPPET_BUDGET_GZIPPED})"
            )
    finally:
        emulator.stop()

    boto3_alone = _import_seconds("import boto3")
    whole_app = _import_seconds("import app")
    print("cold start (fresh interpreter, median of 5):")
    print(
        f"  import boto3: {boto3_alone * 1000:.0f} ms; import app: {whole_app * 1000:.0f} ms "
        f"(ratio {whole_app / boto3_alone:.2f})"
    )


if __name__ == "__main__":
    main()
