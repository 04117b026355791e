"""How much one card read costs, for a short and a long client history, and what `import app` costs.

Run with `make bench`. It starts its own emulator (moto server over HTTP), so it needs no AWS account.
Request counts come from botocore's event hooks (local.metrics); times are wall-clock medians.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from local import metrics
from local.emulator import Emulator, configure_environment

metrics.install()


def _free_port() -> int:
    import socket

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


def _client_with_calls(project_id: str, count: int, phone: str) -> str:
    """Posts `count` calls of one client through the domain (as POST /v1/calls does); the newest call's id."""
    from chalicelib import calls, settings
    from chalicelib.schemas import CallIn

    project = settings.load_project(project_id)
    start = datetime.now(UTC) - timedelta(days=count)
    call_id = ""
    for index in range(count):
        payload = CallIn(
            external_id=f"bench-{phone}-{index}",
            direction="incoming",
            status="answered" if index % 3 else "missed",
            started_at=start + timedelta(days=index, hours=1),
            caller=phone,
            destination="+380443334455",
            wait_seconds=4,
            talk_seconds=40 if index % 3 else 0,
        )
        call_id = calls.record(project, payload).body["call_id"]
    return call_id


def main() -> None:
    os.environ.setdefault("CALLCARD_TABLE", "callcard-bench")
    os.environ.setdefault("CALLCARD_BUCKET", "callcard-bench-recordings")
    emulator = Emulator(_free_port())
    configure_environment(emulator.url)
    emulator.start()
    try:
        from chalice.test import Client

        from app import app
        from chalicelib import projects
        from local.bootstrap import bootstrap

        bootstrap(os.environ["CALLCARD_TABLE"], os.environ["CALLCARD_BUCKET"])
        created = projects.create_project("bench", "UA")
        headers = {"Authorization": f"Bearer {created.admin_key}"}
        print("card read (GET /v1/calls/{id}), key lookup warm:")
        with Client(app) as client:
            for history, phone in ((3, "+380441110003"), (300, "+380441110300")):
                call_id = _client_with_calls(created.project_id, history, phone)
                client.http.get(f"/v1/calls/{call_id}", headers=headers)  # warms the key cache
                timings = []
                for _ in range(20):
                    with metrics.dynamodb_requests() as seen:
                        started = time.perf_counter()
                        response = client.http.get(f"/v1/calls/{call_id}", headers=headers)
                        timings.append(time.perf_counter() - started)
                    assert response.status_code == 200, response.body
                detail = ", ".join(f"{name} {count}" for name, count in sorted(Counter(seen).items()))
                print(
                    f"  client with {history:>3} calls: {len(seen)} DynamoDB requests ({detail}); "
                    f"median {statistics.median(timings) * 1000:.1f} ms against the local emulator"
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
