"""Advocate sign-in: password hashes, signed short-lived tokens, CSRF tokens and a login limit."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any, NamedTuple

from pwdlib import PasswordHash

from service.limits import Counter

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


class Claims(NamedTuple):
    """Who a genuine, unexpired token names, and the sign-in version it was issued under."""

    advocate_id: int
    version: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, body: str) -> str:
    return _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


def issue_token(
    key: bytes,
    *,
    advocate_id: int,
    version: int,
    use: str,
    minutes: int,
    now: float | None = None,
) -> str:
    """A token naming the advocate, their sign-in version, its use ("api" or "dashboard")
    and when it ends. Signing out raises the version, so every older token stops working."""
    expires = int((now if now is not None else time.time()) + minutes * 60)
    payload = {"sub": advocate_id, "ver": version, "use": use, "exp": expires}
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    return f"{body}.{_mac(key, body)}"


def read_token(key: bytes, token: str, *, use: str, now: float | None = None) -> Claims | None:
    """What a genuine, unexpired token for this use says; None for anything else."""
    body, dot, mac = token.partition(".")
    if not dot or not hmac.compare_digest(mac.encode(), _mac(key, body).encode()):
        return None
    try:
        payload: dict[str, Any] = json.loads(_unb64(body))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(payload, dict) or payload.get("use") != use:
        return None
    expires, advocate_id, version = payload.get("exp"), payload.get("sub"), payload.get("ver")
    if not (isinstance(expires, int) and isinstance(advocate_id, int) and isinstance(version, int)):
        return None
    if expires <= (now if now is not None else time.time()):
        return None
    return Claims(advocate_id, version)


def csrf_token(key: bytes, nonce: str) -> str:
    """The form token for a browser's CSRF cookie: only the server can make it."""
    return _mac(key, f"csrf:{nonce}")


def csrf_valid(key: bytes, nonce: str | None, token: str | None) -> bool:
    if not nonce or not token:
        return False
    return hmac.compare_digest(csrf_token(key, nonce).encode(), token.encode())


# ---- the login limit --------------------------------------------------------------------


class LoginLimiter:
    """Failed sign-ins counted per account and per client address over a window.

    An account is held after `per_account` failures from anywhere, so changing address does
    not help; an address after `per_address` failures on any accounts, so trying one password
    on many emails does not help. The counting is service.limits.Counter's: in Redis when a
    URL is given, so every process shares it, under keyed hashes (no email or address is
    readable there); in memory otherwise, and if Redis fails the memory count carries on.

    An account's failures count under its `generation` (its sign-in version): whatever ends
    every sign-in of the account (a new password from an admin or the command line, disabling
    it, signing out) starts a new generation, so its hold is lifted in every process at once,
    from wherever that happened, without reaching this process's memory or Redis.
    """

    def __init__(
        self,
        *,
        secret: bytes,
        per_account: int = 5,
        per_address: int = 20,
        window_seconds: int = 15 * 60,
        redis_url: str | None = None,
    ) -> None:
        self.per_account = per_account
        self.per_address = per_address
        self.window = window_seconds
        self.redis_url = redis_url
        # A key of its own, so these hashes can never stand in for a token's signature.
        self._key = hmac.new(secret, b"rightsline login limit v1", hashlib.sha256).digest()
        self._failures = Counter(
            prefix="rightsline:login:",
            window=window_seconds,
            redis_url=redis_url,
            label="login limit",
            max_keys=10_000,
        )

    def _name(self, kind: str, value: str) -> str:
        digest = hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
        return f"{kind}:{digest}"

    def _account(self, email: str, generation: int) -> str:
        return self._name("account", f"{email.strip().lower()}#{generation}")

    def _names(self, email: str, address: str, generation: int) -> list[tuple[str, int]]:
        return [
            (self._account(email, generation), self.per_account),
            (self._name("address", address), self.per_address),
        ]

    def blocked(self, email: str, address: str, *, generation: int = 0) -> bool:
        """True when this account, or this address, has failed too often lately."""
        names = self._names(email, address, generation)
        return any(self._failures.count(name) >= limit for name, limit in names)

    def failed(self, email: str, address: str, *, generation: int = 0) -> None:
        for name, _limit in self._names(email, address, generation):
            self._failures.add(name)

    def succeeded(self, email: str, *, generation: int = 0) -> None:
        # Only the account starts afresh: a right password on one account must not clear
        # an address that has been guessing at others.
        self._failures.clear(self._account(email, generation))

    def close(self) -> None:
        self._failures.close()
