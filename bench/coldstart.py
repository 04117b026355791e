"""`import app` against `import boto3` in fresh interpreters (the issue's cold-start budget: at most 1.5 x).

Both imports are measured with their bytecode in the same state, twice: cached (a virtualenv after its first run, or
a package that ships .pyc files) and compiled from source at every start (the deployment package as `make package`
builds it today: it ships no .pyc, and Lambda's file system is read-only, so nothing is cached between cold starts).
Left to the environment, the two would differ: site-packages hold bytecode, and with PYTHONDONTWRITEBYTECODE the
app's own modules would be compiled at every start while boto3's are not.

`make bench` prints it after the card's figures (bench/card.py); `python -m bench.coldstart [PAIRS]` runs only this.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from local.emulator import configure_environment

COLD_START_PAIRS = 11
BUDGET = 1.5


def _interpreter_seconds(statement: str, environment: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of a fresh interpreter running `statement` (its start included). CPU time is the steadier
    figure on a shared machine: another process's load stretches the wall time, not the work. (getrusage counts it
    in microseconds; os.times in clock ticks of 10 ms, a twentieth of what is measured.)"""
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True, env=environment)
    wall, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _pairs(label: str, environment: dict[str, str], pairs: int) -> float:
    """`import app` against `import boto3`, in pairs run one after the other (so that both see the same load); the
    median of the pairs' ratios. Returns `import app`'s median CPU seconds."""
    wall_ratios, cpu_ratios, app_cpu, boto3_cpu = [], [], [], []
    for _ in range(pairs):
        boto3_wall, boto3_seconds = _interpreter_seconds("import boto3", environment)
        app_wall, app_seconds = _interpreter_seconds("import app", environment)
        wall_ratios.append(app_wall / boto3_wall)
        cpu_ratios.append(app_seconds / boto3_seconds)
        app_cpu.append(app_seconds)
        boto3_cpu.append(boto3_seconds)
    print(
        f"  {label}: import boto3 {statistics.median(boto3_cpu) * 1000:.0f} ms CPU, import app "
        f"{statistics.median(app_cpu) * 1000:.0f} ms CPU: {statistics.median(cpu_ratios):.2f} x "
        f"(wall time: {statistics.median(wall_ratios):.2f} x)"
    )
    return statistics.median(app_cpu)


# what the first request of a kind imports of chalicelib/schemas on top of `import app` (its models' groups)
FIRST_REQUESTS = {
    "a tracking request (fields, tracking)": "SessionStart",
    "a card (fields, calls)": "Card",
    "a settings page (fields, admin)": "Settings",
}


def _using(model: str) -> str:
    return f"import app; from chalicelib import schemas; schemas.{model}"


def _first_requests(environment: dict[str, str], pairs: int, alone: float) -> None:
    """The CPU time a kind of request adds to a cold start by importing its group of models (medians of `pairs`),
    over `import app`'s median CPU seconds (`alone`)."""
    for kind, name in FIRST_REQUESTS.items():
        with_group = statistics.median(_interpreter_seconds(_using(name), environment)[1] for _ in range(pairs))
        print(f"    then {kind}: +{(with_group - alone) * 1000:.0f} ms CPU")


def cold_start(pairs: int = COLD_START_PAIRS) -> None:
    print(f"cold start (fresh interpreters, {pairs} pairs, medians; budget {BUDGET} x import boto3):")
    with tempfile.TemporaryDirectory() as cache:
        # every module's bytecode goes to (and is read from) the empty `cache`: nothing of the tree's is reused
        cached = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
        cached["PYTHONPYCACHEPREFIX"] = cache
        for statement in ("import boto3", "import app", *map(_using, FIRST_REQUESTS.values())):  # write the bytecode
            _interpreter_seconds(statement, cached)
        _first_requests(cached, pairs, _pairs("bytecode cached     ", cached, pairs))
    with tempfile.TemporaryDirectory() as empty:
        uncached = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": empty}
        _pairs("compiled from source", uncached, pairs)


def main() -> None:
    # the environment `make bench` gives `import app` (no request is made: nothing listens on the endpoint)
    os.environ.setdefault("CALLCARD_TABLE", "callcard-bench")
    os.environ.setdefault("CALLCARD_BUCKET", "callcard-bench-recordings")
    os.environ.setdefault("CALLCARD_PUBLIC_URL", "http://127.0.0.1:8000")
    configure_environment("http://127.0.0.1:9")
    cold_start(int(sys.argv[1]) if len(sys.argv) > 1 else COLD_START_PAIRS)


if __name__ == "__main__":
    main()
