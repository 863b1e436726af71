"""A pacing token bucket whose rate can change at run time and which can be paused.

aiolimiter and limits/pyrate-limiter read their own clocks, cannot change their rate while
callers wait, and have no way to stop handing out tokens until a Retry-After has passed, so
this small bucket is written here::

    bucket = TokenBucket(rate=80 / 60, burst=1)   # 80 requests a minute, 0.75 s apart
    async with bucket:                             # or: await bucket.acquire()
        response = await client.get(url)
    bucket.pause_until(time.monotonic() + 2.0)     # a 429 said "Retry-After: 2"
    bucket.set_rate(60 / 60)                       # the adaptive controller said so

The bucket holds at most ``burst`` tokens and gains ``rate`` tokens a second; taking one needs a
whole token. Over any stretch of time it hands out at most ``burst`` tokens plus what the rate
let in during that stretch, whatever the rate changes and pauses. A pause hands out nothing
before its end and leaves at most one token for the moment it ends (an upstream that answered
429 has no burst to offer either). Tokens are taken only at the moment they are handed out, so
a caller cancelled while it waits costs nothing, and a lower rate applies at once to everyone
still waiting. The pure methods (``delay``, ``try_acquire``, ``tokens``) take an optional
``now`` so tests and simulations can drive the bucket without a running loop.

``run`` counts the tokens taken back to back: each by a taker with others waiting behind it
(``Evidence.backlog``, which the scheduler passes to ``try_acquire``), with the bucket spent
(at most one more token in it) and, since the run began, less than one token (plus
``RUN_SLACK`` of the run) lost for want of room in a full bucket. While it grows the rate is
what holds demand back, which is the evidence an adaptive rate needs before it tries a
higher one. A new rate or a pause does not end a run (a pause makes no tokens to lose);
tokens left lying do.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from types import TracebackType

from moodmix.clock import Clock, monotonic
from moodmix.resilience.limiter import Evidence

Sleep = Callable[[float], Awaitable[object]]

_EPSILON = 1e-9

RUN_SLACK = 0.03
"""The share of a run's tokens it may lose to sitting unused and still go on (the moments
between a token's arrival and its taker's), so the rate actually sent is within 3% of it."""


def _check_rate(rate: float) -> float:
    if not (isinstance(rate, int | float) and math.isfinite(rate) and rate > 0):
        raise ValueError(f"rate must be a finite number of tokens per second > 0, got {rate!r}")
    return float(rate)


class TokenBucket:
    """Hands out at most ``burst`` tokens at once and ``rate`` tokens per second on average."""

    def __init__(
        self,
        rate: float,
        burst: int = 1,
        *,
        clock: Clock = monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
            raise ValueError(f"burst must be a whole number of tokens >= 1, got {burst!r}")
        self._rate = _check_rate(rate)
        self._burst = burst
        self._clock = clock
        self._sleep = sleep
        self._stamp = clock()
        self._tokens = float(burst)
        self._paused_until = -math.inf
        self._held = 0.0  # tokens the current pause took off the bucket (see _cap_for_pause)
        self._spilled = 0.0  # tokens lost to the cap since the last one was taken
        self._run = 0
        self._lost = 0.0  # tokens the current run lost to sitting unused
        self._handed_out = 0
        self.granted = 0
        """Tokens handed out so far (refunds subtracted)."""

    @property
    def rate(self) -> float:
        """Tokens added per second."""
        return self._rate

    @property
    def burst(self) -> int:
        """The most tokens the bucket holds."""
        return self._burst

    @property
    def paused_until(self) -> float:
        """The clock time before which no token is handed out (``-inf`` if never paused)."""
        return self._paused_until

    @property
    def run(self) -> int:
        """Tokens taken back to back, the last one included (0 before any; see above)."""
        return self._run

    @property
    def handed_out(self) -> int:
        """Tokens taken so far (refunds not subtracted): with ``run``, tells whether the run
        went on between two looks at it."""
        return self._handed_out

    def watch(self, wake: Callable[[], None]) -> None:
        """Nothing to watch: a local bucket's tokens arrive on time, and ``delay`` says when."""

    def tokens(self, now: float | None = None) -> float:
        """Tokens that could be taken at ``now`` (0.0 while paused; may be fractional)."""
        now = self._refill(now)
        if now < self._paused_until:
            return 0.0
        return max(self._tokens, 0.0)

    def delay(
        self, now: float | None = None, *, tokens: float = 1.0, evidence: Evidence | None = None
    ) -> float:
        """Seconds from ``now`` until ``tokens`` tokens are in the bucket and no pause holds.

        0.0 means they are there now. Nothing is taken: a caller that waits this long and then
        calls ``try_acquire`` gets a token unless someone else took it or the rate went down.
        """
        if not (isinstance(tokens, int | float) and 0 < tokens <= self._burst):
            raise ValueError(f"tokens must be > 0 and <= burst ({self._burst}), got {tokens!r}")
        now = self._refill(now)
        paused = self._paused_until - now
        short = tokens - self._tokens
        return max(
            paused if paused > _EPSILON else 0.0,
            short / self._rate if short > _EPSILON else 0.0,
        )

    def try_acquire(self, now: float | None = None, *, evidence: Evidence | None = None) -> bool:
        """Take one token if one can be taken at ``now``; never waits. With ``evidence``:
        a token taken with nobody behind its taker (no ``backlog``) ends the run after it,
        and the run and the count of tokens are filled in."""
        now = self._refill(now)
        if self.delay(now) > 0.0:
            return False
        self._count_run(spare=self._tokens - 1.0, spilled=self._spilled)
        if evidence is not None and not evidence.backlog:
            self._lost = math.inf  # the next token starts a new run
        self._spilled = 0.0
        self._tokens -= 1.0
        self._handed_out += 1
        self.granted += 1
        if evidence is not None:
            evidence.run, evidence.handed_out = self.run, self.handed_out
        return True

    def _count_run(self, *, spare: float, spilled: float) -> None:
        """Go on with the run while the bucket is spent (at most one token ``spare`` besides the
        one taken) and the tokens ``spilled`` over its cap stay few; else start one."""
        lost = self._lost + spilled
        if self._run and spare < 1.0 and lost < 1.0 + RUN_SLACK * (self._run + 1):
            self._run += 1
            self._lost = lost
        else:
            self._run, self._lost = 1, 0.0

    def refund(self, now: float | None = None) -> None:
        """Give back a token that was taken but not used (its request never left)."""
        now = self._refill(now)
        self._tokens = min(self._tokens + 1.0, float(self._burst))
        self._cap_for_pause(now)
        self.granted -= 1

    async def acquire(self) -> None:
        """Wait until a token can be taken, then take it.

        Callers waiting together are not queued in order; ``Scheduler`` does that.
        """
        while not self.try_acquire():
            await self._sleep(self.delay())

    def set_rate(self, rate: float, now: float | None = None) -> None:
        """Add ``rate`` tokens per second from ``now`` on; what was earned so far is kept."""
        rate = _check_rate(rate)
        now = self._refill(now)
        remaining = self._paused_until - now
        if remaining > 0 and rate < self._rate:
            # The pause took tokens off so that exactly one is there at its end. A lower rate
            # would earn less by then and stretch the pause: give back what was taken, up to
            # the shortfall, never more, so no window gets more than the rates earned.
            back = min(remaining * (self._rate - rate), self._held)
            self._tokens += back
            self._held -= back
        self._rate = rate
        self._cap_for_pause(now)

    def pause_until(self, until: float, now: float | None = None) -> None:
        """Hand out no token before ``until``, and at most one at that moment.

        A pause can only be lengthened: an ``until`` before the current pause's end is ignored.
        """
        if not (isinstance(until, int | float) and math.isfinite(until)):
            raise ValueError(f"until must be a finite clock time, got {until!r}")
        now = self._refill(now)
        if until <= max(now, self._paused_until):
            return
        if self._paused_until <= now:
            self._held = 0.0
        self._paused_until = float(until)
        self._cap_for_pause(now)

    def _cap_for_pause(self, now: float) -> None:
        remaining = self._paused_until - now
        if remaining > 0:
            capped = min(self._tokens, 1.0 - remaining * self._rate)
            self._held += self._tokens - capped
            self._tokens = capped

    def _refill(self, now: float | None) -> float:
        if now is None:
            now = self._clock()
        if now > self._stamp:
            earned = (now - self._stamp) * self._rate
            self._spilled += max(self._tokens + earned - self._burst, 0.0)
            self._tokens = min(self._tokens + earned, float(self._burst))
            self._stamp = now
        return max(now, self._stamp)

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def __repr__(self) -> str:
        return (
            f"TokenBucket(rate={self._rate:.4g}/s, burst={self._burst}, "
            f"tokens={max(self._tokens, 0.0):.3g}, granted={self.granted})"
        )
