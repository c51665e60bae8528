"""Advocate sign-in: password hashes, signed short-lived tokens, CSRF tokens and a login limit."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import threading
import time
from collections import defaultdict
from typing import Any

from pwdlib import PasswordHash

log = logging.getLogger(__name__)

passwords = PasswordHash.recommended()
# Checked against when the email is unknown, so a miss takes as long as a wrong password.
_DUMMY_HASH = passwords.hash("not a real password")


def hash_password(password: str) -> str:
    return passwords.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        passwords.verify(password, _DUMMY_HASH)
        return False
    try:
        return passwords.verify(password, password_hash)
    except Exception:  # noqa: BLE001 - a damaged hash is simply a failed sign-in
        return False


# ---- signed tokens ----------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, body: str) -> str:
    return _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


def issue_token(
    key: bytes, *, advocate_id: int, use: str, minutes: int, now: float | None = None
) -> str:
    """A token naming the advocate, what it is for ("api" or "dashboard") and when it ends."""
    expires = int((now if now is not None else time.time()) + minutes * 60)
    payload = {"sub": advocate_id, "use": use, "exp": expires}
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    return f"{body}.{_mac(key, body)}"


def read_token(key: bytes, token: str, *, use: str, now: float | None = None) -> int | None:
    """The advocate id in a genuine, unexpired token for this use; None for anything else."""
    body, dot, mac = token.partition(".")
    if not dot or not hmac.compare_digest(mac.encode(), _mac(key, body).encode()):
        return None
    try:
        payload: dict[str, Any] = json.loads(_unb64(body))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(payload, dict) or payload.get("use") != use:
        return None
    expires, advocate_id = payload.get("exp"), payload.get("sub")
    if not isinstance(expires, int) or not isinstance(advocate_id, int):
        return None
    if expires <= (now if now is not None else time.time()):
        return None
    return advocate_id


def csrf_token(key: bytes, nonce: str) -> str:
    """The form token for a browser's CSRF cookie: only the server can make it."""
    return _mac(key, f"csrf:{nonce}")


def csrf_valid(key: bytes, nonce: str | None, token: str | None) -> bool:
    if not nonce or not token:
        return False
    return hmac.compare_digest(csrf_token(key, nonce).encode(), token.encode())


# ---- the login limit --------------------------------------------------------------------


class LoginLimiter:
    """At most `attempts` failed sign-ins per email and address in `window_seconds`.

    Kept in memory, or in Redis when a URL is given so every process shares the count;
    if Redis fails the memory count carries on.
    """

    def __init__(
        self, *, attempts: int = 5, window_seconds: int = 15 * 60, redis_url: str | None = None
    ) -> None:
        self.attempts = attempts
        self.window = window_seconds
        self.redis_url = redis_url
        self._failures: dict[str, list[float]] = defaultdict(list)
        self._lock = threading.Lock()
        self._redis: Any = None

    @staticmethod
    def key(email: str, address: str) -> str:
        # Hashed, so Redis holds no email addresses.
        return hashlib.sha256(f"{email.strip().lower()}|{address}".encode()).hexdigest()

    def blocked(self, key: str) -> bool:
        redis = self._client()
        if redis is not None:
            try:
                return int(redis.get(f"rightsline:login:{key}") or 0) >= self.attempts
            except Exception as error:  # noqa: BLE001
                log.error("login limit: redis failed: %s", type(error).__name__)
        with self._lock:
            return len(self._recent(key)) >= self.attempts

    def failed(self, key: str) -> None:
        redis = self._client()
        if redis is not None:
            try:
                name = f"rightsline:login:{key}"
                pipe = redis.pipeline()
                pipe.incr(name)
                pipe.expire(name, self.window, nx=True)
                pipe.execute()
                return
            except Exception as error:  # noqa: BLE001
                log.error("login limit: redis failed: %s", type(error).__name__)
        with self._lock:
            self._recent(key).append(time.monotonic())
            if len(self._failures) > 10_000:  # drop stale entries so memory stays small
                for stale in [k for k in self._failures if not self._recent(k)]:
                    del self._failures[stale]

    def succeeded(self, key: str) -> None:
        redis = self._client()
        if redis is not None:
            try:
                redis.delete(f"rightsline:login:{key}")
            except Exception as error:  # noqa: BLE001
                log.error("login limit: redis failed: %s", type(error).__name__)
        with self._lock:
            self._failures.pop(key, None)

    def close(self) -> None:
        if self._redis is not None:
            self._redis.close()
            self._redis = None

    def _recent(self, key: str) -> list[float]:
        cutoff = time.monotonic() - self.window
        kept = [at for at in self._failures.get(key, []) if at > cutoff]
        self._failures[key] = kept
        return kept

    def _client(self) -> Any:
        if self.redis_url is None:
            return None
        if self._redis is None:
            import redis

            self._redis = redis.Redis.from_url(self.redis_url, socket_timeout=1)
        return self._redis
