"""chalicelib/schemas answers each name from the group module that defines it: its table of names, the modules and
the imports mypy reads (under TYPE_CHECKING) must say the same."""

from __future__ import annotations

import ast
from pathlib import Path

from chalicelib import schemas

PACKAGE = Path(schemas.__file__)


def _defined_in(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_each_group_defines_exactly_the_names_the_table_gives_it() -> None:
    for group, names in schemas._GROUPS.items():
        defined = {name for name in _defined_in(PACKAGE.parent / f"{group}.py") if not name.startswith("_")}
        assert defined == set(names), group


def test_the_imports_mypy_reads_are_the_table() -> None:
    imported: dict[str, set[str]] = {}
    for node in ast.walk(ast.parse(PACKAGE.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("chalicelib.schemas."):
            imported[node.module.rsplit(".", 1)[1]] = {alias.name for alias in node.names}
    assert imported == {group: set(names) for group, names in schemas._GROUPS.items()}


def test_a_name_is_answered_from_its_group_and_an_unknown_one_is_an_attribute_error() -> None:
    assert schemas.SessionStart.__module__ == "chalicelib.schemas.tracking"
    assert schemas.Card.__module__ == "chalicelib.schemas.calls"
    try:
        schemas.NoSuchModel  # noqa: B018
    except AttributeError as error:
        assert "NoSuchModel" in str(error)
    else:
        raise AssertionError("an unknown name must raise AttributeError")
