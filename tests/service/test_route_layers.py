"""Each route module only translates HTTP: it imports no other route module and no table.

Shared pieces live in service/ modules (service.deps, service.accounts, service.referrals...);
a type a route needs, such as Advocate, comes through one of those, never from service.models.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROUTES = Path(__file__).resolve().parents[2] / "service" / "routes"
ROUTE_PACKAGE = "service.routes"
TABLES = "service.models"


def imported(path: Path) -> set[str]:
    """Every module (and `module.name`) that the file imports, with relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ROUTE_PACKAGE.rsplit(".", node.level - 1)[0]
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def route_files() -> list[Path]:
    return sorted(path for path in ROUTES.glob("*.py") if path.name != "__init__.py")


def route_modules() -> set[str]:
    return {f"{ROUTE_PACKAGE}.{path.stem}" for path in route_files()}


@pytest.mark.parametrize("path", route_files(), ids=lambda path: path.name)
def test_a_route_module_imports_no_other_route_module(path: Path) -> None:
    others = route_modules() - {f"{ROUTE_PACKAGE}.{path.stem}"}
    wrong = {
        name
        for name in imported(path)
        if name in others or any(name.startswith(f"{other}.") for other in others)
    }
    assert not wrong, f"{path.name} imports {sorted(wrong)}: move what they share to service/"


@pytest.mark.parametrize("path", route_files(), ids=lambda path: path.name)
def test_a_route_module_does_not_reach_into_the_tables(path: Path) -> None:
    wrong = {name for name in imported(path) if name == TABLES or name.startswith(f"{TABLES}.")}
    assert not wrong, f"{path.name} imports {sorted(wrong)}: ask a service module instead"


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("import service.models", "service.models"),
        ("from service import models", "service.models"),
        ("from service.models import Advocate", "service.models"),
        ("from service.routes.auth import WRONG", "service.routes.auth"),
        ("from service.routes import auth", "service.routes.auth"),
        ("from . import referrals", "service.routes.referrals"),
        ("from .dashboard import render", "service.routes.dashboard"),
        ("from .. import models", "service.models"),
    ],
)
def test_the_check_sees_every_way_of_importing(tmp_path: Path, line: str, name: str) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(f"{line}\n", encoding="utf-8")
    assert name in imported(sample)
