"""Run the language-model stand-in on this event loop, on a loopback port.

::

    async with LlmServer(LlmConfig()) as llm:
        settings = Settings(llm_url=llm.url + "/v1", llm_model="standin")
        ...
        llm.state.requests        # requests answered so far
    with llm_in_thread(LlmConfig()) as llm:          # for sync code (``serve --llm-offline``)
        llm.url
    serve_llm_forever(LlmConfig(fault="slow"), port=8767)   # the CLI's foreground server
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Self

from aiohttp import web

from moodmix.simulator.llm.app import LlmConfig, StandInState, build_app


class LlmServer:
    """The stand-in listening on ``host:port`` (port 0: any free one)."""

    def __init__(self, config: LlmConfig, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = StandInState(config)
        self._host, self._port = host, port
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> Self:
        runner = web.AppRunner(build_app(self.state), access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        try:
            await web.TCPSite(runner, self._host, self._port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = int(runner.addresses[0][1])
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
        """The server's root; the API is under ``/v1`` (give ``url + "/v1"`` to moodmix)."""
        if self._runner is None:
            raise RuntimeError("the stand-in has not been started")
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}"


def serve_llm_forever(
    config: LlmConfig,
    *,
    host: str = "127.0.0.1",
    port: int = 8767,
    on_ready: Callable[[LlmServer], None] | None = None,
) -> None:
    """Serve until interrupted (Ctrl-C raises ``KeyboardInterrupt`` out of here)."""

    async def main() -> None:
        async with LlmServer(config, host=host, port=port) as server:
            if on_ready is not None:
                on_ready(server)
            await asyncio.Event().wait()

    asyncio.run(main())


@contextlib.contextmanager
def llm_in_thread(
    config: LlmConfig, *, host: str = "127.0.0.1", port: int = 0
) -> Iterator[LlmServer]:
    """The stand-in on its own event loop in a daemon thread, stopped when the block ends."""
    server = LlmServer(config, host=host, port=port)
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

    thread = threading.Thread(target=asyncio.run, args=(main(),), name="moodmix-llm", daemon=True)
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
