"""The real `rightsline serve` as a child process for the benchmarks, and a fresh database."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
RIGHTSLINE = ROOT / ".venv" / "bin" / "rightsline"
POSTGRES = "postgresql://postgres@127.0.0.1:5432"
# Settings from the machine that must not leak into a measured server.
UNSET = ("DATABASE_URL", "REDIS_URL", "TELEGRAM_BOT_TOKEN", "WEBHOOK_URL", "RIGHTSLINE_ENV")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def fresh_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database for one run; dropped afterwards."""
    name = f"rightsline_bench_{secrets.token_hex(4)}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        # The cluster may have been stopped by a fault; it is started again before this runs.
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class Server:
    """One `rightsline serve` on a free port with its own data dir, logging to a file."""

    def __init__(
        self,
        home: Path,
        *,
        database_url: str | None = None,
        redis_url: str | None = None,
        workers: int = 1,
        limits_raised: bool = True,
    ) -> None:
        self.home = home
        self.data_dir = home / "data"
        self.log_path = home / "server.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        # The benchmarks compute the chats' keyed hashes to find their referrals.
        self.secret_key = secrets.token_urlsafe(32)
        self.env = {k: v for k, v in os.environ.items() if k not in UNSET}
        self.env |= {
            "RIGHTSLINE_DATA_DIR": str(self.data_dir),
            "RIGHTSLINE_SECRET_KEY": self.secret_key,
        }
        if database_url:
            self.env["DATABASE_URL"] = database_url
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        if limits_raised:
            # All the load comes from one address and each chat sends fast: the default limits
            # would turn most of it into flood replies, and that is not what is measured.
            self.env |= {
                "RIGHTSLINE_CHAT_LIMIT": "1000000",
                "RIGHTSLINE_ADDRESS_LIMIT": "1000000",
                "RIGHTSLINE_NEW_CHAT_LIMIT": "1000000",
            }
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "rightsline.db"

    def database_url(self) -> str:
        """The SQLAlchemy URL of the database this server writes to, for reading it directly."""
        url = self.env.get("DATABASE_URL") or f"sqlite:///{self.sqlite_path}"
        return url.replace("postgresql://", "postgresql+psycopg://", 1)

    def start(self) -> None:
        log = self.log_path.open("ab")
        command = [str(RIGHTSLINE), "serve", "--port", str(self.port)]
        command += ["--workers", str(self.workers)]
        # Its own process group, so kill -9 reaches every worker, as a crash of the host would.
        self.process = subprocess.Popen(
            command,
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def kill(self) -> None:
        """kill -9: no shutdown, no flush, nothing finishes."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None

    def cpu_seconds(self) -> float:
        """CPU time used so far by the server and its workers (its own session), from /proc."""
        if self.process is None:
            return 0.0
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rpartition(")")[2].split()
            except OSError:
                continue  # a process that ended meanwhile
            # After the name: state is field 0, session 3, utime 11, stime 12 (proc(5)).
            if int(fields[3]) == self.process.pid:
                total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def connections(self) -> list[int]:
        """Open client connections held by each process of the server, most first (`ss`)."""
        if self.process is None:
            return []
        listing = subprocess.run(
            ["ss", "-tnpH", "state", "established", f"( sport = :{self.port} )"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        held = Counter(re.findall(r"pid=(\d+)", listing))
        return sorted(held.values(), reverse=True)

    def wait(self, path: str = "/readyz", timeout: float = 240) -> dict:
        """Until `path` answers 200 (the model loads in each worker first); its JSON."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"the server stopped:\n{self.log_tail()}")
            try:
                answer = httpx.get(self.url + path, timeout=5)
                if answer.status_code == 200:
                    return answer.json()
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"{path} did not answer 200 in {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 15) -> str:
        """The end of the server's log: its temporary directory goes when the run ends."""
        return "\n".join(self.log_lines()[-lines:])

    def log_lines(self) -> list[str]:
        if not self.log_path.exists():
            return []
        return self.log_path.read_text(errors="replace").splitlines()
