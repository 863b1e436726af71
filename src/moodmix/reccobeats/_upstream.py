"""The one way out to ReccoBeats: retry, then a scheduler slot, then the breaker, then the client.

Every attempt, first or retried, waits for its own token and concurrency slot and then passes
the breaker, so a request never leaves without a token and retries are paced like any other
request. While the breaker is open an attempt is refused before it waits (nothing to wait
for); one it refuses inside its slot (it opened meanwhile, or its trial calls are out) gives
its token back, and a half-open breaker's trial call is admitted only with its token in hand,
so it leaves at once. A 429 pauses the whole lane for its Retry-After (adaptive mode) rather than
just the request that drew it. Under ``patience`` (see ``patience``) a caller whose wait for
quota or for a retry would end past its deadline gets ``RateLimited`` with the honest wait
at once instead. ``ready``, if given, is awaited before every call (the gateway's start: the
rate it learnt before a restart, ``_remembered``)::

    policy = UpstreamPolicy(RetryPolicy(3), breaker=breaker, pause="lane")
    upstream = Upstream(client, scheduler, policy=policy, metrics=GatewayMetrics())
    tracks = await upstream.call(lambda c: c.get_tracks(ids), priority=Priority.INTERACTIVE)
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

import structlog

from moodmix.clock import Clock, monotonic
from moodmix.reccobeats._metrics import GatewayMetrics
from moodmix.reccobeats.client import ReccoBeatsClient
from moodmix.reccobeats.errors import (
    MalformedResponse,
    RateLimited,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from moodmix.reccobeats.patience import remaining
from moodmix.resilience.breaker import CircuitBreaker, CircuitOpen
from moodmix.resilience.retry import RetryBudget, RetryDecision, RetryPolicy, retry
from moodmix.resilience.scheduler import Priority, Scheduler, Slot, Ticket, Unsent

T = TypeVar("T")

log = structlog.get_logger("moodmix.gateway")

_LONG_WAIT_S = 1.0
"""A wait for quota this long is worth a warning."""

_TRANSIENT = (UpstreamUnavailable, UpstreamTimeout, MalformedResponse)


def is_breaker_failure(exc: BaseException) -> bool:
    """What counts against the breaker: the upstream failing, not it saying no or not found."""
    return isinstance(exc, _TRANSIENT)


def classify(exc: Exception) -> RetryDecision | None:
    """Retry 429s (after their Retry-After) and transient failures; nothing else."""
    if isinstance(exc, RateLimited):
        return RetryDecision(min_delay=exc.retry_after)
    if isinstance(exc, _TRANSIENT):
        return RetryDecision()
    return None


@dataclass(frozen=True)
class UpstreamPolicy:
    """How the upstream is asked: ``retry`` (at most ``budget``'s share of calls retried, when
    given), the ``breaker`` every attempt passes (none in profiles without one), and what a
    429 pauses: the whole ``lane`` until its Retry-After, or only the ``request`` that drew it
    (the seed's way)."""

    retry: RetryPolicy
    budget: RetryBudget | None = None
    breaker: CircuitBreaker | None = None
    pause: Literal["lane", "request"] = "lane"


class Upstream:
    """Sends client calls under the gateway's retry, breaker and scheduling policy."""

    def __init__(
        self,
        client: ReccoBeatsClient,
        scheduler: Scheduler,
        *,
        policy: UpstreamPolicy,
        metrics: GatewayMetrics,
        clock: Clock = monotonic,
        ready: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.client = client
        self._ready = ready
        self.scheduler = scheduler
        self._breaker = policy.breaker
        self._policy = policy.retry
        self._budget = policy.budget
        self._metrics = metrics
        self._lane_pause = policy.pause == "lane"
        self._clock = clock

    async def call(
        self,
        fn: Callable[[ReccoBeatsClient], Awaitable[T]],
        *,
        priority: Priority = Priority.INTERACTIVE,
        ticket: Ticket | None = None,
    ) -> T:
        """``fn(client)`` under the policy; raises the client's typed errors.

        A ``ticket`` lets background work be promoted to interactive while it waits. While
        the breaker is open this fails fast with ``UpstreamUnavailable(retry_after=…)``.
        """
        if self._ready is not None:
            await self._ready()
        first = True
        left = remaining()
        deadline = None if left is None else self._clock() + left

        async def attempt() -> T:
            nonlocal first
            if not first:
                self._metrics.retries.inc()
            first = False
            if deadline is not None:
                self._check_patience(deadline)
            return await self._attempt(fn, priority, ticket)

        try:
            return await retry(
                attempt,
                self._policy,
                classify=classify,
                budget=self._budget,
                deadline=deadline,
                clock=self._clock,
            )
        except CircuitOpen as exc:
            raise UpstreamUnavailable(
                "ReccoBeats is failing; moodmix stopped asking for a moment "
                f"(try again in {exc.retry_after:.0f} s)",
                retry_after=exc.retry_after,
            ) from None

    def _check_patience(self, deadline: float) -> None:
        """``RateLimited`` with the expected wait if quota would come after ``deadline``."""
        wait = self.scheduler.expected_wait()
        if self._clock() + wait > deadline:
            log.info("upstream_wait_refused", wait_s=round(wait, 2))
            raise RateLimited(wait)

    async def _attempt(
        self,
        fn: Callable[[ReccoBeatsClient], Awaitable[T]],
        priority: Priority,
        ticket: Ticket | None,
    ) -> T:
        breaker = self._breaker
        if breaker is not None and (wait := breaker.refusing()) > 0:
            raise CircuitOpen(wait)  # open: refused now rather than after a wait for a token
        refused: CircuitOpen | None = None
        started = self._clock()
        try:
            async with self.scheduler.slot(priority, ticket=ticket) as slot:
                waited = self._clock() - started
                self._metrics.limiter_wait.labels(priority=priority.name.lower()).observe(waited)
                if waited >= _LONG_WAIT_S:
                    log.warning("limiter_wait", seconds=round(waited, 2), priority=priority.name)
                try:
                    async with breaker.call() if breaker else contextlib.nullcontext():
                        return await self._send(fn, slot)
                except CircuitOpen as exc:
                    refused = exc
                    raise Unsent from None  # its token goes back
        except Unsent:
            if refused is None:
                raise
            raise refused from None

    async def _send(self, fn: Callable[[ReccoBeatsClient], Awaitable[T]], slot: Slot) -> T:
        """``fn(client)`` in ``slot``: a 429 pauses the lane (as the policy says)."""
        try:
            return await fn(self.client)
        except RateLimited as exc:
            self._metrics.rate_limited.labels(endpoint=exc.endpoint or "?").inc()
            log.warning(
                "upstream_rate_limited",
                endpoint=exc.endpoint,
                retry_after=exc.retry_after,
                lane_paused=self._lane_pause,
            )
            if self._lane_pause:
                slot.throttled(exc.retry_after)
            raise
