"""The data folder is 0700 and the SQLite database with its -wal and -shm files 0600."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.app import create_app
from service.runtime import build_runtime
from service.settings import Settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most machines have (0022), which made these files world-readable before."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.mark.parametrize("install", ["fresh", "upgraded"])
async def test_the_database_files_are_private_once_the_service_has_written(
    tmp_path: Path, analyse: Any, install: str, usual_umask: None
) -> None:
    data = tmp_path / "data"
    if install == "upgraded":
        # As an older version left them: a readable folder and database.
        data.mkdir(mode=0o755)
        (data / "rightsline.db").touch(mode=0o644)
    # No secret key set, as with `make run`: one is generated into the data folder.
    settings = Settings(env="test", data_dir=data, database_url=None, secret_key=None)
    runtime = build_runtime(settings, analyse=analyse)
    try:
        transport = httpx.ASGITransport(app=create_app(runtime=runtime))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://rightsline.test"
        ) as http:
            started = await http.post("/api/chat/sessions", json={"role": "child"})
            session_id = started.json()["session_id"]
            said = await http.post(
                f"/api/chat/sessions/{session_id}/messages", json={"text": "can my mum visit"}
            )
            assert said.status_code == 200
        files = {path.name: mode(path) for path in data.iterdir()}
        assert mode(data) == 0o700
        assert files["rightsline.db"] == 0o600
        assert files["rightsline.db-wal"] == 0o600
        assert files["rightsline.db-shm"] == 0o600
        assert files["secret_key"] == 0o600
    finally:
        runtime.close()


def test_the_data_folder_is_private_whichever_database_is_used(
    tmp_path: Path, analyse: Any, usual_umask: None
) -> None:
    # The database is elsewhere (PostgreSQL, or SQLite in another folder): the data folder
    # still holds the secret key and the outbox of urgent referrals.
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    elsewhere = f"sqlite:///{tmp_path / 'db' / 'rightsline.db'}"
    settings = Settings(env="test", data_dir=data, database_url=elsewhere, secret_key=None)
    runtime = build_runtime(settings, analyse=analyse)
    try:
        assert mode(data) == 0o700
        assert mode(data / "secret_key") == 0o600
    finally:
        runtime.close()


def test_a_shared_folder_such_as_tmp_is_never_narrowed(tmp_path: Path) -> None:
    from service.db import make_engine

    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    make_engine(f"sqlite:///{shared / 'rightsline.db'}").dispose()
    assert mode(shared) == 0o1777
    assert mode(shared / "rightsline.db") == 0o600
