"""Small parts of the HTTP service: ETags, cursors, durations, keys, errors, settings."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr, ValidationError
from sqlalchemy.exc import OperationalError

from moodmix.reccobeats._setup import cache_policies
from moodmix.reccobeats.errors import (
    NotFound,
    RateLimited,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from moodmix.service.caching import etag_of, for_seconds, matches, private_if
from moodmix.service.cursor import decode_cursor, encode_cursor
from moodmix.service.errors import install, upstream_problem
from moodmix.service.schemas import CACHE_KINDS, PlaylistIn, duration_seconds
from moodmix.service.security import ApiKeys, admin_allowed
from moodmix.settings import Settings


def test_if_none_match_forms() -> None:
    tag = etag_of(b"{}")
    assert matches(tag, tag)
    assert matches(f'"x", W/{tag}', tag)
    assert matches("*", tag)
    assert not matches('"other"', tag)
    assert not matches(None, tag)


def test_cache_control_helpers() -> None:
    assert for_seconds(10**9) == "public, max-age=86400"
    assert private_if("public, max-age=5", True) == "private, max-age=5"


def test_cursor_round_trip_and_garbage() -> None:
    at = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    assert decode_cursor(encode_cursor(at, "abc")) == (at, "abc")
    with pytest.raises(ValueError, match="cursor"):
        decode_cursor("garbage")


@pytest.mark.parametrize(
    ("given", "seconds"), [(600, 600.0), ("45m", 2700.0), ("1h30m", 5400.0), (None, None)]
)
def test_durations(given: float | str | None, seconds: float | None) -> None:
    assert duration_seconds(given) == seconds


def test_playlist_request_to_engine_fields() -> None:
    body = PlaylistIn(prompt="  rainy   Sunday ", duration="1h", order="score")
    assert body.engine_fields() == {
        "prompt": "rainy Sunday",
        "seeds": [],
        "size": 30,
        "duration_s": 3600.0,
        "order": "score",
    }


def test_api_keys_identify_without_revealing_the_key() -> None:
    keys = ApiKeys([SecretStr("alpha"), SecretStr("beta")])
    assert keys.required
    identity = keys.identify("beta")
    assert identity is not None
    assert identity.startswith("key:")
    assert "beta" not in identity
    assert keys.identify("gamma") is None
    assert keys.identify(None) is None
    assert not ApiKeys([]).required


def test_admin_token() -> None:
    assert admin_allowed(SecretStr("t"), "t")
    assert not admin_allowed(SecretStr("t"), "u")
    assert not admin_allowed(None, "t")
    assert not admin_allowed(SecretStr(""), "")


def test_upstream_errors_become_readable_answers() -> None:
    assert upstream_problem(NotFound("no such track")).status == 404
    limited = upstream_problem(RateLimited(12.2))
    assert (limited.status, limited.retry_after) == (503, 13)
    down = upstream_problem(UpstreamUnavailable("502 Bad Gateway", status=502))
    assert down.status == 503
    assert down.retry_after == 30
    assert "502 Bad Gateway" in down.message
    assert upstream_problem(UpstreamTimeout("read")).retry_after == 5


def test_database_url_expands_home_for_sqlite() -> None:
    url = Settings(database_url="sqlite+aiosqlite:///~/x/moodmix.db").database_url
    assert url == f"sqlite+aiosqlite:///{Path.home() / 'x' / 'moodmix.db'}"
    pg = "postgresql+asyncpg://u@h/db"
    assert Settings(database_url=pg).database_url == pg


def test_comma_separated_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOODMIX_API_KEYS", "a, b,,")
    monkeypatch.setenv("MOODMIX_CORS_ORIGINS", "https://x.example")
    settings = Settings()
    assert [k.get_secret_value() for k in settings.api_keys] == ["a", "b"]
    assert settings.cors_origins == ("https://x.example",)


def test_bad_settings_say_what_is_allowed() -> None:
    with pytest.raises(ValidationError, match="client_quota_share"):
        Settings(client_quota_share=0)


async def test_an_unexpected_error_is_a_json_500_without_a_stack_trace() -> None:
    app = FastAPI()
    install(app)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        r = await http.get("/boom")
    assert r.status_code == 500
    body = r.json()
    assert body["error"] == "internal_error"
    assert body["incident"] in body["message"]
    assert "secret internals" not in r.text
    assert "Traceback" not in r.text
    assert r.headers["x-content-type-options"] == "nosniff"  # sent past the headers middleware
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


async def test_a_database_outage_is_a_503_with_retry_after() -> None:
    app = FastAPI()
    install(app)

    @app.get("/store")
    async def store() -> None:
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        r = await http.get("/store")
    assert r.status_code == 503
    assert r.headers["retry-after"] == "5"
    assert r.json()["error"] == "database_unavailable"


def test_the_documented_cache_kinds_are_the_gateways() -> None:
    assert sorted(CACHE_KINDS) == sorted(cache_policies(Settings()))
