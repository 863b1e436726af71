"""Limits that hold before the app: request bodies, chunked or not. Real uvicorn on a
loopback port; SQLite only (nothing here touches the store)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from test_service_harness import MakeService
from test_service_playlists import PROMPT

pytest_plugins = ["test_service_harness"]


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'moodmix.db'}"


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    """A request body httpx sends chunked (no Content-Length)."""
    for part in parts:
        yield part


def padded(prompt: str, size: int) -> bytes:
    """A playlist request of exactly ``size`` bytes (JSON allows the padding spaces)."""
    head = b'{"prompt": "' + prompt.encode() + b'"'
    return head + b" " * (size - len(head) - 1) + b"}"


async def test_a_chunked_body_over_the_limit_gets_413_on_any_route(
    make_service: MakeService,
) -> None:
    running = await make_service(max_body_bytes=4096)
    for path in ("/v1/playlists", "/v1/moods/analyze"):
        r = await running.http.post(
            path,
            content=chunks(b'{"prompt": "calm', *[b"m" * 2000] * 3, b'"}'),
            headers={"Content-Type": "application/json"},
        )
        assert "content-length" not in r.request.headers
        assert r.status_code == 413, (path, r.text)
        assert r.json()["error"] == "request_too_large"
        assert "4096 bytes" in r.json()["message"]
        assert r.json()["limit"] == 4096


async def test_a_declared_length_over_the_limit_gets_413(make_service: MakeService) -> None:
    running = await make_service(max_body_bytes=4096)
    r = await running.http.post(
        "/v1/playlists",
        content=padded(PROMPT, 4097),
        headers={"Content-Type": "application/json"},
    )
    assert r.request.headers["content-length"] == "4097"
    assert r.status_code == 413
    assert r.json()["error"] == "request_too_large"


async def test_a_body_just_under_the_limit_is_taken_chunked_or_not(
    make_service: MakeService,
) -> None:
    running = await make_service(max_body_bytes=4096)
    json = {"Content-Type": "application/json"}
    body = padded(PROMPT, 4096)
    declared = await running.http.post("/v1/playlists", content=body, headers=json)
    assert declared.status_code == 202, declared.text
    body = padded("late night jazz, calm", 4096)
    chunked = await running.http.post(
        "/v1/playlists", content=chunks(body[:1000], body[1000:]), headers=json
    )
    assert chunked.status_code == 202, chunked.text
    assert chunked.json()["id"] != declared.json()["id"]
