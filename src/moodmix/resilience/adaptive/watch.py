"""The watch after a cut: when to check for a raise while a limit that fell may come back.

A limit seen to move is likely to move again, so after a cut the controller checks for a
higher limit on a timer (as BBR probes for bandwidth), not after a backed-off hold::

    watch = Watch()
    watch.start(now)            # a cut: for 20 minutes (or until stopped) ...
    watch.heard(now)            # ... each 429 or check starts the minute again,
    watch.due(now + 60)         # True: a minute without either, time for a check
    watch.stop()                # a raise was found
    left, quiet = watch.share(now)            # for the other processes, in seconds
    other.take(left, quiet, now)
"""

from __future__ import annotations

import math
from typing import Final

WATCH_S: Final = 1200.0
"""How long after a cut the checks go out on a timer."""
EVERY_S: Final = 60.0
"""A check goes out when this long has passed without a 429 or a check."""


class Watch:
    """Whether a check for a raise is due: within ``WATCH_S`` of a cut, ``EVERY_S`` quiet."""

    def __init__(self) -> None:
        self._until = -math.inf
        self._heard = -math.inf

    def start(self, now: float) -> None:
        self._until = now + WATCH_S

    def stop(self) -> None:
        self._until = -math.inf

    def heard(self, now: float) -> None:
        """A 429 or a check: the quiet minute starts again."""
        self._heard = now

    def due(self, now: float) -> bool:
        return now < self._until and now - self._heard >= EVERY_S

    def share(self, now: float) -> tuple[float, float]:
        """(seconds of the watch left, seconds since the last 429 or check); (0.0, 0.0)
        when not watching."""
        if now >= self._until:
            return 0.0, 0.0
        return self._until - now, min(now - self._heard, EVERY_S)

    def take(self, left: float, quiet: float, now: float) -> None:
        """Take over another process's ``share()``."""
        self._until = now + left if left > 0 else -math.inf
        self._heard = now - quiet
