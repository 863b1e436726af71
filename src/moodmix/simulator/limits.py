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
"""

from __future__ import annotations

import math
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

    def __post_init__(self) -> None:
        if not self.rate_per_s > 0:
            raise ValueError(f"rate_per_s must be more than 0, got {self.rate_per_s!r}")
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
        self._policy = policy
        self._clock = clock
        self._clients: dict[str, _Client] = {}

    @property
    def policy(self) -> RatePolicy:
        return self._policy

    def reconfigure(self, policy: RatePolicy) -> None:
        """Enforce ``policy`` from now on; clients keep their state, capped at the new burst."""
        now = self._clock()
        for client in self._clients.values():
            self._refill(client, now)
            client.tokens = min(client.tokens, policy.burst)
        self._policy = policy

    def reset(self) -> None:
        """Forget every client: full buckets, no windows, no blocks."""
        self._clients.clear()

    def check(self, client_key: str) -> Verdict:
        """Take a token for ``client_key`` or say how long it must wait."""
        now = self._clock()
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

        retry_after = self._round((1.0 - client.tokens) / policy.rate_per_s)
        if now >= client.window_end:
            client.window_requests = 0
        client.window_end = max(client.window_end, now + retry_after)
        return Verdict(False, retry_after)

    def _refill(self, client: _Client, now: float) -> None:
        elapsed = max(now - client.updated, 0.0)
        client.tokens = min(client.tokens + elapsed * self._policy.rate_per_s, self._policy.burst)
        client.updated = now

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
