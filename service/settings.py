"""Settings read from the environment, and the secret key that pseudonyms rest on."""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    """Everything configurable. Field names work as keyword arguments; the aliases are env names."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    env: Literal["development", "test", "production"] = Field(
        "development", validation_alias=_env("env", "RIGHTSLINE_ENV")
    )
    data_dir: Path = Field(Path("data"), validation_alias=_env("data_dir", "RIGHTSLINE_DATA_DIR"))
    database_url: str | None = Field(None, validation_alias=_env("database_url", "DATABASE_URL"))
    # The trained understanding model; None is the one `make model` writes into nlp/model.
    model_dir: Path | None = Field(None, validation_alias=_env("model_dir", "RIGHTSLINE_MODEL_DIR"))
    secret_key: SecretStr | None = Field(
        None, validation_alias=_env("secret_key", "RIGHTSLINE_SECRET_KEY")
    )
    telegram_bot_token: SecretStr | None = Field(
        None, validation_alias=_env("telegram_bot_token", "TELEGRAM_BOT_TOKEN")
    )
    webhook_url: str | None = Field(None, validation_alias=_env("webhook_url", "WEBHOOK_URL"))
    webhook_secret: SecretStr | None = Field(
        None, validation_alias=_env("webhook_secret", "TELEGRAM_WEBHOOK_SECRET")
    )
    redis_url: str | None = Field(None, validation_alias=_env("redis_url", "REDIS_URL"))
    retention_days: int = Field(
        90, ge=1, validation_alias=_env("retention_days", "RIGHTSLINE_RETENTION_DAYS")
    )
    urgent_unclaimed_minutes: int = Field(
        15, ge=1, validation_alias=_env("urgent_unclaimed_minutes", "RIGHTSLINE_URGENT_MINUTES")
    )
    normal_unclaimed_hours: int = Field(
        24, ge=1, validation_alias=_env("normal_unclaimed_hours", "RIGHTSLINE_NORMAL_HOURS")
    )
    # How long a child at risk waits for the database to take their urgent referral; after
    # this it goes to the outbox on disk (written to the database when it can be) and the
    # crisis reply goes out at once.
    urgent_wait_seconds: float = Field(
        1.0,
        gt=0,
        le=30,
        validation_alias=_env("urgent_wait_seconds", "RIGHTSLINE_URGENT_WAIT_SECONDS"),
    )
    # How often the dashboard's live queue looks for new or changed referrals, in seconds.
    queue_check_seconds: float = Field(
        3,
        gt=0,
        le=60,
        validation_alias=_env("queue_check_seconds", "RIGHTSLINE_QUEUE_CHECK_SECONDS"),
    )
    kiosk_mode: bool = Field(False, validation_alias=_env("kiosk_mode", "RIGHTSLINE_KIOSK"))
    kiosk_idle_minutes: int = Field(
        3, ge=1, validation_alias=_env("kiosk_idle_minutes", "RIGHTSLINE_KIOSK_IDLE_MINUTES")
    )
    token_minutes: int = Field(
        30, ge=1, validation_alias=_env("token_minutes", "RIGHTSLINE_TOKEN_MINUTES")
    )
    # Proxies whose X-Forwarded-For is believed: addresses or networks, comma-separated.
    # Empty: the connecting address is the client, whatever headers say.
    trusted_proxies: str = Field(
        "", validation_alias=_env("trusted_proxies", "RIGHTSLINE_TRUSTED_PROXIES")
    )
    # /docs and /openapi.json: always served outside production, in production only if on.
    api_docs: bool = Field(False, validation_alias=_env("api_docs", "RIGHTSLINE_API_DOCS"))
    # The web chat's rate limits, per minute (service/runtime.py chat_limits). The defaults
    # suit a unit's kiosks; a load test raises them so it measures answers, not flood replies.
    chat_messages_per_minute: int = Field(
        20, ge=1, validation_alias=_env("chat_messages_per_minute", "RIGHTSLINE_CHAT_LIMIT")
    )
    address_messages_per_minute: int = Field(
        300, ge=1, validation_alias=_env("address_messages_per_minute", "RIGHTSLINE_ADDRESS_LIMIT")
    )
    address_new_chats_per_minute: int = Field(
        30, ge=1, validation_alias=_env("address_new_chats_per_minute", "RIGHTSLINE_NEW_CHAT_LIMIT")
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, value: str) -> str:
        # A typo must not quietly trust nobody (or the wrong network): say so at start-up.
        for item in value.split(","):
            if item.strip():
                ipaddress.ip_network(item.strip(), strict=False)
        return value

    @property
    def trusted_proxy_list(self) -> list[str]:
        """Each proxy as an address, or as a network written the strict way ("10.0.0.0/8")."""
        items = [item.strip() for item in self.trusted_proxies.split(",") if item.strip()]
        return [
            str(ipaddress.ip_network(item, strict=False)) if "/" in item else item for item in items
        ]

    @property
    def production(self) -> bool:
        return self.env == "production"

    def resolved_database_url(self) -> str:
        """The SQLAlchemy URL: SQLite in the data dir unless DATABASE_URL says otherwise."""
        url = self.database_url or f"sqlite:///{(self.data_dir / 'rightsline.db').resolve()}"
        # PostgreSQL goes through psycopg 3, whatever spelling the operator used.
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url


class MissingSecretKey(RuntimeError):
    """Raised in production when RIGHTSLINE_SECRET_KEY is not set."""


def resolve_secret_key(settings: Settings) -> bytes:
    """The secret key; outside production one is generated once and kept in the data dir."""
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        return settings.secret_key.get_secret_value().encode()
    if settings.production:
        raise MissingSecretKey("RIGHTSLINE_SECRET_KEY must be set when RIGHTSLINE_ENV=production.")
    path = settings.data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip().encode()
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    log.warning(
        "No RIGHTSLINE_SECRET_KEY set: generated one and kept it in %s (mode 0600). "
        "Set RIGHTSLINE_SECRET_KEY before going live.",
        path,
    )
    return key.encode()
