"""Settings from the environment (and `.env`), validated once at start.

Every variable is listed in `.env.example`. Defaults give the embedded mode:
SQLite and a local object directory inside the data dir.
"""

from __future__ import annotations

import os
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
    # Failed log-ins per (email, address) before each further one doubles a wait (1 s, 2 s, ...
    # up to LOGIN_DELAY_MAX_S); failures per address over LOGIN_WINDOW_S; both forgotten after it.
    login_attempts_per_email: int = Field(5, ge=1)
    login_attempts_per_ip: int = Field(20, ge=1)
    login_window_s: int = Field(900, ge=1)
    login_delay_max_s: int = Field(900, ge=1)
    signups_per_ip: int = Field(5, ge=1)
    signup_window_s: int = Field(3600, ge=1)
    # Slow clients: whole request head within HTTP_HEADER_TIMEOUT_S (also the idle keep-alive
    # limit), body within HTTP_BODY_TIMEOUT_S; open connections per address and in all.
    http_header_timeout_s: float = Field(10.0, gt=0)
    http_body_timeout_s: float = Field(30.0, gt=0)
    http_connections_per_ip: int = Field(64, ge=1)
    http_max_connections: int = Field(4096, ge=1)
    # Extra origins allowed to make state-changing requests (the server's own is always allowed).
    allowed_origins: list[str] = Field(default_factory=list)
    metrics_token: SecretStr = SecretStr("")
    max_live_per_user: int = Field(2, ge=1)
    # Live calls this process holds before it refuses new ones (503 + Retry-After) instead of
    # degrading the ones it has: the README's measured 17 audio + video sessions on one core.
    max_sessions: int = Field(17, ge=1, le=10_000)
    retry_after_s: int = Field(5, ge=1, le=3600)
    # Behind a balancer: this process's name there (HAProxy's server cookie value); each call's
    # later requests carry it back in the `ia_node` cookie (docs/scaling.md). "" = one process.
    node_name: str = Field("", pattern=r"^[A-Za-z0-9_-]{0,32}$")
    ice_servers: list[IceServer] = Field(default_factory=list)
    ice_loopback_only: bool | None = None
    agent: Literal["interviewer", "none", "echo", "alternating"] = "interviewer"
    google_api_key: SecretStr = SecretStr("")
    live_model: str = "gemini-2.5-flash-native-audio-preview-12-2025"
    # Another Live endpoint than Gemini's, e.g. `python -m agents.offline` in its own process:
    # its https URL, the CA that signed its certificate, and a file holding its key (or
    # GOOGLE_API_KEY). Unset: Gemini with GOOGLE_API_KEY, else the in-process offline server.
    live_api_url: str = ""
    live_api_ca_file: Path | None = None
    live_api_key_file: Path | None = None
    offline_live_max_sessions: int = Field(16, ge=1, le=1000)
    # Feedback: the model that scores interviews (offline: our local judge answers the call).
    feedback_model: str = "gemini-2.5-flash"
    feedback_workers: int = Field(1, ge=0, le=1)  # 0: this process runs no feedback jobs
    feedback_max_attempts: int = Field(5, ge=1, le=20)
    feedback_backoff_s: float = Field(2.0, gt=0)
    feedback_lease_s: float = Field(120.0, ge=5)
    feedback_regenerations_per_hour: int = Field(5, ge=1)
    expert_urls: dict[str, str] = Field(default_factory=dict)  # company → A2A URL; {} = local
    # Local A2A experts (child processes, started after an interview's greeting) when no
    # EXPERT_URLS; false: the interviewer works without experts.
    experts_enabled: bool = True
    # the offline interviewer's speech: neural (Whisper base + Piper) or classic
    # (pocketsphinx + espeak-ng: lighter, less accurate)
    offline_speech: Literal["neural", "classic"] = "neural"
    connect_timeout_s: float = Field(30.0, gt=0)
    disconnect_timeout_s: float = Field(10.0, gt=0)
    idle_timeout_s: float = Field(120.0, gt=0)
    # A lost call (reload, network drop) waits this long for the candidate to rejoin; 0: never.
    rejoin_grace_s: float = Field(120.0, ge=0, le=3600)
    segment_s: float = Field(5.0, gt=0, le=5.0)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "text"] = "json"
    # The event loop `python -m server` runs on: the standard library's or uvloop (libuv).
    # README "Load test and capacity" measures both side by side: no capacity gain from uvloop
    # there, so the default stays the loop the whole suite runs on.
    event_loop: Literal["asyncio", "uvloop"] = "asyncio"
    web_dist: Path = Path(__file__).resolve().parent.parent / "web" / "dist"
    # Payments. Without STRIPE_SECRET_KEY the app starts its local Stripe-wire server (test mode).
    stripe_secret_key: SecretStr = SecretStr("")
    stripe_webhook_secret: SecretStr = SecretStr("")
    stripe_api_base: str = ""
    stripe_price_monthly: str = "interview_agent_premium_monthly"
    stripe_price_credit: str = "interview_agent_credit"
    public_url: str = ""

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, v: str) -> str:
        if v and not normalize_url(v).startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite:// or postgresql://")
        return normalize_url(v) if v else v

    @field_validator("live_api_url")
    @classmethod
    def _https_url(cls, v: str) -> str:
        if v and not v.startswith("https://"):
            raise ValueError("must start with https:// (the Live API client always uses TLS)")
        return v.rstrip("/")

    @field_validator("public_url", "stripe_api_base")
    @classmethod
    def _http_url(cls, v: str) -> str:
        if v and not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return v.rstrip("/")

    @field_validator("object_store_url")
    @classmethod
    def _known_store(cls, v: str) -> str:
        if v and not v.startswith(("file:///", "s3://")):
            raise ValueError("must be file:///absolute/dir or s3://bucket")
        return v

    def resolved(self) -> Settings:
        """Fill the defaults that depend on the data dir; create the dir and the secret key."""
        data_dir = self.data_dir.resolve()
        if not data_dir.exists():
            data_dir.mkdir(parents=True, mode=0o700)
        updates: dict[str, object] = {"data_dir": data_dir}
        if not self.database_url:
            updates["database_url"] = f"sqlite+aiosqlite:///{data_dir / 'interview-agent.db'}"
        if not self.object_store_url:
            updates["object_store_url"] = f"file://{data_dir / 'objects'}"
        elif self.object_store_url.startswith("s3://") and not self.s3_endpoint:
            raise ConfigError("S3_ENDPOINT: required when OBJECT_STORE_URL is s3://")
        if self.live_api_key_file is not None and not self.google_api_key.get_secret_value():
            try:
                updates["google_api_key"] = SecretStr(self.live_api_key_file.read_text().strip())
            except OSError as exc:
                raise ConfigError(f"LIVE_API_KEY_FILE: cannot read it: {exc}") from None
        if self.live_api_url and not (
            updates.get("google_api_key") or self.google_api_key.get_secret_value()
        ):
            raise ConfigError("LIVE_API_URL: needs GOOGLE_API_KEY or LIVE_API_KEY_FILE")
        if self.ice_loopback_only is None:
            updates["ice_loopback_only"] = is_loopback(self.host)
        if not self.public_url:
            host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
            updates["public_url"] = f"http://{host}:{self.port}"
        if self.stripe_secret_key.get_secret_value() and not (
            self.stripe_webhook_secret.get_secret_value()
        ):
            raise ConfigError("STRIPE_WEBHOOK_SECRET: required when STRIPE_SECRET_KEY is set")
        if not self.secret_key:
            updates["secret_key"] = _load_or_create_secret(data_dir / "secret_key")
        return self.model_copy(update=updates)


class ConfigError(Exception):
    """A configuration problem, reported as one line at start."""


def _load_or_create_secret(path: Path) -> str:
    if path.exists():
        path.chmod(0o600)
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
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
