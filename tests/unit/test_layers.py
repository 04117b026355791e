"""The domain knows nothing of HTTP: only the HTTP edge imports Chalice, and nothing else imports the edge (read
from the source, without importing it)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CHALICELIB = Path(__file__).resolve().parents[2] / "chalicelib"
# the HTTP edge (with app.py): the routes, request parsing and the error mapping, the API's description
EDGE = {"chalicelib.routes", "chalicelib.http", "chalicelib.openapi"}
# keys and roles: the domain asks it who the caller is (Caller, Permission), the edge hands it the request
MAY_IMPORT_CHALICE = {"chalicelib.auth"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(CHALICELIB.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _on_the_edge(module: str) -> bool:
    return module in EDGE or module.startswith(("chalicelib.routes.", "chalicelib.openapi."))


def _imports(path: Path) -> set[str]:
    """Every module `path` imports (`from chalicelib import http` names chalicelib.http too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


DOMAIN = {
    _module_name(path): path
    for path in sorted(CHALICELIB.rglob("*.py"))
    if not _on_the_edge(_module_name(path)) and _module_name(path) not in MAY_IMPORT_CHALICE
}


def test_the_domain_is_all_of_chalicelib_but_the_edge() -> None:
    assert {"chalicelib.errors", "chalicelib.aws", "chalicelib.observability", "chalicelib.store.paging"} <= set(DOMAIN)
    assert not {"chalicelib.http", "chalicelib.routes", "chalicelib.routes.calls"} & set(DOMAIN)


@pytest.mark.parametrize("module", sorted(DOMAIN))
def test_a_domain_module_imports_neither_chalice_nor_the_http_edge(module: str) -> None:
    imported = _imports(DOMAIN[module])
    assert {name for name in imported if name == "chalice" or name.startswith("chalice.")} == set()
    assert {name for name in imported if _on_the_edge(name)} == set()
