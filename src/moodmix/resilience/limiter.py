"""``Limiter``: what the scheduler needs of a rate limiter, so a shared one can stand in.

``TokenBucket`` (this process only) and ``SharedBucket`` (one budget for every process,
kept in Redis) both fit::

    scheduler = Scheduler(TokenBucket(rate=80 / 60), max_concurrency=6)
    scheduler = Scheduler(SharedBucket(budget, rate=80 / 60), max_concurrency=6)

The methods are synchronous because the scheduler hands out tokens inside its own dispatch.
A limiter whose tokens arrive from elsewhere calls the ``wake`` it was given by ``watch`` when
one has arrived, and the scheduler dispatches again at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Limiter(Protocol):
    """Paces requests: ``rate`` tokens a second on average, at most ``burst`` at once."""

    @property
    def rate(self) -> float:
        """Tokens a second, for every process drawing from this budget together."""
        ...

    @property
    def burst(self) -> int: ...

    @property
    def share(self) -> float:
        """The share of ``rate`` this process can expect (1.0 when it draws alone)."""
        ...

    @property
    def paused_until(self) -> float: ...

    backlog: bool
    """Set by the scheduler before it asks for a token: whether callers wait behind the one
    asking (a token taken without them ends the run)."""

    @property
    def run(self) -> int:
        """Tokens taken back to back, by every process drawing from the budget, up to the
        last one this process took (``TokenBucket.run``): while it grows, the rate binds."""
        ...

    @property
    def handed_out(self) -> int:
        """Tokens handed out so far, to every process drawing from the budget, up to the last
        one this process took: the run went on between two looks if both grew alike."""
        ...

    def delay(self, now: float | None = None, *, tokens: float = 1.0) -> float:
        """Seconds until ``tokens`` tokens can be taken (0.0: now)."""
        ...

    def try_acquire(self, now: float | None = None) -> bool: ...

    def refund(self, now: float | None = None) -> None: ...

    def set_rate(self, rate: float, now: float | None = None) -> None: ...

    def pause_until(self, until: float, now: float | None = None) -> None: ...

    def watch(self, wake: Callable[[], None]) -> None:
        """Call ``wake()`` whenever a token may have become available without a timer."""
        ...
