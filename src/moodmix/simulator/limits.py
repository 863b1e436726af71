"""Per-client rate limiting the way ReccoBeats answers it: 429, ``Retry-After``, penalty blocks.

Written here rather than taken from a limiter library because it must imitate an upstream's
answers (rounded ``Retry-After``, a block for clients that ignore it), not pace a caller::

    limiter = RateLimiter(RatePolicy(rate_per_s=1.0, burst=2, penalty_after=3), clock=clock)
    verdict = limiter.check("10.0.0.7")
    if not verdict.allowed:
        respond_429(retry_after=verdict.retry_after)     # seconds, rounded up
    limiter.reset()                                      # forget every client

Each client has a token bucket (``burst`` tokens, refilled at ``rate_per_s``); a request
takes one token or is refused with the time until the next one, rounded up to
``retry_after_resolution``. With ``penalty_after > 0``, a client that sends more than
``penalty_after`` requests inside a Retry-After window it was told to wait is blocked for
``penalty_s``: every request is refused with the remaining block as ``Retry-After``.

The refill rate may follow a schedule: ``RatePolicy(..., schedule=((0, 1.5), (600, 0.5)))``
refills at 1.5 tokens/s from the limiter's start and at 0.5 from 600 s after it; before the
first step, ``rate_per_s`` holds. The start is ``limiter.start()``, or else the first time the
limiter reads its clock (building one does not, so a loop's clock may be given outside it).
Buckets refill lazily, so a refill spanning a change integrates piecewise (the old rate until
the change, the new one after), and ``Retry-After`` is the time until the next token under
the schedule, even when a change falls inside the wait.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass

from moodmix.clock import Clock, monotonic

_MAX_CLIENTS = 10_000
_EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class RatePolicy:
    """What the limiter enforces; see the module docstring."""

    rate_per_s: float
    burst: int
    penalty_after: int = 0
    penalty_s: float = 60.0
    retry_after_resolution: float = 1.0
    schedule: tuple[tuple[float, float], ...] = ()
    """Steps ``(at_s, rate_per_s)``: from ``at_s`` seconds after the limiter's start, refill at
    ``rate_per_s``. Offsets are strictly increasing; empty means ``rate_per_s`` throughout."""

    def __post_init__(self) -> None:
        if not self.rate_per_s > 0:
            raise ValueError(f"rate_per_s must be more than 0, got {self.rate_per_s!r}")
        previous = -math.inf
        for number, (at_s, rate) in enumerate(self.schedule, start=1):
            if not (math.isfinite(at_s) and at_s >= 0 and at_s > previous):
                raise ValueError(
                    f"schedule step {number}: at_s must be finite, at least 0 and after the "
                    f"previous step's, got {at_s!r}"
                )
            if not (math.isfinite(rate) and rate > 0):
                raise ValueError(f"schedule step {number}: rate must be more than 0, got {rate!r}")
            previous = at_s
        if self.burst < 1:
            raise ValueError(f"burst must be at least 1, got {self.burst!r}")
        if self.penalty_after < 0:
            raise ValueError(f"penalty_after must be 0 (off) or more, got {self.penalty_after!r}")
        if not self.penalty_s > 0:
            raise ValueError(f"penalty_s must be more than 0, got {self.penalty_s!r}")
        if not self.retry_after_resolution > 0:
            raise ValueError(
                f"retry_after_resolution must be more than 0, got {self.retry_after_resolution!r}"
            )


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer for one request: allowed, or refused with a wait in seconds."""

    allowed: bool
    retry_after: float = 0.0
    blocked: bool = False
    """Refused because the client is serving a penalty block."""
    new_block: bool = False
    """This request started the block."""


ALLOWED = Verdict(allowed=True)


@dataclass(slots=True)
class _Client:
    tokens: float
    updated: float
    window_end: float = -math.inf
    window_requests: int = 0
    blocked_until: float = -math.inf


class RateLimiter:
    """Token buckets keyed by client, with the upstream's Retry-After and penalty rules."""

    def __init__(self, policy: RatePolicy, *, clock: Clock = monotonic) -> None:
        self._clock = clock
        self._origin: float | None = None
        self._clients: dict[str, _Client] = {}
        self._use(policy)

    def _use(self, policy: RatePolicy) -> None:
        self._policy = policy
        # When each step starts, on the clock; the rate in force at t is
        # _rates[bisect_right(_changes, t)]: rate_per_s before the first step.
        origin = 0.0 if self._origin is None else self._origin
        self._changes = tuple(origin + at_s for at_s, _ in policy.schedule)
        self._rates = (policy.rate_per_s, *(rate for _, rate in policy.schedule))

    def start(self, now: float | None = None) -> float:
        """Start the schedule's time at ``now`` (default: the clock's reading), unless it has
        started already; return when it started."""
        if self._origin is None:
            self._origin = self._clock() if now is None else now
            self._use(self._policy)
        return self._origin

    def _now(self) -> float:
        now = self._clock()
        if self._origin is None:
            self.start(now)
        return now

    @property
    def policy(self) -> RatePolicy:
        return self._policy

    @property
    def origin(self) -> float:
        """When the limiter started, on its clock: the schedule's offsets count from it."""
        return self.start()

    def rate_at(self, when: float | None = None) -> float:
        """The refill rate (tokens/s) in force at clock time ``when`` (default: now)."""
        now = self._now()
        return self._rates[bisect_right(self._changes, now if when is None else when)]

    def reconfigure(self, policy: RatePolicy) -> None:
        """Enforce ``policy`` from now on; clients keep their state, capped at the new burst.

        The start the schedule counts from stays where it was: a new schedule's offsets are
        seconds since the limiter started, not since this call."""
        now = self._now()
        for client in self._clients.values():
            self._refill(client, now)
            client.tokens = min(client.tokens, policy.burst)
        self._use(policy)

    def reset(self) -> None:
        """Forget every client: full buckets, no windows, no blocks (the schedule goes on)."""
        self._clients.clear()

    def check(self, client_key: str) -> Verdict:
        """Take a token for ``client_key`` or say how long it must wait."""
        now = self._now()
        policy = self._policy
        client = self._clients.get(client_key)
        if client is None:
            if len(self._clients) >= _MAX_CLIENTS:
                self._forget_idle(now)
            client = self._clients[client_key] = _Client(tokens=float(policy.burst), updated=now)

        if now < client.blocked_until:
            return Verdict(False, self._round(client.blocked_until - now), blocked=True)

        if now < client.window_end:
            client.window_requests += 1
            if 0 < policy.penalty_after < client.window_requests:
                client.blocked_until = now + policy.penalty_s
                client.window_end = -math.inf
                client.window_requests = 0
                return Verdict(False, self._round(policy.penalty_s), blocked=True, new_block=True)

        self._refill(client, now)
        if client.tokens >= 1.0 - _EPSILON:
            client.tokens = max(client.tokens - 1.0, 0.0)
            return ALLOWED

        retry_after = self._round(self._wait(1.0 - client.tokens, now))
        if now >= client.window_end:
            client.window_requests = 0
        client.window_end = max(client.window_end, now + retry_after)
        return Verdict(False, retry_after)

    def _refill(self, client: _Client, now: float) -> None:
        if now > client.updated:
            gained = self._gained(client.updated, now)
            client.tokens = min(client.tokens + gained, self._policy.burst)
        client.updated = now

    def _gained(self, start: float, end: float) -> float:
        """Tokens refilled from ``start`` to ``end`` (``start < end``), following the schedule
        (stopping early once a bucket would be full anyway)."""
        changes, rates = self._changes, self._rates
        i = bisect_right(changes, start)
        if i == len(changes) or end < changes[i]:
            return (end - start) * rates[i]  # no change in between: nearly every call
        gained = (changes[i] - start) * rates[i]
        burst = self._policy.burst
        i += 1
        while i < len(changes) and changes[i] <= end:
            if gained >= burst:
                return gained
            gained += (changes[i] - changes[i - 1]) * rates[i]
            i += 1
        return gained + (end - changes[i - 1]) * rates[i]

    def _wait(self, deficit: float, now: float) -> float:
        """Seconds from ``now`` until ``deficit`` more tokens have refilled, under the schedule."""
        changes, rates = self._changes, self._rates
        i = bisect_right(changes, now)
        at = now
        while i < len(changes):
            reached = at + deficit / rates[i]
            if reached <= changes[i]:
                return reached - now
            deficit -= (changes[i] - at) * rates[i]
            at = changes[i]
            i += 1
        return at + deficit / rates[i] - now

    def _round(self, seconds: float) -> float:
        step = self._policy.retry_after_resolution
        steps = max(math.ceil(seconds / step - _EPSILON), 1)
        return round(steps * step, 9)

    def _forget_idle(self, now: float) -> None:
        """Drop clients whose bucket is full again and who owe nothing: they behave as new."""
        for key, client in list(self._clients.items()):
            self._refill(client, now)
            idle = client.tokens >= self._policy.burst and now >= client.window_end
            if idle and now >= client.blocked_until:
                del self._clients[key]


def format_retry_after(seconds: float) -> str:
    """The ``Retry-After`` header value: ``"2"`` for whole seconds, else ``"0.125"``."""
    if float(seconds).is_integer():
        return str(int(seconds))
    return f"{seconds:.6f}".rstrip("0").rstrip(".")
