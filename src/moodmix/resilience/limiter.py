"""``Limiter``: what the scheduler needs of a rate limiter, so a shared one can stand in.

``TokenBucket`` (this process only) and ``SharedBucket`` (one budget for every process,
kept in Redis) both fit::

    scheduler = Scheduler(TokenBucket(rate=80 / 60), max_concurrency=6)
    scheduler = Scheduler(SharedBucket(budget, rate=80 / 60), max_concurrency=6)

The methods are synchronous because the scheduler hands out tokens inside its own dispatch.
A limiter whose tokens arrive from elsewhere calls the ``wake`` it was given by ``watch`` when
one has arrived, and the scheduler dispatches again at once.

What a token tells the adaptive rate is an ``Evidence`` the scheduler owns and passes with
each ask: it says whether callers wait behind the taker, and the limiter fills in the run
and the count of tokens as it hands one out::

    evidence = Evidence(backlog=len(queue) > 1)
    if limiter.delay(now, evidence=evidence) == 0 and limiter.try_acquire(now, evidence=evidence):
        evidence.run, evidence.handed_out                   # as of the token just taken
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(slots=True)
class Evidence:
    """What taking a token says about the rate; one per scheduler, passed to its limiter.

    ``backlog`` is the scheduler's: whether the one asking waited for its token or callers
    wait behind it (a token taken with neither ends the run). The rest is the limiter's, as
    of the last token it handed out with this evidence: ``run``, the tokens taken back to
    back by every process drawing from the budget (``TokenBucket.run``: while it grows, the
    rate binds); ``handed_out``, the tokens handed out so far to all of them (the run went on
    between two looks if both grew alike).
    """

    backlog: bool = True
    run: int = 0
    handed_out: int = 0


class Limiter(Protocol):
    """Paces requests: ``rate`` tokens a second on average, at most ``burst`` at once."""

    @property
    def rate(self) -> float:
        """Tokens a second, for every process drawing from this budget together."""
        ...

    @property
    def burst(self) -> int: ...

    @property
    def paused_until(self) -> float: ...

    def delay(
        self, now: float | None = None, *, tokens: float = 1.0, evidence: Evidence | None = None
    ) -> float:
        """Seconds until ``tokens`` tokens can be taken (0.0: now)."""
        ...

    def try_acquire(self, now: float | None = None, *, evidence: Evidence | None = None) -> bool:
        """Take a token if one can be taken at ``now``; fills in ``evidence`` if it does."""
        ...

    def refund(self, now: float | None = None) -> None: ...

    def set_rate(self, rate: float, now: float | None = None) -> None: ...

    def pause_until(self, until: float, now: float | None = None) -> None: ...

    def watch(self, wake: Callable[[], None]) -> None:
        """Call ``wake()`` whenever a token may have become available without a timer."""
        ...
