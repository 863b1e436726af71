"""A client that leaves an event stream, however it leaves, costs nothing: no error logged,
the service stays responsive, and the job goes on to finish; on SQLite and PostgreSQL, for a
job running on the instance streaming it and for one running on another instance."""

from __future__ import annotations

import asyncio
import io
import json
import logging

import pytest
from test_service_harness import MakeService, RunningService
from test_service_playlists import Gate, finished

pytest_plugins = ["test_service_harness"]

ADMIN = "adm1n-for-the-stream-tests"


async def hang_up(service: RunningService, id: str, *, after: str) -> None:
    """Open ``id``'s event stream on a raw socket and close it: right after sending the
    request (``request``), after the first bytes of the answer (``bytes``), or after the
    first whole event (``event``)."""
    host, port = service.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        f"GET /v1/playlists/{id}/events HTTP/1.1\r\nHost: {host}\r\n"
        f"Accept: text/event-stream\r\nX-Admin-Token: {ADMIN}\r\n\r\n".encode()
    )
    await writer.drain()
    async with asyncio.timeout(30):
        if after == "bytes":
            await reader.read(16)
        elif after == "event":
            await reader.readuntil(b"event: state")
            await reader.readuntil(b"\r\n\r\n")
    writer.close()


def errors_in(buffer: io.StringIO, caplog: pytest.LogCaptureFixture) -> list[str]:
    logged = [json.loads(line) for line in buffer.getvalue().splitlines()]
    found = [
        f"{line.get('logger', '')} {line['event']}"
        for line in logged
        if line.get("level") in ("error", "critical") or "exception" in line
    ]
    found += [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    return found


@pytest.mark.parametrize("after", ["request", "bytes", "event"])
async def test_leaving_a_stream_mid_job_logs_nothing_and_the_job_finishes(
    make_service: MakeService,
    log_buffer: io.StringIO,
    caplog: pytest.LogCaptureFixture,
    after: str,
) -> None:
    gate = Gate()
    running = await make_service(make=gate, admin_token=ADMIN)
    ids = []
    for n in range(5):
        r = await running.http.post("/v1/playlists", json={"prompt": f"calm evening {n}"})
        assert r.status_code == 202, r.text
        ids.append(r.json()["id"])
    await gate.entered.wait()
    for id in ids:
        for _ in range(3):
            await hang_up(running, id, after=after)
    await asyncio.sleep(0.5)  # let the server see every hang-up
    assert (await running.http.get("/healthz")).status_code == 200
    gate.open()
    for id in ids:
        assert (await running.until(id, finished))["status"] == "done"
    assert errors_in(log_buffer, caplog) == []
    assert ADMIN not in log_buffer.getvalue()
    assert running.service.broker.subscribers(ids[0]) == 0


async def test_leaving_a_stream_of_a_job_on_another_instance_logs_nothing(
    make_service: MakeService,
    log_buffer: io.StringIO,
    caplog: pytest.LogCaptureFixture,
) -> None:
    gate = Gate()
    runs = await make_service(make=gate)
    follows = await make_service(max_running_jobs=0)
    id = (await runs.http.post("/v1/playlists", json={"prompt": "late night drive"})).json()["id"]
    await gate.entered.wait()
    for after in ("request", "bytes", "event", "event"):
        await hang_up(follows, id, after=after)
    await asyncio.sleep(0.5)
    gate.open()
    assert (await follows.until(id, finished))["status"] == "done"
    assert errors_in(log_buffer, caplog) == []
