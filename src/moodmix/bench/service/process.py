"""The service and the load generator as processes of their own, for the service workload.

    env = service_env(settings, scale, {"MOODMIX_DATABASE_URL": url})
    async with await ServiceProcess.start(env) as service:
        result = await run_load({"phase": "cold", "url": service.url, "asks": asks, "keys": keys})
    tree_cpu_s(pid)        # CPU seconds of a process and its children

The service is ``uvicorn --factory moodmix.service.app:create_app``, configured through
``MOODMIX_*`` (``service_env``) like any deployment; the load generator is ``load``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

from moodmix.bench.scaling import SCALED_DURATIONS, TimeScale
from moodmix.bench.service.plan import Json
from moodmix.bench.simulators import (
    free_port,
    stop_process,
    wait_answering,
)
from moodmix.settings import Settings

_STARTUP_TIMEOUT_S = 60.0


_STOP_TIMEOUT_S = 15.0


def service_env(settings: Settings, scale: TimeScale, extra: dict[str, str]) -> dict[str, str]:
    """The service's environment: ``settings`` (already scaled) as ``MOODMIX_*`` variables,
    the quota window scaled too, then ``extra``; other ``MOODMIX_*`` variables are dropped."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOODMIX_")}
    names = ("profile", "reccobeats_url", "cache_backend", "cache_path", "rate_per_min")
    for name in (*names, *SCALED_DURATIONS):
        env[f"MOODMIX_{name.upper()}"] = str(getattr(settings, name))
    env["MOODMIX_CLIENT_QUOTA_WINDOW_S"] = str(scale.wall(settings.client_quota_window_s))
    env["MOODMIX_LOG_LEVEL"] = "warning"
    env.update(extra)
    return env


def tree_cpu_s(pid: int) -> float | None:
    """CPU seconds used so far by ``pid`` and its descendants (Linux ``/proc``), else None."""
    try:
        tick = os.sysconf("SC_CLK_TCK")
        parents: dict[int, int] = {}
        cpu: dict[int, float] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            with contextlib.suppress(OSError, ValueError, IndexError):
                text = Path(f"/proc/{entry}/stat").read_text()
                fields = text[text.rindex(")") + 2 :].split()
                parents[int(entry)] = int(fields[1])
                cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    except (OSError, ValueError):
        return None
    if pid not in cpu:
        return None
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += cpu.get(current, 0.0)
        todo.extend(child for child, parent in parents.items() if parent == current)
    return round(total, 2)


class ServiceProcess:
    """``uvicorn --factory moodmix.service.app:create_app`` on a free port."""

    def __init__(self, process: asyncio.subprocess.Process, port: int, log: Any) -> None:
        self._process = process
        self._log = log
        self.pid = process.pid
        self.url = f"http://127.0.0.1:{port}"
        self.http = httpx.AsyncClient(base_url=self.url, timeout=120.0)
        self._key_header: dict[str, str] = {}

    @classmethod
    async def start(cls, env: dict[str, str], *, workers: int = 1) -> ServiceProcess:
        port = free_port()
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "moodmix.service.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ]
        if workers > 1:
            command += ["--workers", str(workers)]
        log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        process = await asyncio.create_subprocess_exec(
            *command, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log
        )
        service = cls(process, port, log)
        try:
            await service._wait_ready()
        except BaseException:
            await service.stop()
            raise
        return service

    async def _wait_ready(self) -> None:
        await wait_answering(
            self._process,
            self.http,
            "/readyz",
            what="the service",
            log=self._log,
            within_s=_STARTUP_TIMEOUT_S,
        )

    async def status(self) -> Json:
        r = await self.http.get("/system/status", headers=self._key_header)
        r.raise_for_status()
        body: Json = r.json()
        return body

    def use_key(self, key: str) -> None:
        """Send ``key`` with the bench's own requests (when the service has keys on)."""
        self._key_header = {"X-API-Key": key}

    async def stop(self) -> None:
        await self.http.aclose()
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


async def run_load(spec: Json) -> Json:
    """Run the load generator process on ``spec``; its JSON result."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "moodmix.bench.service.load",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate(json.dumps(spec).encode())
    if process.returncode != 0:
        raise RuntimeError(
            f"the load generator exited with code {process.returncode}: "
            f"{err.decode(errors='replace')[-2_000:]}"
        )
    result: Json = json.loads(out)
    return result
