"""Helpers for content tests: a copy of the data to break one thing in."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from content.loader import DATA_DIR


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of content/data."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first `old` in `path` with `new`; return the 1-based line it was on."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line
