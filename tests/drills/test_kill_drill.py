"""SIGKILL drill: the service process is killed with playlist jobs in flight, then started
again on the same database. Every accepted playlist must finish, or be failed with the
reason; none may vanish or stay unfinished."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from drillkit import Figures, set_faults

from moodmix.simulator import SimulatorServer

PROMPTS = [
    "rainy sunday, mellow acoustic",
    "pre-game hype, loud",
    "late night jazz, calm",
    "summer road trip, upbeat",
    "focus, instrumental, steady",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class ServiceProcess:
    """``moodmix serve`` in its own process, configured through ``MOODMIX_*`` variables."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log.open("ab")
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "moodmix"), "serve", "--port", str(self.port)],
            env={**os.environ, **env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    async def ready(self, limit_s: float = 60) -> None:
        async with asyncio.timeout(limit_s), httpx.AsyncClient(base_url=self.url) as http:
            while True:
                assert self.proc.poll() is None, "the service exited while starting"
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self._log.close()


@pytest.fixture
def processes() -> Iterator[list[ServiceProcess]]:
    started: list[ServiceProcess] = []
    yield started
    for process in started:
        process.kill()


async def test_sigkill_with_jobs_in_flight_loses_no_playlist(
    simulator: SimulatorServer,
    tmp_path: Path,
    processes: list[ServiceProcess],
    figures: Figures,
) -> None:
    env = {
        "MOODMIX_RECCOBEATS_URL": simulator.url,
        "MOODMIX_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'moodmix.db'}",
        "MOODMIX_CACHE_BACKEND": "memory",
        "MOODMIX_RATE_MODE": "fixed",
        "MOODMIX_RATE_PER_MIN": "100000",
        "MOODMIX_BURST": "1000",
        "MOODMIX_PREFETCH": "false",
        "MOODMIX_JOB_LEASE_S": "2",
        "MOODMIX_LOG_LEVEL": "warning",
    }
    # Slow the upstream so the jobs are still running when the process dies.
    await set_faults(simulator, latency_ms=400, latency_p99_ms=800)
    first = ServiceProcess(env, tmp_path / "service.log")
    processes.append(first)
    await first.ready()
    accepted: list[str] = []
    async with httpx.AsyncClient(base_url=first.url, timeout=30) as http:
        for prompt in PROMPTS:
            r = await http.post("/v1/playlists", json={"prompt": prompt, "size": 10})
            assert r.status_code == 202, r.text
            accepted.append(r.json()["id"])

        async def running() -> int:
            states = [(await http.get(f"/v1/playlists/{id}")).json() for id in accepted]
            return sum(state["status"] == "running" for state in states)

        async with asyncio.timeout(30):
            while True:
                if await running() > 0:
                    break
                await asyncio.sleep(0.05)
    first.kill()
    await set_faults(simulator, latency_ms=0, latency_p99_ms=0)

    second = ServiceProcess(env, tmp_path / "service.log")
    processes.append(second)
    await second.ready()
    final: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=second.url, timeout=30) as http, asyncio.timeout(90):
        while len(final) < len(accepted):
            for id in accepted:
                r = await http.get(f"/v1/playlists/{id}")
                assert r.status_code == 200, r.text  # it did not vanish
                body = r.json()
                if body["status"] in ("done", "failed"):
                    final[id] = body
            await asyncio.sleep(0.2)
    failed = [body for body in final.values() if body["status"] == "failed"]
    for body in failed:
        assert body["error"]["message"], body
    for body in final.values():
        if body["status"] == "done":
            assert body["playlist"]["tracks"], body
    restarted = sum(body["attempts"] >= 2 for body in final.values())
    assert restarted >= 1
    figures.record(
        "service SIGKILLed with playlist jobs in flight, then restarted",
        failed=len(failed),
        could_fail=len(accepted),
        outcome=f"all {len(accepted)} accepted playlists accounted for; {restarted} were "
        "adopted after their lease ran out and made again; none vanished",
    )
