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
from collections.abc import Callable, Iterator

from aiohttp import web

from moodmix.simulator.listening import LoopbackServer, in_thread
from moodmix.simulator.llm.app import LlmConfig, StandInState, build_app


class LlmServer(LoopbackServer):
    """The stand-in listening on ``host:port`` (port 0: any free one)."""

    shutdown_s = 0.5

    def __init__(self, config: LlmConfig, *, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host=host, port=port)
        self.state = StandInState(config)

    def app(self) -> web.Application:
        return build_app(self.state)

    @property
    def url(self) -> str:
        """The server's root; the API is under ``/v1`` (give ``url + "/v1"`` to moodmix)."""
        return super().url


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
    with in_thread(LlmServer(config, host=host, port=port), "moodmix-llm") as server:
        yield server
