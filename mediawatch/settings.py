"""The one settings class. Read from ``MEDIAWATCH_*`` environment variables (and a ``.env`` file);
passed explicitly to what needs it, never read at import time."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEDIAWATCH_", env_file=".env", extra="ignore")

    # store
    store: Literal["sqlite", "elasticsearch"] = "sqlite"
    db: Path = Path("mediawatch.db")
    elasticsearch_url: str | None = Field(default=None, validation_alias="ELASTICSEARCH_URL")
    es_index_prefix: str = "mediawatch"
    es_api_key: SecretStr | None = None

    # data and models
    config_dir: Path = REPO_ROOT / "config"
    models_dir: Path = REPO_ROOT / "models"
    timezone: str = "Asia/Ho_Chi_Minh"

    # API and page (secrets have no defaults: required where used)
    secret_key: SecretStr | None = None  # session cookies and CSRF; `serve` refuses to start without
    push_token: SecretStr | None = None  # bearer token of the push endpoint for forwarded items
    public_base_url: str = "http://127.0.0.1:8000"

    # retention
    retention_days_unflagged: int = 90
    retention_days_unflagged_social: int = 30
    retention_days_after_close: int = 365

    # alert channels
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None
    smtp_starttls: bool = False
    webhook_secret: SecretStr | None = None  # HMAC key for signed webhooks
    telegram_bot_token: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org"
    zalo_oa_token: SecretStr | None = None
    zalo_api_base: str = "https://openapi.zalo.me"
    ssrf_allow: list[str] = Field(default_factory=list)  # hosts/CIDRs allowed despite the SSRF guard


@lru_cache
def get_settings() -> Settings:
    """The process's settings (tests build their own ``Settings(...)`` or clear this cache)."""
    return Settings()
