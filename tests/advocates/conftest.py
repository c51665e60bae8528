"""Fixtures for the advocate tests: two advocates and an admin on the real app (the live server
and the browser are shared, in tests/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.advocates.helpers import add_advocate

ADVOCATE = "advocate.one@example.org"
OTHER = "advocate.two@example.org"
ADMIN = "admin.person@example.org"


@pytest.fixture
def advocates(runtime: Any) -> dict[str, int]:
    """Email to id: two advocates (one unnamed) and an admin."""
    return {
        ADVOCATE: add_advocate(runtime, ADVOCATE, name="Test Advocate One"),
        OTHER: add_advocate(runtime, OTHER),
        ADMIN: add_advocate(runtime, ADMIN, admin=True, name="Test Admin"),
    }
