"""Settings from the environment (and `.env`), validated once at start.

Every variable is listed in `.env.example`. Defaults give the embedded mode:
SQLite and a local object directory inside the data dir.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from server.live.ice import IceServer, is_loopback
from storage.db import normalize_url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    data_dir: Path = Path("data")
    database_url: str = ""
    object_store_url: str = ""
    s3_endpoint: str | None = None
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_secure: bool = True
    s3_region: str | None = None
    secret_key: str = ""
    cookie_secure: bool = False
    session_days: int = Field(14, ge=1, le=365)
    max_body_bytes: int = Field(1024 * 1024, ge=1024)
    login_attempts_per_email: int = Field(5, ge=1)
    login_attempts_per_ip: int = Field(20, ge=1)
    login_window_s: int = Field(900, ge=1)
    ice_servers: list[IceServer] = Field(default_factory=list)
    ice_loopback_only: bool | None = None
    agent: Literal["interviewer", "none", "echo", "alternating"] = "interviewer"
    google_api_key: SecretStr = SecretStr("")
    live_model: str = "gemini-2.5-flash-native-audio-preview-12-2025"
    # the offline interviewer's speech: neural (Whisper base + Piper) or classic
    # (pocketsphinx + espeak-ng: lighter, less accurate)
    offline_speech: Literal["neural", "classic"] = "neural"
    connect_timeout_s: float = Field(30.0, gt=0)
    disconnect_timeout_s: float = Field(10.0, gt=0)
    idle_timeout_s: float = Field(120.0, gt=0)
    segment_s: float = Field(5.0, gt=0, le=5.0)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "text"] = "json"
    web_dist: Path = Path(__file__).resolve().parent.parent / "web" / "dist"

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, v: str) -> str:
        if v and not normalize_url(v).startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite:// or postgresql://")
        return normalize_url(v) if v else v

    @field_validator("object_store_url")
    @classmethod
    def _known_store(cls, v: str) -> str:
        if v and not v.startswith(("file:///", "s3://")):
            raise ValueError("must be file:///absolute/dir or s3://bucket")
        return v

    def resolved(self) -> Settings:
        """Fill the defaults that depend on the data dir; create the dir and the secret key."""
        data_dir = self.data_dir.resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        updates: dict[str, object] = {"data_dir": data_dir}
        if not self.database_url:
            updates["database_url"] = f"sqlite+aiosqlite:///{data_dir / 'interview-agent.db'}"
        if not self.object_store_url:
            updates["object_store_url"] = f"file://{data_dir / 'objects'}"
        elif self.object_store_url.startswith("s3://") and not self.s3_endpoint:
            raise ConfigError("S3_ENDPOINT: required when OBJECT_STORE_URL is s3://")
        if self.ice_loopback_only is None:
            updates["ice_loopback_only"] = is_loopback(self.host)
        if not self.secret_key:
            updates["secret_key"] = _load_or_create_secret(data_dir / "secret_key")
        return self.model_copy(update=updates)


class ConfigError(Exception):
    """A configuration problem, reported as one line at start."""


def _load_or_create_secret(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(key)
    return key


def load_settings(**overrides: object) -> Settings:
    """Read the environment, apply explicit overrides (e.g. CLI flags), resolve defaults."""
    try:
        given = {k: v for k, v in overrides.items() if v is not None}
        return Settings(**given).resolved()  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]).upper() or "settings"
        raise ConfigError(f"{field}: {err['msg']}") from None
