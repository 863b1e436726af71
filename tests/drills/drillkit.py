"""What the drills share: figures ("failed vs. could have failed"), a tally of what users
saw, the service's drill settings and a way to change the simulator's faults::

    figures.record("5xx burst", failed=2, could_fail=40, outcome="stale served, 503 rest")
    tally.add(await http.get("/v1/tracks/x"))   # fails the test on a 500; checks a 503's reason
    await set_faults(simulator, error_rate=1.0)

``RunningService`` comes from the integration harness (``tests/integration``);
``ServiceProcess`` is ``moodmix serve`` in a process of its own, logging to a file.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parents[1] / "integration"))

from test_service_harness import FAST_UPSTREAM, RunningService

DrillService = Callable[..., Awaitable[RunningService]]


@dataclass(frozen=True)
class Figure:
    """One drill's measured outcome."""

    drill: str
    failed: int
    could_fail: int
    outcome: str

    def line(self) -> str:
        share = self.failed / self.could_fail if self.could_fail else 0.0
        return (
            f"{self.drill}: {self.failed} of {self.could_fail} requests failed "
            f"({share:.0%}); {self.outcome}"
        )


@dataclass
class Figures:
    """The figures recorded during the run (one per drill)."""

    recorded: list[Figure] = field(default_factory=list)

    def record(self, drill: str, *, failed: int, could_fail: int, outcome: str) -> Figure:
        assert 0 <= failed <= could_fail, (failed, could_fail)
        figure = Figure(drill, failed, could_fail, outcome)
        self.recorded.append(figure)
        print(figure.line())
        return figure


FIGURES = Figures()
"""Every figure of this run, printed in the terminal summary."""


DRILL_UPSTREAM: dict[str, Any] = {
    **FAST_UPSTREAM,
    "retry_attempts": 3,
    "read_timeout_s": 2.0,
    "upstream_patience_s": 5.0,
}
"""The integration harness's fast upstream, plus the defaults a drill leans on."""


async def set_faults(sim: Any, **changes: Any) -> None:
    """Change the simulator's runtime config through its admin path, as an operator would."""
    async with httpx.AsyncClient(base_url=sim.url) as http:
        r = await http.patch("/_admin/config", json=changes)
        assert r.status_code == 200, r.text


@dataclass
class Tally:
    """User-visible answers during a drill, by status."""

    statuses: list[int] = field(default_factory=list)
    retry_after: list[float] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)

    def add(self, response: httpx.Response) -> httpx.Response:
        self.statuses.append(response.status_code)
        assert response.status_code != 500, response.text
        if response.status_code == 503:
            body = response.json()
            self.codes.append(body["error"])
            assert body["message"], body
            self.retry_after.append(float(response.headers["retry-after"]))
        return response

    @property
    def failed(self) -> int:
        return sum(status != 200 for status in self.statuses)

    @property
    def total(self) -> int:
        return len(self.statuses)


def process_env(sim: Any, folder: Path, **settings: object) -> dict[str, str]:
    """``MOODMIX_*`` variables for a ``ServiceProcess``: ``sim`` upstream at no limit that
    matters, SQLite in ``folder``, cache in memory; ``settings`` added (``log_level="info"``)."""
    env = {
        "MOODMIX_RECCOBEATS_URL": sim.url,
        "MOODMIX_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'moodmix.db'}",
        "MOODMIX_CACHE_BACKEND": "memory",
        "MOODMIX_RATE_MODE": "fixed",
        "MOODMIX_RATE_PER_MIN": "100000",
        "MOODMIX_BURST": "1000",
        "MOODMIX_PREFETCH": "false",
    }
    return env | {f"MOODMIX_{name.upper()}": str(value) for name, value in settings.items()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class ServiceProcess:
    """``moodmix serve`` in its own process, configured through ``MOODMIX_*`` variables,
    its stdout and stderr appended to ``log``."""

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

    def stop(self) -> None:
        """SIGTERM, as a supervisor stops it, so it writes its last lines."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._log.close()
