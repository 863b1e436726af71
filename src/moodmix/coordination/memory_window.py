"""``MemoryWindow``: the rolling window (``Window``) for the callers of one process.

::

    window = MemoryWindow(clock=clock)
    await window.admit("spotify", limit=2, seconds=30.0)   # 0.0: counted
    await window.admit("spotify", limit=2, seconds=30.0)   # 0.0
    await window.admit("spotify", limit=2, seconds=30.0)   # 30.0: the first leaves then

It keeps what ``RedisWindow`` keeps in Redis (the times of the requests in the window, a
pause's end) and takes the same steps, each without an ``await`` inside, so it is atomic
as the Lua script is.
"""

from __future__ import annotations

from collections import deque

from moodmix.clock import Clock, monotonic


class MemoryWindow:
    """``Window`` in this process's memory, on ``clock`` (seconds, e.g. ``ManualClock``)."""

    def __init__(self, *, clock: Clock = monotonic) -> None:
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._paused: dict[str, float] = {}

    async def admit(self, key: str, limit: int, seconds: float) -> float:
        now = self._clock()
        until = self._paused.get(key, 0.0)
        if until > now:
            return until - now
        seen = self._seen.setdefault(key, deque())
        while seen and seen[0] <= now - seconds:
            seen.popleft()
        if len(seen) >= limit:
            return max(seen[0] + seconds - now, 0.001)
        seen.append(now)
        return 0.0

    async def pause(self, key: str, seconds: float) -> None:
        until = self._clock() + seconds
        self._paused[key] = max(self._paused.get(key, 0.0), until)

    async def aclose(self) -> None:
        return None
