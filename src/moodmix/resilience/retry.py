"""Retries with capped exponential backoff, full jitter, server-given delays and a retry budget.

tenacity and backoff draw jitter from the global ``random``, take no injected clock and have
no retry budget, which leaves only a short loop worth borrowing, so the loop is here::

    policy = RetryPolicy(max_attempts=4, base_delay=0.25, max_delay=8.0, rng=random.Random(7))
    budget = RetryBudget(ratio=0.1, min_per_second=0.5, window=10.0)
    classify = retry_on(TooManyRequests, ConnectionError)  # waits at least exc.retry_after
    tracks = await retry(lambda: client.tracks(ids), policy, classify=classify, budget=budget)
    print(policy.stats.attempts, policy.stats.retries, policy.stats.budget_exhausted)

Retry number ``n`` (0 for the first) sleeps a uniform random time in
``[0, min(max_delay, base_delay * 2**n)]`` ("full jitter"), or longer when the classifier asks
for a minimum delay (a server's Retry-After). The last error propagates unchanged when the
classifier declines it, attempts run out, the budget is spent, or the sleep would end past
the caller's ``deadline``.

The budget (after Finagle's and gRPC's) lets retries be at most ``ratio`` of the requests
started in the last ``window`` seconds plus ``min_per_second * window``, so an outage is
never multiplied by retries. One budget is meant to be shared by every call to one upstream.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from moodmix.clock import Clock, monotonic

V = TypeVar("V")

_BUCKETS = 10


@dataclass(frozen=True)
class RetryDecision:
    """A classifier's verdict on one error: retry or not, and the least time to wait first."""

    retry: bool = True
    min_delay: float = 0.0

    def __post_init__(self) -> None:
        if not self.min_delay >= 0.0:
            raise ValueError(f"min_delay must be >= 0 seconds, got {self.min_delay!r}")


Classifier = Callable[[Exception], RetryDecision | None]


def retry_on(*types: type[Exception]) -> Classifier:
    """A classifier retrying errors of ``types``, waiting at least their ``retry_after``.

    ``retry_after`` is read as seconds when the error has it as a non-negative number.
    """
    if not types:
        raise ValueError("retry_on needs at least one exception type")

    def classify(exc: Exception) -> RetryDecision | None:
        if not isinstance(exc, types):
            return None
        delay = getattr(exc, "retry_after", None)
        if isinstance(delay, int | float) and not isinstance(delay, bool) and delay >= 0:
            return RetryDecision(min_delay=float(delay))
        return RetryDecision()

    return classify


@dataclass
class RetryStats:
    """Counters over every ``retry`` call made with one policy."""

    calls: int = 0
    attempts: int = 0
    retries: int = 0
    budget_exhausted: int = 0
    deadline_stops: int = 0


class RetryPolicy:
    """How many attempts, and how long to wait between them."""

    def __init__(
        self,
        max_attempts: int = 3,
        base_delay: float = 0.1,
        max_delay: float = 10.0,
        *,
        rng: random.Random | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {max_attempts!r}")
        if not base_delay >= 0.0:
            raise ValueError(f"base_delay must be >= 0 seconds, got {base_delay!r}")
        if not max_delay >= base_delay:
            raise ValueError(
                f"max_delay must be at least base_delay ({base_delay!r}), got {max_delay!r}"
            )
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._rng = rng if rng is not None else random.Random()
        self.stats = RetryStats()

    def ceiling(self, retry_number: int) -> float:
        """The longest jittered wait before retry ``retry_number`` (0 for the first)."""
        if retry_number < 0:
            raise ValueError(f"retry_number must be >= 0, got {retry_number!r}")
        try:
            return min(self.max_delay, math.ldexp(self.base_delay, retry_number))
        except OverflowError:
            return self.max_delay

    def delay(self, retry_number: int, min_delay: float = 0.0) -> float:
        """A full-jitter wait before retry ``retry_number``, at least ``min_delay``."""
        return max(min_delay, self._rng.uniform(0.0, self.ceiling(retry_number)))


class _Count:
    """Events in the last ``span`` seconds, kept in ``_BUCKETS`` buckets."""

    def __init__(self, span: float, clock: Clock) -> None:
        self._width = span / _BUCKETS
        self._clock = clock
        self._buckets: deque[list[int]] = deque()
        self._total = 0

    def add(self) -> None:
        index = self._expire()
        if not self._buckets or self._buckets[-1][0] != index:
            self._buckets.append([index, 0])
        self._buckets[-1][1] += 1
        self._total += 1

    def total(self) -> int:
        self._expire()
        return self._total

    def _expire(self) -> int:
        index = math.floor(self._clock() / self._width)
        while self._buckets and self._buckets[0][0] <= index - _BUCKETS:
            self._total -= self._buckets.popleft()[1]
        return index


class RetryBudget:
    """Caps retries at ``ratio`` of recent requests plus ``min_per_second`` over ``window``."""

    def __init__(
        self,
        *,
        ratio: float = 0.1,
        min_per_second: float = 1.0,
        window: float = 10.0,
        clock: Clock = monotonic,
    ) -> None:
        if not 0.0 <= ratio <= 1.0:
            raise ValueError(f"ratio must be in [0, 1], got {ratio!r}")
        if not min_per_second >= 0.0:
            raise ValueError(f"min_per_second must be >= 0, got {min_per_second!r}")
        if not window > 0.0:
            raise ValueError(f"window must be a positive number of seconds, got {window!r}")
        self._ratio = ratio
        self._reserve = min_per_second * window
        self._requests = _Count(window, clock)
        self._retries = _Count(window, clock)

    def record_request(self) -> None:
        """Count a first attempt (``retry`` does this once per call)."""
        self._requests.add()

    def available(self) -> float:
        """How many retries the budget allows now."""
        allowed = self._ratio * self._requests.total() + self._reserve
        return max(0.0, allowed - self._retries.total())

    def try_spend(self) -> bool:
        """Take one retry from the budget; False (and nothing taken) if it is spent."""
        if self.available() < 1.0:
            return False
        self._retries.add()
        return True


async def retry(
    fn: Callable[[], Awaitable[V]],
    policy: RetryPolicy,
    *,
    classify: Classifier,
    budget: RetryBudget | None = None,
    deadline: float | None = None,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    clock: Clock = monotonic,
) -> V:
    """``await fn()``, retrying errors ``classify`` accepts as ``policy`` and ``budget`` allow.

    ``deadline`` is a time on ``clock``; a wait that would end after it is not slept.
    """
    stats = policy.stats
    stats.calls += 1
    if budget is not None:
        budget.record_request()
    attempt = 0
    while True:
        attempt += 1
        stats.attempts += 1
        try:
            return await fn()
        except Exception as exc:
            decision = classify(exc)
            if decision is None or not decision.retry or attempt >= policy.max_attempts:
                raise
            wait = policy.delay(attempt - 1, decision.min_delay)
            if deadline is not None and clock() + wait > deadline:
                stats.deadline_stops += 1
                raise
            if budget is not None and not budget.try_spend():
                stats.budget_exhausted += 1
                raise
        stats.retries += 1
        await sleep(wait)
