"""`make run`: the emulator, the bootstrapped table and bucket, the demo project and `chalice local`.

Configured by environment (DESIGN.md section 5): PORT (8000), EMULATOR_PORT (5000), CALLCARD_TABLE
(callcard), CALLCARD_BUCKET (callcard-recordings), AWS_DEFAULT_REGION (eu-central-1), AWS_ENDPOINT_URL
(the emulator; where set, used as given) and CALLCARD_PUBLIC_URL (the address `chalice local` serves, for
share links and the like). Data survives a restart through the snapshot under .local/ (CALLCARD_LOCAL_DIR
moves it: the tests run the whole command in a temporary directory).

A module `local/worker.py` with `run(stop: threading.Event) -> None`, if present, runs in a thread until
`stop` is set (the recordings queue's consumer).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from local import snapshot
from local.bootstrap import LOCAL_ALERTS_SENDER, bootstrap
from local.emulator import DEFAULT_REGION, DUMMY_CREDENTIALS, Emulator

ROOT = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("CALLCARD_LOCAL_DIR", ROOT / ".local"))
DEMO_FILE = STATE / "demo.json"
SNAPSHOT_DIRECTORY = STATE / "snapshot"
SNAPSHOT_EVERY_SECONDS = 30.0


@dataclass(frozen=True)
class Settings:
    port: int
    emulator_port: int
    table: str
    bucket: str
    region: str
    endpoint_url: str
    public_url: str

    @classmethod
    def from_env(cls) -> Settings:
        emulator_port = int(os.environ.get("EMULATOR_PORT", "5000"))
        port = int(os.environ.get("PORT", "8000"))
        return cls(
            port=port,
            emulator_port=emulator_port,
            table=os.environ.get("CALLCARD_TABLE", "callcard"),
            bucket=os.environ.get("CALLCARD_BUCKET", "callcard-recordings"),
            region=os.environ.get("AWS_DEFAULT_REGION", DEFAULT_REGION),
            endpoint_url=os.environ.get("AWS_ENDPOINT_URL", f"http://127.0.0.1:{emulator_port}"),
            public_url=os.environ.get("CALLCARD_PUBLIC_URL", f"http://127.0.0.1:{port}"),
        )

    def environment(self) -> dict[str, str]:
        """What the app, the worker and the seed see (dummy credentials unless real ones are set)."""
        return {
            **{name: os.environ.get(name, value) for name, value in DUMMY_CREDENTIALS.items()},
            "CALLCARD_TABLE": self.table,
            "CALLCARD_BUCKET": self.bucket,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "CALLCARD_PUBLIC_URL": self.public_url,
            # webhooks may go to receivers on this machine over http (the template never sets it)
            "CALLCARD_WEBHOOKS_ALLOW_LOOPBACK": "true",
            "CALLCARD_ALERTS_SENDER": os.environ.get("CALLCARD_ALERTS_SENDER", LOCAL_ALERTS_SENDER),
            "CALLCARD_INVITATIONS": "print",  # no mail leaves: members' invitations are printed here
        }


def main() -> int:
    settings = Settings.from_env()
    for port in (settings.port, settings.emulator_port):
        if _port_in_use(port):
            print(f"port {port} is already in use (set PORT / EMULATOR_PORT)", file=sys.stderr)
            return 1
    os.environ.update(settings.environment())
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    emulator = Emulator(settings.emulator_port)
    emulator.start()
    server: subprocess.Popen[bytes] | None = None
    worker: threading.Thread | None = None
    try:
        os.environ.update(bootstrap(settings.table, settings.bucket).people_environment())
        demo = _restore_or_seed()
        worker = _start_worker(stop)
        server = _start_chalice(settings)
        _announce(settings, demo)
        while not stop.wait(SNAPSHOT_EVERY_SECONDS):
            if server.poll() is not None:
                print(f"the local API exited with {server.returncode}", file=sys.stderr)
                break
            _save_snapshot()
    finally:
        stop.set()
        if server is not None:
            stop_process(server)
        if worker is not None:
            worker.join(timeout=10)
        _save_snapshot()
        emulator.stop()
        print("stopped; data saved under .local/ (make reset wipes it)")
    return 0


def _restore_or_seed() -> dict[str, str]:
    """The saved data and demo keys; a new demo project (saved at once) when either is missing."""
    if snapshot.exists(SNAPSHOT_DIRECTORY):
        snapshot.load(SNAPSHOT_DIRECTORY)
        if DEMO_FILE.exists():
            demo: dict[str, str] = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
            if "agent_user_id" in demo:  # else saved before the demo had people: a new demo project with them
                from local.seed import restore_people

                demo = restore_people(demo)
                DEMO_FILE.write_text(json.dumps(demo, indent=2) + "\n", encoding="utf-8")
                return demo
    # Imported only now: the models read the table name from the environment when imported.
    from local.seed import seed

    demo = seed()
    STATE.mkdir(exist_ok=True)
    DEMO_FILE.write_text(json.dumps(demo, indent=2) + "\n", encoding="utf-8")
    _save_snapshot()
    return demo


def _save_snapshot() -> None:
    try:
        snapshot.save(SNAPSHOT_DIRECTORY)
    except Exception as error:  # noqa: BLE001 - a failed snapshot must not stop the stack; the next one retries
        print(f"snapshot failed: {error}", file=sys.stderr)


def _start_worker(stop: threading.Event) -> threading.Thread | None:
    if importlib.util.find_spec("local.worker") is None:
        return None
    worker = importlib.import_module("local.worker")
    thread = threading.Thread(target=worker.run, args=(stop,), name="recordings-worker", daemon=True)
    thread.start()
    return thread


def _start_chalice(settings: Settings) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "local.api", "--host", "127.0.0.1", "--port", str(settings.port), "--stage", "dev"]
    server = subprocess.Popen(command, env=os.environ.copy(), cwd=ROOT)
    deadline = time.monotonic() + 60
    while not _port_in_use(settings.port):
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the local API (local/api.py) did not start")
        time.sleep(0.2)
    return server


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Terminate a child politely, then firmly."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _announce(settings: Settings, demo: dict[str, str]) -> None:
    url = f"http://127.0.0.1:{settings.port}"
    print(
        "\n".join(
            [
                "",
                f"callcard       {url}/",
                f"emulator       {settings.endpoint_url}",
                f"project        {demo['project_id']}",
                f"site key       {demo['site_key']}",
                f"admin key      {demo['admin_key']}",
                f"admin email    {demo['admin_email']}",
                f"admin password {demo['admin_password']}",
                f"agent email    {demo['agent_email']}",
                f"agent password {demo['agent_password']}",
                "",
            ]
        ),
        flush=True,
    )


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


if __name__ == "__main__":
    sys.exit(main())
