"""Settings from the environment: safe in production, convenient in development."""

from pathlib import Path

import pytest

from sme_hub.config import ConfigurationError, load_settings, to_asyncpg_url


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="SME_HUB_SECRET_KEY"):
        load_settings({"SME_HUB_ENV": "production", "SME_HUB_DATA_DIR": str(tmp_path)})


def test_short_secret_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="32 characters"):
        load_settings({"SME_HUB_SECRET_KEY": "short", "SME_HUB_DATA_DIR": str(tmp_path)})


def test_development_keeps_one_generated_key(tmp_path: Path) -> None:
    first = load_settings({"SME_HUB_DATA_DIR": str(tmp_path)})
    second = load_settings({"SME_HUB_DATA_DIR": str(tmp_path)})
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_everything_is_read(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "SME_HUB_ENV": "production",
            "SME_HUB_SECRET_KEY": "k" * 40,
            "DATABASE_URL": "postgresql://u:p@db:5432/sme",
            "SME_HUB_DATA_DIR": str(tmp_path),
            "SME_HUB_SMTP_URL": "smtp://mail:25",
        }
    )
    assert settings.is_production
    assert settings.async_database_url == "postgresql+asyncpg://u:p@db:5432/sme"
    assert settings.data_dir == tmp_path
    assert settings.smtp_url == "smtp://mail:25"


def test_unknown_environment_or_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError):
        load_settings({"SME_HUB_ENV": "staging", "SME_HUB_DATA_DIR": str(tmp_path)})
    with pytest.raises(ConfigurationError):
        load_settings({"DATABASE_URL": "mysql://x", "SME_HUB_DATA_DIR": str(tmp_path)})


def test_url_forms() -> None:
    assert to_asyncpg_url("postgres://a@b/c") == "postgresql+asyncpg://a@b/c"
    assert to_asyncpg_url("postgresql+asyncpg://a@b/c") == "postgresql+asyncpg://a@b/c"
