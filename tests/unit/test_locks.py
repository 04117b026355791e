"""The locks (requirements*.txt, written by `make lock`) are fresh and complete: every pin of the human-edited
.in files is locked at its version, every locked distribution carries hashes, and the development lock installs
the runtime lock's versions (what `chalice package` puts in deployment.zip)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# a requirement line: name, extras, version, environment marker (the rest of the line)
REQUIREMENT = re.compile(
    r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)(?:\s*;\s*([^\\#]+?))?\s*(?:\\|#|$)"
)
LOCKS = {"requirements.in": "requirements.txt", "requirements-dev.in": "requirements-dev.txt"}
LOCKS["requirements-checkov.in"] = "requirements-checkov.txt"


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(path: Path) -> dict[str, str]:
    """name -> version of an .in file, with the files it includes (`-r`)."""
    pins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-r "):
            pins |= _pins(path.parent / line.removeprefix("-r ").strip())
        elif match := REQUIREMENT.match(line):
            pins[_name(match[1])] = match[2]
    return pins


def _locked(path: Path) -> dict[str, set[str]]:
    """name -> versions of a lock (one per environment marker)."""
    locked: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := REQUIREMENT.match(line):
            locked.setdefault(_name(match[1]), set()).add(match[2])
    return locked


@pytest.mark.parametrize(("source", "lock"), LOCKS.items())
def test_every_pin_is_locked_at_its_version(source: str, lock: str) -> None:
    locked = _locked(ROOT / lock)
    stale = {name: version for name, version in _pins(ROOT / source).items() if locked.get(name) != {version}}
    assert stale == {}, f"{source} changed since {lock} was written: run `make lock`"


@pytest.mark.parametrize("lock", LOCKS.values())
def test_every_locked_distribution_has_its_hashes(lock: str) -> None:
    entries = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / lock).read_text(encoding="utf-8").split("\n", 2)[2])
    assert entries and all(REQUIREMENT.match(entry) for entry in entries)
    assert [entry.split(" ")[0] for entry in entries if "--hash=sha256:" not in entry] == []


def test_development_installs_the_runtime_locks_versions() -> None:
    development = _locked(ROOT / "requirements-dev.txt")
    runtime = _locked(ROOT / "requirements.txt")
    assert {name: versions for name, versions in runtime.items() if development.get(name) != versions} == {}
