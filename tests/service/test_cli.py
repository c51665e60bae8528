"""The `rightsline` command as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], stdin: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RIGHTSLINE_DATA_DIR": str(tmp_path), "RIGHTSLINE_SECRET_KEY": "cli-test"}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "rightsline", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


def test_scripted_chat_greets_then_gives_childline_for_risk(tmp_path: Path) -> None:
    result = run(["chat"], "hi\ni want to kill myself\n", tmp_path)
    assert result.returncode == 0, result.stderr
    turns = result.stdout.split("\n\n")
    assert "Rightsline" in turns[0]
    assert "0800 1111" in turns[-1].splitlines()[0]


def test_numbers_press_buttons(tmp_path: Path) -> None:
    result = run(["chat"], "1\n1\n", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1. I am a young person" in result.stdout
    assert "Where are you staying" in result.stdout
    assert "Thanks. I will give you answers for" in result.stdout


def test_purge_reports_what_it_removed(tmp_path: Path) -> None:
    result = run(["purge"], "", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "events: 0 removed" in result.stdout


def test_serve_runs_as_many_workers_as_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    from rightsline import cli

    # Each worker builds its own app, so uvicorn must get the factory by name, not an app.
    calls: list[tuple[object, dict[str, object]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append((app, options)))
    monkeypatch.setenv("RIGHTSLINE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("RIGHTSLINE_SECRET_KEY", raising=False)
    # Set here so that the value `serve` writes is taken away again after the test.
    monkeypatch.setenv("RIGHTSLINE_SERVED_APP", "not chosen yet")
    for argv, workers in ((["serve", "--workers", "3"], 3), (["serve"], 1)):
        args = cli.build_parser().parse_args([*argv, "--port", "8123"])
        assert args.run(args) == 0
        app, options = calls.pop()
        # Each worker runs served_app, which builds the app this command serves.
        assert app == "service.cli:served_app"
        assert os.environ["RIGHTSLINE_SERVED_APP"] == "rightsline.app:create_app"
        assert options["factory"] is True
        assert options["workers"] == workers
        assert options["port"] == 8123
    # The secret key is made once, before any worker starts, so they all share it.
    assert (tmp_path / "secret_key").exists()


def test_a_served_app_is_the_one_named_and_what_it_loaded_is_left_out_of_collections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from fastapi.testclient import TestClient

    from service import cli

    monkeypatch.setenv("RIGHTSLINE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RIGHTSLINE_SECRET_KEY", "cli-test")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("RIGHTSLINE_SERVED_APP", "rightsline.app:create_app")
    try:
        app = cli.served_app()
        # The model and the app stay put for the life of a worker: a full collection no
        # longer walks them while children wait for their answers.
        assert gc.get_freeze_count() > 100_000
    finally:
        gc.unfreeze()
    with TestClient(app) as client:
        started = client.post("/api/chat/sessions", json={})
        assert started.status_code == 201
        path = f"/api/chat/sessions/{started.json()['session_id']}/messages"
        answer = client.post(path, json={"text": "staff punched me"})
    assert "0800 1111" in answer.json()["replies"][0]["text"]


async def test_the_terminal_chat_shows_an_advocates_reply_as_its_words_promise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "An advocate will reply in this chat": while the terminal chat is open, an empty line
    shows what an advocate wrote back."""
    from sqlmodel import Session, select

    from service.cli import _chat_loop
    from service.db import make_engine
    from service.models import Referral, RelayMessage

    monkeypatch.setenv("RIGHTSLINE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RIGHTSLINE_SECRET_KEY", "cli-test")
    monkeypatch.delenv("DATABASE_URL", raising=False)

    def advocate_writes_back() -> None:
        database = make_engine(f"sqlite:///{tmp_path / 'rightsline.db'}")
        with Session(database) as session:
            [referral] = session.exec(select(Referral)).all()
            assert referral.id is not None and referral.session_id is not None
            session.add(
                RelayMessage(
                    referral_id=referral.id,
                    session_id=referral.session_id,
                    sender="advocate",
                    text="Hello, I am Sam from the advocate team.",
                )
            )
            session.commit()
        database.dispose()

    def typed() -> Iterator[str]:
        yield from ("1\n", "advocate\n", "yes\n")
        advocate_writes_back()
        yield "\n"

    monkeypatch.setattr("sys.stdin", typed())
    assert await _chat_loop() == 0
    said = capsys.readouterr().out
    assert "Press Enter to see if they have." in said
    assert said.rstrip().endswith("Your advocate says: Hello, I am Sam from the advocate team.")
