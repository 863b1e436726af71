"""A throwaway ``redis-server`` for the several-instances benchmark, killable mid-run.

::

    server = await RedisProcess.start()      # a free port, no persistence
    server.url                               # redis://127.0.0.1:<port>/0
    await server.kill()                      # SIGKILL: an outage
    await server.restart()                   # an empty Redis on the same port
    await server.stop()

Debian's ``redis-server`` package provides the binary (``valkey-server`` works too).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import time

import redis.asyncio as aioredis

from moodmix.bench.simulators import free_port

_STARTUP_TIMEOUT_S = 10.0


class RedisUnavailable(RuntimeError):
    """No ``redis-server`` could be started for the benchmark."""


class RedisProcess:
    """One ``redis-server`` subprocess on a port of its own."""

    def __init__(self, binary: str, port: int) -> None:
        self._binary = binary
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self._process: asyncio.subprocess.Process | None = None

    @classmethod
    async def start(cls) -> RedisProcess:
        binary = shutil.which("redis-server") or shutil.which("valkey-server")
        if binary is None:
            raise RedisUnavailable(
                "the several-instances benchmark needs redis-server (Debian: apt-get install "
                "redis-server) or valkey-server on the PATH"
            )
        server = cls(binary, free_port())
        await server.restart()
        return server

    async def restart(self) -> None:
        """Start the server (again, empty) on its port and wait until it answers."""
        self._process = await asyncio.create_subprocess_exec(
            self._binary,
            *("--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        client = aioredis.Redis.from_url(self.url)
        deadline = time.monotonic() + _STARTUP_TIMEOUT_S
        try:
            while time.monotonic() < deadline:
                if self._process.returncode is not None:
                    break
                with contextlib.suppress(Exception):
                    if await client.ping():
                        return
                await asyncio.sleep(0.02)
        finally:
            await client.aclose()
        await self.kill()
        raise RedisUnavailable(f"{self._binary} did not answer on port {self.port}")

    async def kill(self) -> None:
        """SIGKILL the server (what an outage looks like to its clients)."""
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()

    async def stop(self) -> None:
        await self.kill()
