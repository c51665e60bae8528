"""The layers: `service/` never imports a channel, and `rightsline/` alone wires them together."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) for every absolute import in a file, at any depth (inside functions too)."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
            # `from service import models` imports service.models.
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def offences(package: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, module in imported(path):
            if any(module == name or module.startswith(f"{name}.") for name in forbidden):
                found.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return found


def test_the_service_never_imports_a_channel_or_the_composition_root() -> None:
    assert offences("service", ("bot", "rightsline")) == []


def test_the_bot_reaches_no_table_and_no_database_directly() -> None:
    # It speaks to the engine, the relay and the settings; the tables are the service's.
    forbidden = ("service.models", "service.storage", "service.db", "sqlmodel", "sqlalchemy")
    assert offences("bot", (*forbidden, "rightsline")) == []


@pytest.mark.parametrize("package", ["service", "bot"])
def test_the_check_would_see_an_import_hidden_in_a_function(
    package: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hidden = tmp_path / package / "hidden.py"
    hidden.parent.mkdir()
    hidden.write_text(
        "def later():\n    from bot.web import telegram_router\n    import sqlmodel\n"
    )
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert offences(package, ("bot", "sqlmodel")) == [
        f"{package}/hidden.py:2 imports bot.web",
        f"{package}/hidden.py:2 imports bot.web.telegram_router",
        f"{package}/hidden.py:3 imports sqlmodel",
    ]
