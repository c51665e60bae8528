"""Keyed pseudonyms for chat ids and session tokens, and encryption of the route back to a child."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)


class Keys:
    """Everything derived from the one secret key; separate keys for separate jobs."""

    def __init__(self, secret: bytes) -> None:
        self._pseudonym_key = _derive(secret, b"rightsline pseudonym v1")
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(secret, b"rightsline route v1")))
        self.signing_key = _derive(secret, b"rightsline signing v1")

    def pseudonym(self, channel: str, value: str | int) -> str:
        """A keyed hash standing for a chat id or session token; the raw value is never stored."""
        message = f"{channel}:{value}".encode()
        return hmac.new(self._pseudonym_key, message, hashlib.sha256).hexdigest()

    def encrypt_route(self, route: str) -> str:
        return self._fernet.encrypt(route.encode()).decode()

    def decrypt_route(self, token: str) -> str | None:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            return None
