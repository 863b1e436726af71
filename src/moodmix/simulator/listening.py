"""Serving a stand-in's aiohttp application on a loopback port, for an ``async with`` block.

runner, port = await listen(build_app(state), "127.0.0.1", 0, shutdown_s=2.0)
base_url("127.0.0.1", port)           # 'http://127.0.0.1:43117'

class LlmServer(LoopbackServer):      # the stand-ins that have nothing to start but it
    def app(self) -> web.Application: return build_app(self.state)
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from types import TracebackType
from typing import Final, Self, TypeVar

from aiohttp import web

S = TypeVar("S", bound="LoopbackServer")

WILDCARDS: Final = frozenset({"", "0.0.0.0", "::"})
"""Hosts that mean every interface; a client reaches them on 127.0.0.1."""


async def listen(
    app: web.Application, host: str, port: int, *, shutdown_s: float
) -> tuple[web.AppRunner, int]:
    """``app`` served on ``host:port`` (port 0: any free one): its runner (clean it up to
    stop) and the port it got."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=shutdown_s)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner, int(runner.addresses[0][1])


def base_url(host: str, port: int) -> str:
    """How a client on this machine reaches ``host:port``."""
    host = "127.0.0.1" if host in WILDCARDS else host
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{port}"


class LoopbackServer(ABC):
    """A stand-in listening on ``host:port`` while its ``async with`` block runs."""

    shutdown_s: float = 2.0
    """How long a stop waits for requests in progress."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host, self._port = host, port
        self._runner: web.AppRunner | None = None

    @abstractmethod
    def app(self) -> web.Application:
        """The application to serve."""

    async def __aenter__(self) -> Self:
        self._runner, self._port = await listen(
            self.app(), self._host, self._port, shutdown_s=self.shutdown_s
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    @property
    def url(self) -> str:
        """The server's root."""
        if self._runner is None:
            raise RuntimeError("the stand-in has not been started")
        return base_url(self._host, self._port)


@contextlib.contextmanager
def in_thread(server: S, name: str) -> Iterator[S]:
    """``server`` on its own event loop in a daemon thread named ``name``, stopped when the
    block ends; an error starting it is raised here."""
    ready, failure = threading.Event(), []
    holder: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    async def main() -> None:
        stop = asyncio.Event()
        try:
            await server.__aenter__()
        except BaseException as exc:
            failure.append(exc)
            ready.set()
            return
        holder.append((asyncio.get_running_loop(), stop))
        ready.set()
        try:
            await stop.wait()
        finally:
            await server.__aexit__(None, None, None)

    thread = threading.Thread(target=asyncio.run, args=(main(),), name=name, daemon=True)
    thread.start()
    ready.wait()
    if failure:
        thread.join()
        raise failure[0]
    try:
        yield server
    finally:
        loop, stop = holder[0]
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=5)
