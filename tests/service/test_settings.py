"""Settings: the secret key is generated safely in development and required in production."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from service.settings import MissingSecretKey, Settings, resolve_secret_key


def test_a_key_is_generated_once_with_private_permissions(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(data_dir=tmp_path)
    with caplog.at_level(logging.WARNING):
        first = resolve_secret_key(settings)
    assert "RIGHTSLINE_SECRET_KEY" in caplog.text
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert resolve_secret_key(settings) == first


def test_production_refuses_to_start_without_a_key(tmp_path: Path) -> None:
    with pytest.raises(MissingSecretKey):
        resolve_secret_key(Settings(env="production", data_dir=tmp_path))
    assert not (tmp_path / "secret_key").exists()


def test_settings_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RIGHTSLINE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    monkeypatch.setenv("RIGHTSLINE_RETENTION_DAYS", "30")
    monkeypatch.setenv("RIGHTSLINE_URGENT_WAIT_SECONDS", "2.5")
    settings = Settings()
    assert settings.data_dir == tmp_path
    assert settings.retention_days == 30
    assert settings.urgent_wait_seconds == 2.5
    assert settings.resolved_database_url().startswith("postgresql+psycopg://")


def test_sqlite_in_the_data_dir_by_default(tmp_path: Path) -> None:
    url = Settings(data_dir=tmp_path).resolved_database_url()
    assert url == f"sqlite:///{tmp_path.resolve() / 'rightsline.db'}"
