"""The upstream scheduler: priority lanes in front of a token bucket and a concurrency cap.

aiolimiter, asyncio.Semaphore and PriorityQueue each do one part, but none hands out a token and
a slot together, pauses a whole lane for a Retry-After or feeds an adaptive rate, so here::

    scheduler = Scheduler(TokenBucket(rate=80 / 60), max_concurrency=6, controller=control)
    async with scheduler.slot(Priority.INTERACTIVE) as slot:
        response = await client.get(url)
        if response.status_code == 429:
            slot.throttled(retry_after=float(response.headers["Retry-After"]))
    print(scheduler.expected_wait(), scheduler.stats.mean_wait)

Callers queue by priority, first come first served within a priority; a background caller never
takes a token while an interactive one waits, and with ``background_headroom=n`` it only takes
one when ``n`` more are left for interactive callers. The caller at the head gets a token and a
free slot at the same moment, so a request leaves the instant it is paced and tokens never pile
up behind a full cap. A caller cancelled while waiting takes nothing; one cancelled between
being granted and resuming gives its token and slot back.

The outcome is reported on the slot (``resilience.slot``); a throttled one pauses the whole
lane until its Retry-After (no token is handed out before) and tells the controller. A
success is *saturated* when, as it was granted, its taker had waited for the token or callers
were still waiting behind it, and the limiter's tokens had been taken back to back since this
process's previous one (``Evidence.run``: the rate, not the callers, held requests back). One
batch waiting at a time is saturation too: demand is not counted in callers, which a batcher
folds together, nor in arrivals, which for callers that wait on each answer only ever equal
the current rate. Only then is it evidence for a higher rate, and it counts for every token
handed out since this process's previous one: one alone, and with a shared budget the other
processes' tokens in between as well. Without a controller (fixed mode) the rate stays what
the bucket was given. Each change of rate is logged at info (``rate_changed``, with the
controller's clean and throttled rates and whether the new rate is a probe); with a shared
budget only the process that made the change logs it.

The limiter is any ``Limiter``: a local ``TokenBucket``, or a ``SharedBucket`` that draws
from one budget with other processes (its run is the budget's, and it wakes the scheduler
when a token arrives).
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from types import MappingProxyType

import structlog

from moodmix.clock import Clock, monotonic
from moodmix.resilience.adaptive import AdaptiveRate
from moodmix.resilience.limiter import Evidence, Limiter
from moodmix.resilience.slot import (
    BACKGROUND,
    INTERACTIVE,
    OutcomeAlreadyReported,
    Priority,
    Slot,
    SlotContext,
    Ticket,
    Unsent,
    Waiter,
)
from moodmix.resilience.tokenbucket import Sleep

__all__ = [
    "BACKGROUND",
    "INTERACTIVE",
    "OutcomeAlreadyReported",
    "Priority",
    "Scheduler",
    "SchedulerStats",
    "Slot",
    "Ticket",
    "Unsent",
]

log = structlog.get_logger("moodmix.ratelimit")


@dataclass(frozen=True)
class SchedulerStats:
    """A snapshot of the scheduler; rates are per second, waits in seconds."""

    granted: int
    throttled: int
    total_wait: float
    rate: float
    paused_until: float | None
    queued: Mapping[Priority, int] = field(default_factory=dict)
    in_flight: int = 0

    @property
    def mean_wait(self) -> float:
        """Mean time a granted caller waited for its token and slot."""
        return self.total_wait / self.granted if self.granted else 0.0


class Scheduler:
    """Hands out tokens of ``limiter`` and slots under ``max_concurrency``, by priority."""

    def __init__(
        self,
        limiter: Limiter,
        max_concurrency: int = 6,
        *,
        clock: Clock = monotonic,
        controller: AdaptiveRate | None = None,
        sleep: Sleep = asyncio.sleep,
        background_headroom: int = 0,
    ) -> None:
        if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int):
            raise ValueError(
                f"max_concurrency must be a whole number >= 1, got {max_concurrency!r}"
            )
        if max_concurrency < 1:
            raise ValueError(
                f"max_concurrency must be a whole number >= 1, got {max_concurrency!r}"
            )
        if (
            isinstance(background_headroom, bool)
            or not isinstance(background_headroom, int)
            or not 0 <= background_headroom < limiter.burst
        ):
            raise ValueError(
                "background_headroom must be a whole number of tokens from 0 to the limiter's "
                f"burst - 1 ({limiter.burst - 1}), got {background_headroom!r}"
            )
        self._limiter = limiter
        self._max = max_concurrency
        self._clock = clock
        self._controller = controller
        self._sleep = sleep
        self._headroom = background_headroom
        self._lanes: dict[Priority, deque[Waiter]] = {p: deque() for p in Priority}
        self._evidence = Evidence()
        self._last_run = self._last_handed_out = 0
        self._in_flight = 0
        self._granted = 0
        self._throttled = 0
        self._total_wait = 0.0
        self._timer: asyncio.Task[None] | None = None
        self._timer_at = math.inf
        if controller is not None:
            limiter.set_rate(controller.rate, clock())
        limiter.watch(self._dispatch)

    @property
    def limiter(self) -> Limiter:
        return self._limiter

    @property
    def controller(self) -> AdaptiveRate | None:
        return self._controller

    def slot(
        self, priority: Priority = Priority.INTERACTIVE, *, ticket: Ticket | None = None
    ) -> AbstractAsyncContextManager[Slot]:
        """``async with scheduler.slot(priority) as slot:`` waits for a token and a slot.

        With a ``ticket`` the ticket's (possibly promoted) priority is used instead.
        """
        if not isinstance(priority, Priority):
            raise ValueError(
                f"priority must be a Priority (INTERACTIVE or BACKGROUND), got {priority!r}"
            )
        return SlotContext(self, priority, ticket)

    def expected_wait(self) -> float:
        """Seconds a new interactive caller would wait for its token: the pause still to run,
        the tokens needed by interactive callers ahead of it, at the current rate.

        The concurrency cap is left out; it binds only when requests are slow.
        """
        now = self._clock()
        position = len(self._lanes[Priority.INTERACTIVE]) + 1
        burst = self._limiter.burst
        wait = self._limiter.delay(now, tokens=min(position, burst))
        return wait + max(0, position - burst) / self._limiter.rate

    @property
    def stats(self) -> SchedulerStats:
        now = self._clock()
        paused = self._limiter.paused_until
        return SchedulerStats(
            granted=self._granted,
            throttled=self._throttled,
            total_wait=self._total_wait,
            rate=self._limiter.rate,
            paused_until=paused if paused > now else None,
            queued=MappingProxyType({p: len(lane) for p, lane in self._lanes.items()}),
            in_flight=self._in_flight,
        )

    async def _acquire(self, priority: Priority, ticket: Ticket | None = None) -> Slot:
        now = self._clock()
        if ticket is not None:
            priority = ticket.priority
        waiter = Waiter(priority, now, asyncio.get_running_loop().create_future())
        if ticket is not None:
            ticket._scheduler, ticket._waiter = self, waiter
        self._lanes[priority].append(waiter)
        self._dispatch()
        try:
            await waiter.future
        except asyncio.CancelledError:
            if not math.isnan(waiter.granted_at):
                self._limiter.refund(self._clock())
                self._granted -= 1
                self._total_wait -= waiter.granted_at - waiter.enqueued
                self._in_flight -= 1
            elif waiter in self._lanes[waiter.priority]:
                self._lanes[waiter.priority].remove(waiter)
            self._dispatch()
            raise
        finally:
            if ticket is not None:
                ticket._waiter = None
        slot = Slot(self, priority, waiter.granted_at, waiter.granted_at - waiter.enqueued)
        slot.saturated, slot.paced, slot.weight = waiter.saturated, waiter.paced, waiter.weight
        return slot

    def _promote(self, waiter: Waiter) -> None:
        lane = self._lanes[waiter.priority]
        if waiter.priority is Priority.INTERACTIVE or waiter not in lane:
            return
        lane.remove(waiter)
        waiter.priority = Priority.INTERACTIVE
        self._lanes[Priority.INTERACTIVE].append(waiter)
        self._dispatch()

    def _release(self) -> None:
        self._in_flight -= 1
        self._dispatch()

    def _refund(self, slot: Slot) -> None:
        """An unsent request's token goes back to the limiter (its slot, to ``_release``)."""
        self._limiter.refund(self._clock())
        self._granted -= 1
        self._total_wait -= slot.waited

    def _on_success(self, slot: Slot) -> None:
        if self._controller is not None:
            now = self._clock()
            self._controller.on_success(
                now, saturated=slot.saturated, sent_at=slot.granted_at, weight=slot.weight
            )
            self._apply_rate(now)

    def _on_throttled(self, slot: Slot, retry_after: float) -> None:
        now = self._clock()
        self._throttled += 1
        self._limiter.pause_until(now + retry_after, now)
        if self._controller is not None:
            self._controller.on_throttled(
                now, retry_after, sent_at=slot.granted_at, paced=slot.paced
            )
            self._apply_rate(now)
        self._dispatch()

    def _apply_rate(self, now: float) -> None:
        controller = self._controller
        assert controller is not None
        if controller.rate != self._limiter.rate:
            log.info(
                "rate_changed",
                rate_per_min=_per_min(controller.rate),
                was_per_min=_per_min(self._limiter.rate),
                clean_per_min=_per_min(controller.clean_rate),
                throttled_per_min=_per_min(controller.throttled_rate),
                probing=controller.probing,
            )
            self._limiter.set_rate(controller.rate, now)
            self._dispatch()

    def _head(self) -> Waiter | None:
        for lane in self._lanes.values():
            if lane:
                return lane[0]
        return None

    def _dispatch(self) -> None:
        now = self._clock()
        while self._in_flight < self._max:
            waiter = self._head()
            if waiter is None:
                break
            if waiter.future.done():  # cancelled while queued; its task has not resumed yet
                self._lanes[waiter.priority].popleft()
                continue
            needed = 1 if waiter.priority is Priority.INTERACTIVE else 1 + self._headroom
            evidence = self._evidence
            evidence.backlog = waiter.enqueued < now or sum(map(len, self._lanes.values())) > 1
            wait = self._limiter.delay(now, tokens=needed, evidence=evidence)
            if wait > 0 or not self._limiter.try_acquire(now, evidence=evidence):
                self._arm(now, wait)
                return
            self._lanes[waiter.priority].popleft()
            self._in_flight += 1
            self._granted += 1
            self._total_wait += now - waiter.enqueued
            waiter.granted_at = now
            waiter.saturated, waiter.weight = self._weigh()
            waiter.paced = self._evidence.run >= 2
            waiter.future.set_result(None)
        self._disarm()

    def _weigh(self) -> tuple[bool, int]:
        """Whether the grant just made is saturated, and how many tokens it stands for: those
        handed out since this process's previous one (1 when it draws alone, more when other
        processes drew from the same budget in between), if the run went on throughout."""
        run, handed_out = self._evidence.run, self._evidence.handed_out
        since = handed_out - self._last_handed_out
        went_on = 0 < since == run - self._last_run
        self._last_run, self._last_handed_out = run, handed_out
        saturated = went_on and run >= 2 and self._evidence.backlog
        return saturated, since if went_on else max(run, 1)

    def _arm(self, now: float, wait: float) -> None:
        at = now + wait
        if self._timer is not None and self._timer_at <= at:
            return
        self._disarm()
        self._timer_at = at
        self._timer = asyncio.get_running_loop().create_task(self._tick(wait))

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None
        self._timer_at = math.inf

    async def _tick(self, wait: float) -> None:
        await self._sleep(wait)
        self._timer = None
        self._timer_at = math.inf
        self._dispatch()


def _per_min(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 60, 2)
