"""A client whose every request first passes a gate keyed by its route: pacing outside the
gateway's scheduler, for baselines and peers that pace per endpoint or with another library::

    class Spaced:
        async def send(self, endpoint, request):
            await asyncio.sleep(0.5)
            return await request()

    gateway = ReccoBeats.from_settings(settings, gate=Spaced())

The gate sees the route template (``/v1/track/{id}``) and a callable that sends the request
once; it may call it again to retry. The wrapped client keeps its connections and hooks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

import httpx

from moodmix.reccobeats import _params as params
from moodmix.reccobeats.client import ReccoBeatsClient

T = TypeVar("T")


class SendGate(Protocol):
    """Decides when (and how often) a request to ``endpoint`` is sent."""

    async def send(self, endpoint: str, request: Callable[[], Awaitable[T]]) -> T: ...


class GatedClient(ReccoBeatsClient):
    """``inner`` with ``gate`` in front of each request it sends."""

    def __init__(self, inner: ReccoBeatsClient, gate: SendGate) -> None:
        # The inner client owns the connection pool and the response hook.
        self.base_url = inner.base_url
        self._inner = inner
        self._gate = gate

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def _send(
        self,
        method: str,
        endpoint: str,
        *,
        key: str | None = None,
        query: params.Query | None = None,
        files: dict[str, tuple[str, bytes, str | None]] | None = None,
    ) -> httpx.Response:
        inner = self._inner
        return await self._gate.send(
            endpoint,
            lambda: inner._send(method, endpoint, key=key, query=query, files=files),
        )
