"""Peers: the rate control a user would compose from well-known libraries, in front of the
same per-item cache as moodmix, so the bench compares rate control and nothing else.

::

    gate = aiolimiter_gate(TimeScale(20))            # aiolimiter + tenacity
    gate = BotocoreGate(scale=TimeScale(20), clock=loop.time)   # AWS SDK adaptive mode
    gateway = ReccoBeats.from_settings(settings, gate=gate, limiter=unpaced(6))

``peer-aiolimiter``: ``aiolimiter.AsyncLimiter(1, 0.75 s)``, the seed's fixed 80/min with
its 0.75 s spacing (``AsyncLimiter(80, 60)`` would let 80 go at once, which the seed's
interval forbids), and ``tenacity`` retrying a 429 after its Retry-After, 3 attempts.

``peer-botocore``: botocore's ``ClientRateLimiter`` (the adaptive retry mode of the AWS
SDKs: a token bucket whose rate CUBIC lowers on a throttle and raises on success), driven
as botocore drives it (``on_sending_request`` before each attempt, ``on_receiving_response``
after it) with standard mode's retries (3 attempts, full-jitter backoff of base 2 capped at
20 s, Retry-After not read). botocore's bucket blocks its thread while it waits; here its
bucket is asked without blocking (``acquire(block=False)``), and the caller sleeps on the
event loop for the time botocore itself would have waited, ``(1 - capacity) / rate``, then
asks again. Its clock is the bench's in real-world seconds (loop time x the time scale), so
CUBIC's constants keep their meaning under time scaling.

Both need the bench extra (``pip install 'moodmix[bench]'``).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiolimiter import AsyncLimiter
from botocore.exceptions import CapacityNotAvailableError
from botocore.retries.adaptive import ClientRateLimiter, RateClocker
from botocore.retries.bucket import TokenBucket as BotoTokenBucket
from botocore.retries.throttling import CubicCalculator
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
)

from moodmix.bench.profiles import real_world
from moodmix.bench.scaling import TimeScale
from moodmix.clock import Clock
from moodmix.reccobeats.errors import RateLimited

T = TypeVar("T")

SEED_RATE_PER_MIN = 80.0
"""The seed's fixed rate for its recommendations tool, which the aiolimiter peer uses."""
ATTEMPTS = 3
"""Attempts per request, as the earlier backend and botocore's standard mode both make."""
BOTO_MAX_BACKOFF_S = 20.0
"""botocore standard mode's cap on a retry's backoff."""

_ROUNDING_S = 1e-6
"""Added to each wait for a token, so a bucket a rounding error short of one gets there."""

GATEWAY_OVERRIDES: tuple[tuple[str, Any], ...] = (
    ("rate_mode", "fixed"),
    ("lane_pause", False),
    ("retry_attempts", 1),
)
"""The gateway's own rate control off: the peer's limiter and retries replace it."""


def _retry_after(state: RetryCallState) -> float:
    outcome = state.outcome
    error = outcome.exception() if outcome is not None else None
    return error.retry_after if isinstance(error, RateLimited) else 0.0


class TickedLimiter(AsyncLimiter):
    """``AsyncLimiter`` whose wake-up timer fires one microsecond late.

    On virtual time the loop's clock jumps by the wait it was asked for, so a wake-up set
    for the exact instant the bucket has leaked enough can land a rounding error early: the bucket
    is still short by a rounding error, aiolimiter re-arms the timer for the same instant, and
    the loop spins without its clock moving. A microsecond later is always past it, and on
    the real clock a microsecond changes nothing measurable.
    """

    def _wake_next(self, *args: object) -> None:
        super()._wake_next(*args)
        handle = self._waker_handle
        if handle is not None:
            handle.cancel()
            self._waker_handle = self._loop.call_at(handle.when() + 1e-6, self._wake_next)


class AiolimiterGate:
    """A fixed ``AsyncLimiter`` before each attempt, tenacity retrying 429s."""

    def __init__(
        self, limiter: AsyncLimiter, *, attempts: int = ATTEMPTS, sleep: Any = asyncio.sleep
    ) -> None:
        self.limiter = limiter
        self._retrying = AsyncRetrying(
            retry=retry_if_exception_type(RateLimited),
            wait=_retry_after,
            stop=stop_after_attempt(attempts),
            sleep=sleep,
            reraise=True,
        )

    async def send(self, endpoint: str, request: Callable[[], Awaitable[T]]) -> T:
        async def attempt() -> T:
            async with self.limiter:
                return await request()

        result: T = await self._retrying(attempt)
        return result


def aiolimiter_gate(scale: TimeScale, rate_per_min: float = SEED_RATE_PER_MIN) -> AiolimiterGate:
    """The peer as the bench runs it: one request every ``60 / rate`` real-world seconds."""
    return AiolimiterGate(TickedLimiter(1, scale.wall(60.0 / rate_per_min)))


class _Clock:
    """botocore's clock interface over an injected clock (its ``sleep`` is never used)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def current_time(self) -> float:
        return self._clock()

    def sleep(self, amount: float) -> None:
        raise RuntimeError("the bench never lets botocore's bucket block")


class _AskingBucket(BotoTokenBucket):  # type: ignore[misc]
    """botocore's token bucket, asked without blocking: short of a token, it raises."""

    def acquire(self, amount: int = 1, block: bool = True) -> bool:
        return bool(super().acquire(amount=amount, block=False))


class _Throttles:
    """botocore's throttling detector, told directly whether the response was a 429."""

    def is_throttling_error(self, *, throttled: bool = False, **_: Any) -> bool:
        return throttled


class BotocoreGate:
    """``SendGate`` around botocore's adaptive ``ClientRateLimiter`` (see above)."""

    def __init__(
        self,
        *,
        scale: TimeScale,
        clock: Clock,
        attempts: int = ATTEMPTS,
        rng: random.Random | None = None,
        sleep: Callable[[float], Awaitable[Any]] | None = None,
    ) -> None:
        now, real_sleep = real_world(scale, clock)
        self._sleep = sleep or real_sleep
        boto_clock = _Clock(now)
        self.bucket = _AskingBucket(max_rate=1, clock=boto_clock)
        self.limiter = ClientRateLimiter(
            rate_adjustor=CubicCalculator(starting_max_rate=0, start_time=now()),
            rate_clocker=RateClocker(boto_clock),
            token_bucket=self.bucket,
            throttling_detector=_Throttles(),
            clock=boto_clock,
        )
        self._attempts = attempts
        self._random = rng or random.Random(0)
        self.throttles = 0

    @property
    def rate(self) -> float:
        """The bucket's rate, requests per real-world second (it paces once throttled)."""
        return float(self.bucket.max_rate)

    async def send(self, endpoint: str, request: Callable[[], Awaitable[T]]) -> T:
        for attempt in range(1, self._attempts + 1):
            await self._token()
            try:
                result = await request()
            except RateLimited:
                self.throttles += 1
                self.limiter.on_receiving_response(throttled=True)
                if attempt == self._attempts:
                    raise
                await self._sleep(self._backoff(attempt))
                continue
            except Exception:
                self.limiter.on_receiving_response(throttled=False)
                raise
            self.limiter.on_receiving_response(throttled=False)
            return result
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _token(self) -> None:
        while True:
            try:
                self.limiter.on_sending_request(request=None)
                return
            except CapacityNotAvailableError:
                short = 1.0 - float(self.bucket.available_capacity)
                await self._sleep(max(short, 0.0) / float(self.bucket.max_rate) + _ROUNDING_S)

    def _backoff(self, attempt: int) -> float:
        return min(self._random.random() * 2.0 ** (attempt - 1), BOTO_MAX_BACKOFF_S)
