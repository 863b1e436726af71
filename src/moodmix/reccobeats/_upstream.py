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

A caller that chooses what to send only once it may send (the batcher) waits for the first
attempt's slot with ``hold`` and passes it on; ``call`` sends the first attempt in it (a retry
waits for a slot of its own), and a held slot nothing was sent in gives its token back::

    async with upstream.hold(Priority.INTERACTIVE, None) as held:
        ids = queue.take()                              # chosen now, while the slot is ours
        tracks = await upstream.call(lambda c: c.get_tracks(ids), held=held)
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
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


class Held:
    """A scheduler slot granted before its request was chosen (``Upstream.hold``).

    ``async with held.sending() as slot`` sends in it once; leaving that block reports the
    outcome and frees the slot as ``Scheduler.slot`` does. ``give_back()`` returns the token
    of a slot nothing was sent in (again, or after a send: nothing).
    """

    def __init__(self, entered: contextlib.AsyncExitStack, slot: Slot) -> None:
        self._entered = entered
        self.slot = slot
        self.used = False
        """Whether a request went out in it, or its token went back."""

    @contextlib.asynccontextmanager
    async def sending(self) -> AsyncIterator[Slot]:
        """The slot, for the one request sent in it."""
        if self.used:
            raise RuntimeError("a held slot carries one request")
        self.used = True
        async with self._entered:
            yield self.slot

    async def give_back(self) -> None:
        """Nothing will be sent in this slot: its token goes back, its place is freed."""
        if not self.used:
            self.used = True
            with contextlib.suppress(Unsent):
                async with self._entered:
                    raise Unsent  # the scheduler's word for a request not sent


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
        held: Held | None = None,
    ) -> T:
        """``fn(client)`` under the policy; raises the client's typed errors.

        A ``ticket`` lets background work be promoted to interactive while it waits. While
        the breaker is open this fails fast with ``UpstreamUnavailable(retry_after=…)``.
        With ``held`` (from ``hold``) the first attempt goes out in that slot at once.
        """
        if held is None and self._ready is not None:
            await self._ready()
        first = True
        left = remaining()
        deadline = None if left is None else self._clock() + left

        async def attempt() -> T:
            nonlocal first
            if not first:
                self._metrics.retries.inc()
            first = False
            if held is not None and not held.used:
                return await self._send_in(fn, held)
            if deadline is not None:
                self._check_patience(deadline)
            return await self._send_in(fn, await self._wait(priority, ticket))

        with _unavailable_when_open():
            return await retry(
                attempt,
                self._policy,
                classify=classify,
                budget=self._budget,
                deadline=deadline,
                clock=self._clock,
            )

    @contextlib.asynccontextmanager
    async def hold(self, priority: Priority, ticket: Ticket | None) -> AsyncIterator[Held]:
        """Wait for a first attempt's slot, as ``call`` would, before choosing what to send.

        The block gets the ``Held`` slot to pass to ``call``; if it sent nothing in it, the
        slot's token goes back when the block ends.
        """
        if self._ready is not None:
            await self._ready()
        left = remaining()
        if left is not None:
            self._check_patience(self._clock() + left)
        with _unavailable_when_open():
            held = await self._wait(priority, ticket)
        try:
            yield held
        finally:
            await held.give_back()

    def _check_patience(self, deadline: float) -> None:
        """``RateLimited`` with the expected wait if quota would come after ``deadline``."""
        wait = self.scheduler.expected_wait()
        if self._clock() + wait > deadline:
            log.info("upstream_wait_refused", wait_s=round(wait, 2))
            raise RateLimited(wait)

    async def _wait(self, priority: Priority, ticket: Ticket | None) -> Held:
        """A slot for one attempt, after its wait for a token; refused while the breaker is open."""
        breaker = self._breaker
        if breaker is not None and (wait := breaker.refusing()) > 0:
            raise CircuitOpen(wait)  # open: refused now rather than after a wait for a token
        started = self._clock()
        entered = contextlib.AsyncExitStack()
        slot = await entered.enter_async_context(self.scheduler.slot(priority, ticket=ticket))
        waited = self._clock() - started
        self._metrics.limiter_wait.labels(priority=priority.name.lower()).observe(waited)
        if waited >= _LONG_WAIT_S:
            log.warning("limiter_wait", seconds=round(waited, 2), priority=priority.name)
        return Held(entered, slot)

    async def _send_in(self, fn: Callable[[ReccoBeatsClient], Awaitable[T]], held: Held) -> T:
        """``fn(client)`` in ``held``'s slot, past the breaker (which may still refuse it: its
        token goes back)."""
        breaker = self._breaker
        refused: CircuitOpen | None = None
        try:
            async with held.sending() as slot:
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


@contextlib.contextmanager
def _unavailable_when_open() -> Iterator[None]:
    """An open breaker's refusal, as the ``UpstreamUnavailable`` callers handle."""
    try:
        yield
    except CircuitOpen as exc:
        raise UpstreamUnavailable(
            "ReccoBeats is failing; moodmix stopped asking for a moment "
            f"(try again in {exc.retry_after:.0f} s)",
            retry_after=exc.retry_after,
        ) from None
