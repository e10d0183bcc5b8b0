"""The house plan's arrows, held in place: which modules may import typer, keyring, httpx and rich."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "spotiviz_cli"

ALLOWED = {
    "typer": {
        "cli/__init__.py",
        "cli/common.py",
        "cli/account.py",
        "cli/stats.py",
        "cli/history.py",
        "cli/report.py",
    },
    "click": set(),  # Typer vendors it
    "keyring": {"tokens.py", "services.py"},
    "httpx": {"api.py", "oauth.py", "services.py", "demo/transport.py"},
    "rich": {
        "cli/common.py",
        "cli/history.py",
        "render/text.py",
        "render/charts.py",
        "render/fit.py",
        "render/tables.py",
        "render/wrapped.py",
        "render/history.py",
        "services.py",
    },
}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_layers(path: Path) -> None:
    name = path.relative_to(PACKAGE).as_posix()
    for library, allowed in ALLOWED.items():
        if library in imported_roots(path):
            assert name in allowed, f"{name} imports {library}; only {sorted(allowed) or 'nothing'} may"


def test_every_module_says_what_it_owns() -> None:
    for path in MODULES:
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert docstring, f"{path.name} has no opening line saying what it owns"
