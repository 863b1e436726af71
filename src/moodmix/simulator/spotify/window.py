"""A rolling 30-second window per app, as Spotify counts requests.

::

    window = RollingWindow(limit=100, seconds=30.0, clock=clock)
    wait = window.admit("client-id")     # None: counted; else seconds until one leaves
"""

from __future__ import annotations

from collections import deque

from moodmix.clock import Clock, monotonic


class RollingWindow:
    """At most ``limit`` requests per app in any ``seconds``; refused ones are not counted."""

    def __init__(self, limit: int, seconds: float = 30.0, *, clock: Clock = monotonic) -> None:
        if limit < 1 or seconds <= 0:
            raise ValueError(f"limit must be >= 1 and seconds > 0, got {limit}, {seconds}")
        self.limit = limit
        self.seconds = seconds
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}

    def admit(self, app: str) -> float | None:
        """Count a request of ``app``; or, over the limit, the seconds until one leaves."""
        now = self._clock()
        seen = self._seen.setdefault(app, deque())
        while seen and seen[0] <= now - self.seconds:
            seen.popleft()
        if len(seen) >= self.limit:
            return seen[0] + self.seconds - now
        seen.append(now)
        return None
