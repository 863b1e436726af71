"""``SharedBucket``: one rate budget for every process, with a local fallback.

ReccoBeats limits the client, not the process, so processes that share a limit must draw
from one budget. No library paces an asyncio scheduler from a budget kept on a server,
shares an adaptive controller's state and falls back to a local share when the server
goes away, so this is written here. It fits the scheduler where a ``TokenBucket`` would::

    bucket = SharedBucket(RedisBudget(redis), rate=80 / 60, controller=control)
    scheduler = Scheduler(bucket, max_concurrency=6, controller=control)
    bucket.mode, bucket.live           # "shared" (or "local" while the server is away), 3
    await bucket.aclose()              # leave the budget

In shared mode a token comes from the budget: when the scheduler has a caller and no token
in hand, a pump draws one (the budget says how long to wait if none is free) and wakes the
scheduler when it arrives; at most one drawn token is held unused. A 429's pause goes to the
budget too, so every process stops for the Retry-After. The adaptive controller's state is
published when this process changes the rate and loaded when another did (the version
changes), so a 429 seen by one process slows all of them. A draw at a rate another process
has since changed is refused (``Draw.stale``): this process loads the new state and draws
again at its rate, so no process takes one more token at a rate just found too high. Each
draw also says how many tokens the budget has handed out back to back (``run``): whether
all processes together use the whole rate, the evidence the scheduler gives the adaptive
rate. It also says when the budget was last paused and how many tokens it handed out since:
at a 429 the controller measures the limit from that count of every process's requests
(``AdaptiveRate.drained``).

When the server fails, the bucket logs it once at warning and paces alone: a local bucket at
this process's share of the last known rate (rate / live processes, counted by heartbeats;
the most counted over the last ``peak_window`` seconds, so a process that had not yet seen
the others does not take all of it), burst 1. The heartbeat keeps trying every
``beat_every`` seconds and the bucket returns to shared mode by itself when the server
answers again.

The count of processes is a ``Headcount`` and the controller's shared state a ``StateSync``;
this module is the limiter: the pump, the heartbeat and the mode.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import uuid
from collections.abc import Callable, Coroutine
from typing import Any, Literal

import structlog

from moodmix.clock import Clock, monotonic
from moodmix.coordination import Budget, Draw, SharedUnavailable
from moodmix.resilience.adaptive import AdaptiveRate
from moodmix.resilience.headcount import Headcount, Heartbeat
from moodmix.resilience.limiter import Evidence
from moodmix.resilience.statesync import StateSync
from moodmix.resilience.tokenbucket import Sleep, TokenBucket

log = structlog.get_logger("moodmix.shared")

_POLL_S = 0.05
"""The longest the scheduler's own timer waits while a draw is under way (the pump wakes it
sooner when a token arrives)."""

Mode = Literal["shared", "local"]

__all__ = ["Heartbeat", "Mode", "SharedBucket"]


class SharedBucket:
    """A ``Limiter`` drawing from a shared ``Budget``; a local share when it cannot."""

    def __init__(
        self,
        budget: Budget,
        rate: float,
        burst: int = 1,
        *,
        controller: AdaptiveRate | None = None,
        clock: Clock = monotonic,
        sleep: Sleep = asyncio.sleep,
        heartbeat: Heartbeat | None = None,
        on_mode_change: Callable[[Mode], None] | None = None,
    ) -> None:
        if not (isinstance(rate, int | float) and math.isfinite(rate) and rate > 0):
            raise ValueError(f"rate must be a finite number of tokens per second > 0, got {rate!r}")
        if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
            raise ValueError(f"burst must be a whole number of tokens >= 1, got {burst!r}")
        heartbeat = heartbeat or Heartbeat()
        self._budget = budget
        self._rate = float(rate)
        self._burst = burst
        self._controller = controller
        self._clock = clock
        self._sleep = sleep
        self.member = heartbeat.member or uuid.uuid4().hex
        self._beat_every = heartbeat.every
        self._beat_ttl = heartbeat.ttl
        self._on_mode_change = on_mode_change
        self._local = TokenBucket(rate, 1, clock=clock, sleep=sleep)
        self._mode: Mode = "shared"
        self._heads = Headcount(window=heartbeat.peak_window, clock=clock)
        self._credit = 0
        self._want = False
        self._ready_at = -math.inf
        self._paused_until = -math.inf
        self._run = 0
        self._handed_out = 0
        self._drained_at: float | None = None
        self._since_drained = 0
        self._backlog = True
        self._state = StateSync(budget, controller, on_lost=self._degrade)
        self._wake: Callable[[], None] = lambda: None
        self._pump: asyncio.Task[None] | None = None
        self._heart: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False
        self.granted = 0
        """Tokens handed to the scheduler (refunds subtracted)."""
        self.lost = 0
        """Times the server went away."""
        with contextlib.suppress(RuntimeError):  # no running loop: start on first use
            asyncio.get_running_loop()
            self._start()

    # --- what the scheduler sees ---------------------------------------------------------------

    @property
    def rate(self) -> float:
        """The rate for all processes together (the learned or configured global rate)."""
        return self._rate

    @property
    def burst(self) -> int:
        return self._burst

    @property
    def share(self) -> float:
        """1 / live processes; while alone, 1 / the most counted over the last ``peak_window``."""
        if self._mode == "local":
            return 1.0 / self._heads.peak
        return 1.0 / self._heads.live

    @property
    def paused_until(self) -> float:
        return self._paused_until

    @property
    def mode(self) -> Mode:
        """``shared`` while the budget answers, ``local`` while this process paces alone."""
        return self._mode

    @property
    def live(self) -> int:
        """Processes drawing from the budget (the last count heard)."""
        return self._heads.live

    @property
    def run(self) -> int:
        """Tokens the budget handed out back to back, to any process, as of this process's
        last draw (``Draw.run``); the local bucket's own while pacing alone."""
        return self._run if self._mode == "shared" else self._local.run

    @property
    def handed_out(self) -> int:
        """Tokens the budget handed out in all, as of this process's last draw; the local
        bucket's own while pacing alone."""
        return self._handed_out if self._mode == "shared" else self._local.handed_out

    def watch(self, wake: Callable[[], None]) -> None:
        self._wake = wake

    def delay(
        self, now: float | None = None, *, tokens: float = 1.0, evidence: Evidence | None = None
    ) -> float:
        """Seconds until a token can be taken. In shared mode, with no token in hand, this
        also starts drawing one from the budget (with ``evidence.backlog``, as the draws
        after it); the scheduler is woken when it arrives."""
        now = self._clock() if now is None else now
        if evidence is not None:
            self._backlog = evidence.backlog
        self._start()
        paused = self._paused_until - now
        if paused > 0:
            return paused
        if self._mode == "local":
            return self._local.delay(now, tokens=min(tokens, float(self._local.burst)))
        if self._credit >= 1:
            return 0.0
        self._ask()
        return max(self._ready_at - now, 0.0) or _POLL_S

    def try_acquire(self, now: float | None = None, *, evidence: Evidence | None = None) -> bool:
        now = self._clock() if now is None else now
        if evidence is not None:
            self._backlog = evidence.backlog
        if now < self._paused_until:
            return False
        if self._mode == "local":
            if not self._local.try_acquire(now, evidence=evidence):
                return False
        elif self._credit >= 1:
            self._credit -= 1
        else:
            self._ask()
            return False
        self.granted += 1
        if evidence is not None:
            evidence.run, evidence.handed_out = self.run, self.handed_out
        return True

    def refund(self, now: float | None = None) -> None:
        self.granted -= 1
        if self._mode == "local":
            self._local.refund(now)
        elif self._credit < 1:
            self._credit += 1  # kept for the next caller
        else:
            self._spawn(self._remote_refund(), "shared-refund")

    def set_rate(self, rate: float, now: float | None = None) -> None:
        """The controller chose ``rate`` (for all processes): apply it and tell the others."""
        self._apply(rate, now)
        if self._controller is not None and self._state.synced and self._mode == "shared":
            self._spawn(self._state.publish(), "shared-publish")

    def pause_until(self, until: float, now: float | None = None) -> None:
        """A 429: nobody here takes a token before ``until``, and the budget pauses for all."""
        now = self._clock() if now is None else now
        if until <= max(now, self._paused_until):
            return
        self._paused_until = until
        self._credit = 0
        self._local.pause_until(until, now)
        if self._mode == "shared":
            self._tell_drain(now)
            self._spawn(self._remote_pause(until - now), "shared-pause")

    async def aclose(self) -> None:
        """Stop drawing and beating, and leave the budget (best effort)."""
        self._closed = True
        tasks = [t for t in (self._pump, self._heart, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(SharedUnavailable):
            await self._budget.leave(self.member)

    # --- the pump, the heartbeat and the mode ----------------------------------------------------

    def _start(self) -> None:
        if self._heart is None and not self._closed:
            self._heart = asyncio.get_running_loop().create_task(
                self._heartbeat(), name="shared-heartbeat"
            )

    def _ask(self) -> None:
        self._want = True
        if self._pump is None and not self._closed:
            self._pump = asyncio.get_running_loop().create_task(self._draw(), name="shared-draw")

    async def _draw(self) -> None:
        try:
            while self._want and self._mode == "shared" and self._credit < 1 and not self._closed:
                try:
                    draw = await self._budget.draw(
                        self._rate, self._burst, backlog=self._backlog, version=self._known()
                    )
                    self._run, self._handed_out = draw.run, draw.handed_out
                    self._heard_drain(draw)
                    await self._sync(draw.version)
                except SharedUnavailable as exc:
                    self._degrade(exc)
                    return
                if draw.stale:
                    continue  # another process changed the rate: draw again at the new one
                if draw.granted:
                    self._credit += 1
                    self._want = False
                    self._ready_at = -math.inf
                    self._wake()  # the scheduler may ask for the next one right here
                else:
                    self._ready_at = self._clock() + draw.wait
                    await self._sleep(draw.wait)
        finally:
            self._pump = None

    def _known(self) -> int | None:
        """The shared state's version this process's rate comes from, once it has one."""
        if self._controller is None or not self._state.synced:
            return None
        return self._state.version

    async def _heartbeat(self) -> None:
        # Not ``while True``: a Redis client that swallows aclose()'s cancellation (redis-py
        # has, issue #2551) would keep this beating for ever, and aclose() waiting on it.
        while not self._closed:
            try:
                presence = await self._budget.beat(self.member, self._beat_ttl)
                self._heads.heard(max(1, presence.live))
                await self._sync(presence.version)
            except SharedUnavailable as exc:
                self._degrade(exc)
            else:
                if self._mode == "local":
                    self._restore()
            await self._sleep(self._beat_every)

    async def _sync(self, version: int) -> None:
        """Take the shared controller state if another process changed it."""
        if await self._state.sync(version) and self._controller is not None:
            self._apply(self._controller.rate, None)

    def _heard_drain(self, draw: Draw) -> None:
        """Keep when the budget was last paused (on this clock) and the tokens since."""
        if draw.drained is None:
            self._drained_at = None
        else:
            self._drained_at = self._clock() - draw.drained
        self._since_drained = draw.since_drained

    def _tell_drain(self, now: float) -> None:
        """A 429 here: give the controller the budget's count since the upstream was last
        seen empty (by any process), less this 429's own token, so it measures the limit
        from every process's requests, as one process measures from its own. Then the
        upstream is empty again, now."""
        if self._controller is not None and self._drained_at is not None:
            self._controller.drained(self._drained_at, max(self._since_drained - 1, 0))
        self._drained_at, self._since_drained = now, 0

    async def _remote_refund(self) -> None:
        try:
            await self._budget.refund(self._rate)
        except SharedUnavailable as exc:
            self._degrade(exc)

    async def _remote_pause(self, seconds: float) -> None:
        try:
            await self._budget.pause(seconds, self._rate, self._burst)
        except SharedUnavailable as exc:
            self._degrade(exc)

    def _apply(self, rate: float, now: float | None) -> None:
        if not (isinstance(rate, int | float) and math.isfinite(rate) and rate > 0):
            raise ValueError(f"rate must be a finite number of tokens per second > 0, got {rate!r}")
        self._rate = float(rate)
        self._local.set_rate(self._rate * self.share, now)

    def _degrade(self, exc: BaseException) -> None:
        if self._mode == "local" or self._closed:
            return
        self._mode = "local"
        self.lost += 1
        self._want = False
        self._local = TokenBucket(self._rate * self.share, 1, clock=self._clock, sleep=self._sleep)
        self._local.try_acquire()  # start empty: the budget may have just handed out a token
        if self._paused_until > self._clock():
            self._local.pause_until(self._paused_until)
        log.warning(
            "shared_mode_lost",
            error=str(exc),
            local_rate_per_min=round(self._rate * self.share * 60, 2),
            live=round(1 / self.share),
            retry_every_s=self._beat_every,
        )
        self._changed()

    def _restore(self) -> None:
        self._mode = "shared"
        self._credit = 0
        log.warning(
            "shared_mode_restored", rate_per_min=round(self._rate * 60, 2), live=self._heads.live
        )
        self._changed()

    def _changed(self) -> None:
        if self._on_mode_change is not None:
            self._on_mode_change(self._mode)
        self._wake()

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        if self._closed:
            coro.close()
            return
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def __repr__(self) -> str:
        return (
            f"SharedBucket(mode={self._mode}, rate={self._rate * 60:.1f}/min, "
            f"live={self._heads.live}, granted={self.granted})"
        )
