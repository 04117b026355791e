"""The versions of other libraries whose internals callcard leans on (an override or a patch of something not
public): another version stops the import with a message, before it can change behaviour quietly.

Upgrading one of them: check the internals still hold (tests/unit/test_patched_internals.py reads them), then
update the version where `require_version` is called and the pin in requirements*.in together (then `make lock`).
"""

from __future__ import annotations

from types import ModuleType


def require_version(library: ModuleType, written_for: str, leaning: str) -> None:
    """Raise unless `library` is at version `written_for`; `leaning` says what depends on its internals."""
    installed = getattr(library, "__version__", None)
    if installed != written_for:
        raise RuntimeError(
            f"{leaning} was written for {library.__name__} {written_for}'s internals, but {library.__name__} "
            f"{installed} is installed: check them (tests/unit/test_patched_internals.py), then update the version"
        )
