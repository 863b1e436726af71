"""``Headcount``: how many processes draw from a shared budget, as their heartbeats say.

A ``SharedBucket`` divides the rate by it while it paces alone. The last count heard can be
low for a moment (a process that has not yet seen the others counts itself alone), so the
most counted over the last ``window`` seconds is kept too::

    heads = Headcount(window=60.0)
    heads.heard(3)                  # a heartbeat counted three processes
    heads.live, heads.peak          # 3, 3
    heads.heard(1)                  # the others' heartbeats lapsed (or not yet seen)
    heads.live, heads.peak          # 1, 3: the peak lasts ``window`` seconds

``Heartbeat`` says how a process beats, and sets the window.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from moodmix.clock import Clock, monotonic


class Headcount:
    """The last count of live processes, and the most counted over ``window`` seconds."""

    def __init__(self, *, window: float = 60.0, clock: Clock = monotonic) -> None:
        self._window = window
        self._clock = clock
        self._counts: deque[tuple[float, int]] = deque()
        self.live = 1
        """Processes drawing from the budget, as the last heartbeat counted them."""

    def heard(self, live: int) -> None:
        """A heartbeat counted ``live`` processes."""
        now = self._clock()
        self.live = live
        self._counts.append((now, live))
        while self._counts and self._counts[0][0] < now - self._window:
            self._counts.popleft()

    @property
    def peak(self) -> int:
        """The most processes counted over the last ``window`` seconds (``live`` if none)."""
        return max((live for _, live in self._counts), default=self.live)


@dataclass(frozen=True)
class Heartbeat:
    """How a process says it draws from the budget: as ``member`` (random by default), every
    ``every`` seconds, counted live for ``ttl``; the peak of live processes over
    ``peak_window`` seconds sizes its local share when the budget is gone."""

    member: str | None = None
    every: float = 1.0
    ttl: float = 3.0
    peak_window: float = 60.0

    def __post_init__(self) -> None:
        if not 0 < self.every < self.ttl:
            raise ValueError(
                f"beat every ({self.every!r}) must be > 0 and less than its ttl ({self.ttl!r})"
            )
