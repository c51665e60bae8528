"""`rightsline serve` as an operator runs it in production: what the logs keep, who is held."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.advocates.conftest import ADVOCATE
from tests.advocates.helpers import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The real command in production mode on SQLite, with one advocate; (URL, log file)."""
    env = {
        **os.environ,
        "RIGHTSLINE_ENV": "production",
        "RIGHTSLINE_DATA_DIR": str(tmp_path),
        "RIGHTSLINE_SECRET_KEY": "serve-test-secret-key-not-for-production",
    }
    # FORWARDED_ALLOW_IPS is uvicorn's own: it must not matter either.
    for name in ("DATABASE_URL", "REDIS_URL", "TELEGRAM_BOT_TOKEN", "RIGHTSLINE_TRUSTED_PROXIES"):
        env.pop(name, None)
    env["FORWARDED_ALLOW_IPS"] = "*"
    command = [sys.executable, "-m", "rightsline"]
    added = subprocess.run(
        [*command, "advocate", "add", ADVOCATE, "--password-stdin"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert added.returncode == 0, added.stderr
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [*command, "serve", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"rightsline serve did not start:\n{log_path.read_text()}")
            time.sleep(0.3)
        yield url, log_path
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_served_service_keeps_tokens_out_of_its_log_and_holds_a_guesser(
    served: tuple[str, Path],
) -> None:
    url, log_path = served
    with httpx.Client(base_url=url, timeout=60) as http:
        session_id = http.post("/api/chat/sessions", json={"role": "child"}).json()["session_id"]
        chat = f"/api/chat/sessions/{session_id}"
        assert http.post(f"{chat}/messages", json={"text": "hello"}).status_code == 200
        assert http.get(f"{chat}/messages").status_code == 200
        assert http.delete(chat).status_code == 204

        # Five wrong guesses, each claiming to come from somewhere new: still one guesser.
        for number in range(5):
            wrong = http.post(
                "/api/auth/token",
                data={"username": ADVOCATE, "password": f"guess {number}"},
                headers={"X-Forwarded-For": f"10.20.30.{number}"},
            )
            assert wrong.status_code == 401
        right = http.post(
            "/api/auth/token",
            data={"username": ADVOCATE, "password": PASSWORD},
            headers={"X-Forwarded-For": "10.20.30.99"},
        )
        assert right.status_code == 429

        # No API reference in production, and the answers carry their headers.
        assert http.get("/docs").status_code == 404
        assert http.get("/openapi.json").status_code == 404
        api = http.get("/api/referrals")
        assert api.headers["cache-control"] == "no-store"
        assert http.get("/dashboard/login").headers["x-content-type-options"] == "nosniff"
    time.sleep(0.5)  # the last lines reach the file
    log = log_path.read_text()
    assert session_id not in log
    assert "POST /api/chat/sessions/…/messages 200" in log
    assert "DELETE /api/chat/sessions/… 204" in log
    assert "Traceback" not in log
