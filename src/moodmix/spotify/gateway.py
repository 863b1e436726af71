"""Spotify calls in the app's own lane: a circuit breaker, the rolling window Spotify counts
per app (shared by every process), its Retry-After honoured by all, and retries.

::

    gate = WindowGate(RedisWindow(redis), "spotify:<client id>", limit=100, seconds=30.0)
    async with Spotify(SpotifyClient(), gate) as spotify:
        me = await spotify.call(lambda client: client.get_me(token))
        await spotify.call(add_tracks, retry_unavailable=False, priority=Priority.BACKGROUND)

The breaker comes first, so a call it refuses spends no room in the window: while Spotify
keeps failing (5xx, timeouts, dropped connections; a 429 or a 4xx is Spotify answering)
calls are ``SpotifyUnavailable`` at once, with when to try again. A 429 pauses the window for
every process for its Retry-After and the call is tried again when that is at most
``max_wait``; a 5xx or a dropped connection is tried again after a backoff; after
``attempts`` tries the last error is raised. A call that would wait longer than ``max_wait``
for room is ``RateLimited`` at once, with the honest wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

from moodmix.closing import Closing
from moodmix.resilience.breaker import CircuitBreaker
from moodmix.resilience.slot import Priority
from moodmix.resilience.tokenbucket import Sleep
from moodmix.resilience.windowgate import WindowFull, WindowGate
from moodmix.spotify.client import SpotifyClient
from moodmix.spotify.errors import RateLimited, SpotifyUnavailable

T = TypeVar("T")
ATTEMPTS: Final = 3
MAX_WAIT_S: Final = 45.0
"""Longest wait for room: a whole window (30 s, as Spotify counts it) and then some."""
BACKOFF_S: Final = 0.5


class Spotify(Closing):
    """``client``'s calls through ``gate`` (the app's window), with retries."""

    def __init__(
        self,
        client: SpotifyClient,
        gate: WindowGate,
        *,
        breaker: CircuitBreaker | None = None,
        attempts: int = ATTEMPTS,
        max_wait: float = MAX_WAIT_S,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.client = client
        self.gate = gate
        self.breaker = breaker or CircuitBreaker(is_failure=_failing)
        self._attempts = attempts
        self._max_wait = max_wait
        self._sleep = sleep
        self.rate_limited = 0
        """429s Spotify answered (each paused the window for every process)."""

    async def call(
        self,
        request: Callable[[SpotifyClient], Awaitable[T]],
        *,
        retry_unavailable: bool = True,
        priority: Priority = Priority.INTERACTIVE,
    ) -> T:
        """``request(client)`` within the window; with ``retry_unavailable`` a 5xx or a
        dropped connection is tried again (leave it off for a change that may have landed
        though its answer was lost, such as adding tracks). A ``BACKGROUND`` call (a save)
        waits for room only while no interactive call of this process does."""
        for attempt in range(1, self._attempts + 1):
            if not self.breaker.allow():
                wait = self.breaker.retry_after()
                raise SpotifyUnavailable(
                    f"Spotify keeps failing; trying again in {wait:.0f} s", retry_after=wait
                )
            try:
                await self.gate.acquire(max_wait=self._max_wait, priority=priority)
            except WindowFull as full:
                self.breaker.release()
                raise RateLimited(full.retry_after) from None
            try:
                result = await request(self.client)
            except BaseException as exc:
                self.breaker.record_error(exc)
                if isinstance(exc, RateLimited):
                    self.rate_limited += 1
                    await self.gate.pause(exc.retry_after)
                    if attempt == self._attempts or exc.retry_after > self._max_wait:
                        raise
                elif isinstance(exc, SpotifyUnavailable):
                    if attempt == self._attempts or not retry_unavailable:
                        raise
                    await self._sleep(BACKOFF_S * 2**attempt)
                else:
                    raise
            else:
                self.breaker.record_success()
                return result
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def aclose(self) -> None:
        await self.client.aclose()
        await self.gate.aclose()


def _failing(exc: BaseException) -> bool:
    """Spotify failing, as opposed to answering (a 429 or a 4xx is an answer)."""
    return isinstance(exc, SpotifyUnavailable)
