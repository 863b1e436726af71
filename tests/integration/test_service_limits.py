"""Limits that hold before the app: request bodies (chunked or not), request heads (size and
time), idle keep-alive connections and connections at once. Real uvicorn on a loopback port,
raw sockets where a client must misbehave; SQLite only (nothing here touches the store).

Times are asserted only as generous upper bounds (``CLOSED_WITHIN_S``): a limit of 1 s must
close a connection well within 10 s, however busy the machine.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from test_service_harness import MakeService, RunningService
from test_service_playlists import PROMPT, Gate

pytest_plugins = ["test_service_harness"]

CLOSED_WITHIN_S = 10.0


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


async def answer(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes the connection (a reset counts as a
    close); fails the test if it is still open after ``CLOSED_WITHIN_S``."""
    got = b""
    async with asyncio.timeout(CLOSED_WITHIN_S):
        try:
            while chunk := await reader.read(65_536):
                got += chunk
        except ConnectionError:
            pass
    return got


async def connect(running: RunningService) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", running.port)


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


async def test_a_partial_request_head_is_answered_408_and_closed(
    make_service: MakeService,
) -> None:
    running = await make_service(header_timeout_s=1)
    reader, writer = await connect(running)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    got = await answer(reader)
    writer.close()
    assert got.startswith(b"HTTP/1.1 408 "), got
    assert b"MOODMIX_HEADER_TIMEOUT_S" in got


async def test_a_connection_that_sends_nothing_is_closed(make_service: MakeService) -> None:
    running = await make_service(header_timeout_s=1)
    reader, writer = await connect(running)
    got = await answer(reader)
    writer.close()
    assert got == b""


async def test_a_request_head_may_take_its_time_within_the_limit(
    make_service: MakeService,
) -> None:
    running = await make_service(header_timeout_s=3)
    reader, writer = await connect(running)
    for part in (
        b"GET /healthz HTTP/1.1\r\n",
        b"Host: 127.0.0.1\r\n",
        b"Connection: close\r\n\r\n",
    ):
        writer.write(part)
        await asyncio.sleep(0.2)
    got = await answer(reader)
    writer.close()
    assert got.startswith(b"HTTP/1.1 200 "), got


async def test_an_idle_keep_alive_connection_is_closed_after_the_setting(
    make_service: MakeService,
) -> None:
    short = await make_service(keep_alive_s=1)
    long = await make_service(keep_alive_s=60)
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    opened: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    for running in (short, long):
        reader, writer = await connect(running)
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 "), head
        length = next(
            int(line.split(b":")[1]) for line in head.lower().split(b"\r\n") if b"length" in line
        )
        await reader.readexactly(length)
        opened.append((reader, writer))
    answered = asyncio.get_running_loop().time()
    assert await answer(opened[0][0]) == b""
    # Past uvicorn's own 5 s, the 60 s connection is still there and still answers.
    await asyncio.sleep(max(0.0, answered + 6 - asyncio.get_running_loop().time()))
    reader, writer = opened[1]
    assert not reader.at_eof()
    writer.write(request)
    assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 200 ")
    for _, writer in opened:
        writer.close()


async def test_a_request_head_over_the_limit_gets_431_before_it_ends(
    make_service: MakeService,
) -> None:
    running = await make_service(max_header_bytes=16_384)
    # 64 KB of a head that has not ended: refused at once, not buffered until it ends.
    reader, writer = await connect(running)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 65_536)
    got = await answer(reader)
    writer.close()
    assert got.startswith(b"HTTP/1.1 431 "), got[:200]
    assert b"16384 bytes" in got
    assert b"MOODMIX_MAX_HEADER_BYTES" in got


async def test_a_megabyte_of_headers_gets_431(make_service: MakeService) -> None:
    running = await make_service(max_header_bytes=16_384)
    reader, writer = await connect(running)
    listening = asyncio.create_task(answer(reader))
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    head += b"".join(b"X-Pad-%d: %s\r\n" % (n, b"a" * 1000) for n in range(1_024)) + b"\r\n"
    try:
        for start in range(0, len(head), 65_536):
            writer.write(head[start : start + 65_536])
            await writer.drain()
    except ConnectionError:
        pass  # refused and closed before it had all of it
    got = await listening
    writer.close()
    assert got.startswith(b"HTTP/1.1 431 "), got[:200]


async def test_a_whole_head_over_the_limit_in_one_piece_gets_431(
    make_service: MakeService,
) -> None:
    running = await make_service(max_header_bytes=16_384)
    reader, writer = await connect(running)
    writer.write(
        b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 17_000 + b"\r\n\r\n"
    )
    got = await answer(reader)
    writer.close()
    assert got.startswith(b"HTTP/1.1 431 "), got[:200]


async def test_a_head_under_the_limit_with_its_body_in_one_piece_is_served(
    make_service: MakeService,
) -> None:
    running = await make_service(max_header_bytes=16_384, max_body_bytes=65_536)
    body = padded(PROMPT, 60_000)
    head = (
        b"POST /v1/playlists HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"X-Pad: " + b"a" * 12_000 + b"\r\nConnection: close\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    reader, writer = await connect(running)
    writer.write(head + body)
    got = await answer(reader)
    writer.close()
    assert got.startswith(b"HTTP/1.1 202 "), got[:300]


async def test_requests_past_the_concurrency_limit_get_503(make_service: MakeService) -> None:
    gate = Gate()
    running = await make_service(make=gate, limit_concurrency=3)
    created = await running.http.post(
        "/v1/playlists", json={"prompt": PROMPT}, headers={"Connection": "close"}
    )
    assert created.status_code == 202, created.text
    events = f"{running.url}/v1/playlists/{created.json()['id']}/events"
    healthz = f"{running.url}/healthz"
    clients = [httpx.AsyncClient(timeout=30) for _ in range(3)]
    try:
        # Two requests in progress (event streams of a held job) and a third connection.
        streams = [
            await client.send(client.build_request("GET", events), stream=True)
            for client in clients[:2]
        ]
        texts = [stream.aiter_text() for stream in streams]
        for stream, text in zip(streams, texts, strict=True):
            assert stream.status_code == 200
            assert "event: state" in await anext(text)
        refused = await clients[2].get(healthz)
        assert refused.status_code == 503
        assert refused.text == "Service Unavailable"
        gate.open()
        for text in texts:
            assert "event: done" in "".join([chunk async for chunk in text])
        for client in clients[:2]:
            await client.aclose()
        # The server forgets the closed connections a moment later.
        async with asyncio.timeout(CLOSED_WITHIN_S):
            while (await clients[2].get(healthz)).status_code != 200:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    finally:
        gate.open()
        for client in clients:
            await client.aclose()
