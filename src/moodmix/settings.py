"""One ``Settings`` for all of moodmix, read from ``MOODMIX_*`` environment variables.

A profile (``MOODMIX_PROFILE=legacy|seed|adaptive``, default ``adaptive``) fills every knob
it has an opinion on; any knob set explicitly (argument or its own variable) wins::

    settings = Settings()                          # adaptive defaults + environment
    settings = Settings(profile="legacy")          # the numbers from before the seed
    settings = Settings(profile="seed", rate_per_min=60)

``docs/CONFIGURATION.md`` lists every variable.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote, unquote, urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from moodmix.profiles import PROFILE_VALUES

Profile = Literal["legacy", "seed", "adaptive"]
RateMode = Literal["fixed", "adaptive"]
CacheBackend = Literal["sqlite", "memory", "redis"]

DEFAULT_RECCOBEATS_URL = "https://api.reccobeats.com"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///~/.local/share/moodmix/moodmix.db"


def settings_error(exc: ValidationError) -> str:
    """What is wrong with the ``MOODMIX_*`` settings, one line per problem, without the values
    given (one may be a secret)."""
    lines = []
    for error in exc.errors(include_input=False, include_url=False):
        field = ".".join(str(part) for part in error.get("loc", ())) or "settings"
        lines.append(f"MOODMIX_{field.upper()}: {error.get('msg', 'invalid')}")
    return "\n".join(lines)


class Settings(BaseSettings):
    """Everything configurable. Field ``x`` is read from ``MOODMIX_X``."""

    model_config = SettingsConfigDict(env_prefix="MOODMIX_", extra="forbid", frozen=True)

    profile: Profile = "adaptive"

    # Upstream client
    reccobeats_url: str = Field(DEFAULT_RECCOBEATS_URL, description="ReccoBeats base URL")
    connect_timeout_s: float = Field(5.0, gt=0, le=120)
    read_timeout_s: float = Field(10.0, gt=0, le=300)
    http2: bool = True
    max_connections: int = Field(20, ge=1, le=1000)
    user_agent: str = "moodmix/0.1 (+https://github.com/moodmix/moodmix)"

    log_level: Literal["debug", "info", "warning", "error"] = "warning"
    log_json: bool = False

    # Where the gateway keeps what it learned (L2 cache and id registry)
    cache_backend: CacheBackend = "sqlite"
    cache_path: Path = Path.home() / ".cache" / "moodmix" / "cache.sqlite3"
    redis_url: str | None = Field(
        None,
        description="Redis shared by every moodmix process (shared mode: L2 cache, id registry, "
        "rate budget, fetch locks); unset: this process works alone",
    )
    redis_prefix: str = Field("moodmix:", min_length=1, max_length=100)
    shared_handover: bool = Field(
        True,
        description="in shared mode, a batch call also carries ids other processes queued",
    )
    remember_rate: bool = Field(
        True,
        description="adaptive mode: keep the learned rate in L2 and start from it (discounted "
        "by its age) after a restart",
    )

    # Gateway knobs. The defaults are the ``adaptive`` profile's; another profile fills in its
    # own values for every knob not set explicitly.
    rate_mode: RateMode = "adaptive"
    rate_per_min: float = Field(80.0, gt=0, le=100_000)
    max_concurrency: int = Field(6, ge=1, le=1000)
    burst: int = Field(1, ge=1, le=1000)
    dedup: bool = True
    ttl_recommendations_s: float = Field(15 * 60, ge=0)
    ttl_tracks_s: float = Field(2 * 60 * 60, ge=0)
    ttl_features_s: float = Field(30 * 86_400, ge=0)
    ttl_artists_s: float = Field(7 * 86_400, ge=0)
    ttl_search_s: float = Field(86_400, ge=0)
    swr_fraction: float = Field(0.25, ge=0, le=10)
    stale_if_error_s: float = Field(86_400, ge=0)
    lane_pause: bool = True
    retry_attempts: int = Field(3, ge=1, le=10)
    coalesce_window_s: float = Field(0.005, ge=0, le=1)
    warm_interval_s: float = Field(30.0, gt=0, le=86_400)
    ttl_registry_valid_s: float = Field(60 * 86_400, ge=0)
    ttl_registry_missing_s: float = Field(14 * 86_400, ge=0)
    l1_max_entries: int = Field(5_000, ge=1)
    batch_size: int = Field(40, ge=1, le=100)
    id_batch_concurrency: int = Field(4, ge=1, le=100)
    features_concurrency: int = Field(10, ge=1, le=100)
    seed_chunk_concurrency: int = Field(3, ge=0, le=100)
    seed_stagger_s: float = Field(0.0, ge=0, le=10)
    coalesce: bool = True
    breaker: bool = True
    stale_if_error: bool = True
    prefetch: bool = True

    # HTTP service (``moodmix serve``)
    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="SQLAlchemy async URL of the playlist store: sqlite+aiosqlite or "
        "postgresql+asyncpg; a leading ~ in a SQLite path is expanded",
    )
    api_keys: Annotated[tuple[SecretStr, ...], NoDecode] = Field(
        (), description="comma-separated keys clients must send; empty: no key needed"
    )
    admin_token: SecretStr | None = Field(None, description="token for admin endpoints")
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description="comma-separated origins allowed by CORS; empty: CORS off"
    )
    max_body_bytes: int = Field(64 * 1024, ge=1_024, le=16 * 1024 * 1024)
    max_header_bytes: int = Field(
        16 * 1024,
        ge=1_024,
        le=1024 * 1024,
        description="largest request head (request line and headers); larger: 431",
    )
    header_timeout_s: float = Field(
        10.0,
        gt=0,
        le=300,
        description="seconds a connection has to send a whole request head once it opens "
        "or starts one; then it is closed",
    )
    keep_alive_s: int = Field(
        5, ge=1, le=3_600, description="seconds an idle keep-alive connection stays open"
    )
    limit_concurrency: int = Field(
        1_000,
        ge=2,
        le=100_000,
        description="open connections or requests in progress at which new requests get 503",
    )
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="comma-separated addresses or networks of reverse proxies whose "
        "X-Forwarded-For and X-Forwarded-Proto are believed; empty: none",
    )
    client_quota_share: float = Field(0.5, gt=0, le=1)
    client_quota_window_s: float = Field(60.0, gt=0, le=86_400)
    client_max_jobs: int = Field(5, ge=1, le=10_000)
    max_running_jobs: int = Field(
        4, ge=0, le=1_000, description="0: this instance only stores jobs; workers run them"
    )
    job_max_attempts: int = Field(3, ge=1, le=100)
    job_lease_s: float = Field(30.0, ge=1, le=86_400)
    shutdown_grace_s: float = Field(10.0, ge=0, le=3_600)
    wait_timeout_s: float = Field(60.0, gt=0, le=3_600)
    events_retention_s: float = Field(600.0, ge=10, le=7 * 86_400)
    upstream_patience_s: float = Field(
        10.0,
        ge=0,
        le=3_600,
        description="how long a read-through request waits for quota before a 503",
    )
    result_cache_entries: int = Field(1_024, ge=0, le=1_000_000)

    # Listeners: sign-in with Spotify
    spotify_client_id: str = Field(
        "",
        max_length=128,
        description="the client id of your Spotify app (developer.spotify.com); empty: no "
        "sign-in (the offline demo sets its stand-in's)",
    )
    spotify_accounts_url: str = Field(
        "https://accounts.spotify.com", description="Spotify's accounts service"
    )
    spotify_api_url: str = Field("https://api.spotify.com", description="Spotify's Web API")
    spotify_mode: Literal["development", "extended"] = Field(
        "development",
        description="your app's quota mode: development (what a new app gets: /items, "
        "/v1/me/playlists) or extended (the older endpoints)",
    )
    spotify_window_limit: int = Field(
        100,
        ge=1,
        le=10_000,
        description="Spotify requests the app sends in any 30 seconds, all processes together "
        "(Spotify does not publish its limit; development mode gets less)",
    )
    spotify_redirect_uri: str = Field(
        "",
        description="the redirect URI registered for your app; empty: "
        "http://127.0.0.1:<port>/auth/callback of the request",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Fernet key (32 url-safe base64 bytes) that signs session cookies and "
        "encrypts stored Spotify tokens; unset: a new one per start (sign-ins end on restart; "
        "set it when several instances serve)",
    )

    # Mood reading by a language model (optional): an OpenAI-compatible endpoint
    llm_url: str | None = Field(
        None,
        description="base URL of an OpenAI-compatible Chat Completions API, e.g. "
        "http://localhost:11434/v1 (Ollama); unset: the built-in reader alone",
    )
    llm_model: str = Field("", max_length=200, description="the model to ask, e.g. llama3.2")
    llm_api_key: SecretStr | None = Field(None, description="sent as a Bearer token")
    llm_deadline_s: float = Field(
        4.0, gt=0, le=60, description="longest wait for the model; then the built-in reading"
    )
    llm_max_tokens: int = Field(800, ge=100, le=8_000)
    llm_rate_per_min: float = Field(60.0, gt=0, le=100_000)
    llm_burst: int = Field(4, ge=1, le=1_000)
    llm_retry_attempts: int = Field(2, ge=1, le=5)
    llm_ttl_s: float = Field(7 * 86_400, ge=0, description="how long an answer is reused")
    llm_cache_entries: int = Field(2_000, ge=1, le=1_000_000)
    llm_price_prompt_per_mtok: float = Field(
        0.0, ge=0, description="price of a million prompt tokens, when answers carry no cost"
    )
    llm_price_completion_per_mtok: float = Field(0.0, ge=0)

    def secrets(self) -> list[str]:
        """Every secret value set: tokens, keys and passwords inside URLs (never to be logged)."""
        found: list[str] = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            values = value if isinstance(value, tuple) else (value,)
            found += [v.get_secret_value() for v in values if isinstance(v, SecretStr)]
        for url in (self.database_url, self.redis_url, self.llm_url):
            password = urlsplit(url).password if url else None
            if password:
                found += [password, unquote(password), quote(unquote(password), safe="")]
        return [value for value in found if value]

    @field_validator("secret_key")
    @classmethod
    def _fernet_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        try:
            raw = base64.urlsafe_b64decode(value.get_secret_value().encode())
        except (ValueError, binascii.Error):
            raw = b""
        if len(raw) != 32:
            raise ValueError(
                "must be 32 url-safe base64-encoded bytes; make one with: python -c "
                "'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())'"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _expand_sqlite_home(cls, value: str) -> str:
        prefix, sep, path = value.partition(":///")
        if sep and prefix.startswith("sqlite") and path.startswith("~"):
            return f"{prefix}{sep}{Path(path).expanduser()}"
        return value

    @field_validator("llm_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                "must be an http(s) URL of an OpenAI-compatible API, e.g. "
                "http://localhost:11434/v1 or https://openrouter.ai/api/v1"
            )
        return value.strip()

    @field_validator("api_keys", "cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses_or_networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for part in value:
            try:
                ipaddress.ip_network(part)
            except ValueError as exc:
                raise ValueError(
                    f"{exc}; give addresses or networks, e.g. 10.0.0.5,10.0.0.0/8,fd00::/8 "
                    "(to trust every peer, say so: 0.0.0.0/0,::/0)"
                ) from None
        return value

    @model_validator(mode="after")
    def _redis_backend_needs_url(self) -> Settings:
        if self.cache_backend == "redis" and self.redis_url is None:
            raise ValueError(
                "cache_backend is redis but no Redis is configured: set MOODMIX_REDIS_URL "
                "(e.g. redis://127.0.0.1:6379/0), or choose the sqlite or memory backend"
            )
        return self

    @model_validator(mode="after")
    def _llm_needs_model(self) -> Settings:
        if self.llm_url is not None and not self.llm_model.strip():
            raise ValueError(
                "llm_url is set but no model is named: set MOODMIX_LLM_MODEL (e.g. llama3.2)"
            )
        return self

    @model_validator(mode="before")
    @classmethod
    def _apply_profile(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        profile = data.get("profile", "adaptive")
        if profile not in PROFILE_VALUES:
            return data  # the field's own validation says what is allowed
        return {**PROFILE_VALUES[profile], **data}
