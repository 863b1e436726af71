"""Simulators in their own processes, so they never share the gateway's event loop.

Each profile gets its own simulator (its own rate limit, its own counters)::

    async with await SimulatorProcess.start(seed=0, tracks=50_000, latency_ms=15) as sim:
        await sim.configure(rate_per_min=2_400, burst=10, retry_after_resolution=1 / 30)
        await sim.reset()
        ...  # point a gateway at sim.url
        counts = await sim.stats()     # what it served: UpstreamCounts(requests, rate_limited)

The process runs ``moodmix.cli.simulator.simulator`` on a free port; ``start`` returns once
``/_admin/healthz`` answers (or raises with what the process printed). ``Simulator`` is what a
lane needs of one; ``bench.inprocess.InProcessSimulator`` is the other kind, for virtual time.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Protocol, Self

import httpx

_STARTUP_TIMEOUT_S = 60.0
_STOP_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class UpstreamCounts:
    """Ground truth from the simulator: every request it answered, and how many with 429."""

    requests: int
    rate_limited: int
    by_endpoint: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def accepted(self) -> int:
        return self.requests - self.rate_limited


class Simulator(Protocol):
    """A simulator the bench drives: where to reach it, and its admin calls."""

    url: str
    transport: httpx.AsyncBaseTransport | None
    """How to reach it without a socket, or ``None`` to connect to ``url``."""

    async def configure(
        self, *, rate_per_min: float, burst: int, retry_after_resolution: float
    ) -> None: ...

    async def reset(self) -> None: ...

    async def stats(self) -> UpstreamCounts: ...

    async def stop(self) -> None: ...


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _command(port: int, seed: int, tracks: int, latency_ms: float) -> list[str]:
    call = (
        "from moodmix.cli.simulator import simulator; "
        f"simulator(host='127.0.0.1', port={port}, rate='100000/min', burst=10, "
        f"seed={seed}, tracks={tracks}, latency_ms={latency_ms!r})"
    )
    return [sys.executable, "-c", call]


class SimulatorProcess:
    """One simulator subprocess and an admin client for it."""

    def __init__(self, process: asyncio.subprocess.Process, port: int, log: Any) -> None:
        self._process = process
        self._log = log
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.transport: httpx.AsyncBaseTransport | None = None
        self._http = httpx.AsyncClient(base_url=self.url, timeout=10.0)

    @classmethod
    async def start(
        cls, *, seed: int = 0, tracks: int = 50_000, latency_ms: float = 0.0
    ) -> SimulatorProcess:
        log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        port = free_port()
        process = await asyncio.create_subprocess_exec(
            *_command(port, seed, tracks, latency_ms),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log,
        )
        sim = cls(process, port, log)
        try:
            await sim._wait_healthy()
        except BaseException:
            await sim.stop()
            raise
        return sim

    async def _wait_healthy(self) -> None:
        await wait_answering(
            self._process, self._http, "/_admin/healthz", what="the simulator", log=self._log
        )

    async def configure(
        self, *, rate_per_min: float, burst: int, retry_after_resolution: float
    ) -> None:
        response = await self._http.patch(
            "/_admin/config",
            json={
                "rate_per_min": rate_per_min,
                "burst": burst,
                "retry_after_resolution": retry_after_resolution,
            },
        )
        response.raise_for_status()

    async def reset(self) -> None:
        (await self._http.post("/_admin/reset")).raise_for_status()

    async def stats(self) -> UpstreamCounts:
        response = await self._http.get("/_admin/stats")
        response.raise_for_status()
        body = response.json()
        return UpstreamCounts(
            int(body["requests"]["total"]),
            int(body["rate_limited"]),
            dict(body["requests"]["by_endpoint"]),
        )

    async def stop(self) -> None:
        await self._http.aclose()
        await stop_process(self._process, _STOP_TIMEOUT_S)
        self._log.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


async def stop_process(process: asyncio.subprocess.Process, grace_s: float) -> None:
    """SIGTERM ``process`` and wait up to ``grace_s`` seconds for it; SIGKILL it after."""
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        await asyncio.wait_for(process.wait(), grace_s)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


async def wait_answering(
    process: asyncio.subprocess.Process,
    http: httpx.AsyncClient,
    path: str,
    *,
    what: str,
    log: Any,
    within_s: float = _STARTUP_TIMEOUT_S,
) -> None:
    """Poll ``path`` until it answers 200; a ``RuntimeError`` naming ``what`` (with the end
    of its ``log``) if the process exits first or ``within_s`` seconds pass."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}: {log_tail(log)}")
        with contextlib.suppress(httpx.TransportError):
            if (await http.get(path)).status_code == 200:
                return
        await asyncio.sleep(0.05)
    raise RuntimeError(f"{what} did not answer within {within_s:g} s")


def log_tail(log: Any) -> str:
    """The last 2,000 characters a subprocess wrote to the temporary file ``log``."""
    log.seek(0)
    text: str = log.read().decode(errors="replace").strip()
    return text[-2_000:] or "(nothing printed)"
