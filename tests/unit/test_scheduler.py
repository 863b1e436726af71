from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections.abc import AsyncIterator, Iterator, MutableMapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
import structlog
from hypothesis import given, settings
from hypothesis import strategies as st

from moodmix.clock import ManualClock
from moodmix.resilience import scheduler as scheduler_module
from moodmix.resilience.adaptive import AdaptiveRate, Tuning
from moodmix.resilience.scheduler import (
    BACKGROUND,
    INTERACTIVE,
    OutcomeAlreadyReported,
    Priority,
    Scheduler,
    Slot,
    Ticket,
    Unsent,
)
from moodmix.resilience.tokenbucket import TokenBucket


async def settle(rounds: int = 10) -> None:
    for _ in range(rounds):
        await asyncio.sleep(0)


class VirtualTime:
    """Sleeps that end only when the test moves the clock past them."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.clock() + seconds, next(self._seq), future))
        await future

    async def advance(self, seconds: float) -> None:
        target = self.clock() + seconds
        await settle()
        while self._sleepers and self._sleepers[0][0] <= target:
            deadline, _, future = heapq.heappop(self._sleepers)
            if future.done():
                continue
            self.clock.now = max(self.clock.now, deadline)
            future.set_result(None)
            await settle()
        self.clock.now = target
        await settle()


class Harness:
    def __init__(
        self,
        rate: float = 1.0,
        burst: int = 1,
        max_concurrency: int = 6,
        controller: AdaptiveRate | None = None,
        background_headroom: int = 0,
    ) -> None:
        self.clock = ManualClock(start=0.0)
        self.time = VirtualTime(self.clock)
        self.bucket = TokenBucket(rate, burst, clock=self.clock)
        self.scheduler = Scheduler(
            self.bucket,
            max_concurrency,
            clock=self.clock,
            controller=controller,
            sleep=self.time.sleep,
            background_headroom=background_headroom,
        )
        self.log: list[tuple[str, float]] = []
        self.release = asyncio.Event()

    def start(
        self,
        name: str,
        priority: Priority = INTERACTIVE,
        hold: bool = False,
        ticket: Ticket | None = None,
    ) -> asyncio.Task[Slot]:
        async def caller() -> Slot:
            async with self.scheduler.slot(priority, ticket=ticket) as slot:
                self.log.append((name, self.clock()))
                if hold:
                    await self.release.wait()
                return slot

        return asyncio.create_task(caller())

    def names(self) -> list[str]:
        return [name for name, _ in self.log]


async def test_callers_are_paced_first_come_first_served() -> None:
    h = Harness(rate=2.0)
    tasks = [h.start(name) for name in "abc"]
    await h.time.advance(1.0)
    await asyncio.gather(*tasks)
    assert h.log == [("a", 0.0), ("b", 0.5), ("c", 1.0)]
    stats = h.scheduler.stats
    assert stats.granted == 3
    assert stats.total_wait == pytest.approx(1.5)
    assert stats.mean_wait == pytest.approx(0.5)


async def test_interactive_callers_go_before_background_ones() -> None:
    h = Harness(rate=1.0)
    h.bucket.try_acquire()
    tasks = [h.start("bg1", BACKGROUND), h.start("bg2", BACKGROUND)]
    await settle()
    tasks.append(h.start("ui", INTERACTIVE))
    await h.time.advance(3.0)
    await asyncio.gather(*tasks)
    assert h.names() == ["ui", "bg1", "bg2"]


async def test_a_promoted_ticket_joins_the_interactive_lane_in_arrival_order() -> None:
    h = Harness(rate=1.0)
    h.bucket.try_acquire()
    ticket = Ticket(BACKGROUND)
    tasks = [h.start("bg", BACKGROUND), h.start("joined", BACKGROUND, ticket=ticket)]
    await settle()
    tasks += [h.start("ui1"), h.start("ui2")]
    await settle()
    ticket.promote()
    tasks.append(h.start("ui3"))
    await h.time.advance(5.0)
    await asyncio.gather(*tasks)
    assert h.names() == ["ui1", "ui2", "joined", "ui3", "bg"]
    assert ticket.priority is INTERACTIVE


async def test_a_ticket_promoted_before_it_queues_starts_interactive() -> None:
    h = Harness(rate=1.0)
    h.bucket.try_acquire()
    ticket = Ticket(BACKGROUND)
    ticket.promote()
    tasks = [h.start("bg", BACKGROUND), h.start("promoted", BACKGROUND, ticket=ticket)]
    await h.time.advance(2.0)
    await asyncio.gather(*tasks)
    assert h.names() == ["promoted", "bg"]


async def test_a_waiter_cancelled_just_before_its_turn_is_skipped_not_granted() -> None:
    h = Harness(rate=1.0)
    h.bucket.try_acquire()
    first, second = h.start("first"), h.start("second")
    await settle()
    h.clock.advance(1.0)  # a token is due, the timer has not fired yet
    first.cancel()  # its future is cancelled at once; its task has not resumed yet
    h.scheduler._dispatch()  # a dispatch in between (another release, the timer) must cope
    await settle()
    await second
    with pytest.raises(asyncio.CancelledError):
        await first
    assert h.names() == ["second"]
    assert h.scheduler.stats.in_flight == 0
    assert h.scheduler.stats.granted == 1


async def test_background_leaves_headroom_for_interactive_callers() -> None:
    h = Harness(rate=1.0, burst=2, background_headroom=1)
    h.bucket.try_acquire()
    h.bucket.try_acquire()
    background = h.start("bg", BACKGROUND)
    await h.time.advance(1.0)
    assert h.names() == []  # one token is there, but it is kept for interactive callers
    await h.time.advance(1.0)
    await background
    assert h.names() == ["bg"]
    ui = h.start("ui")
    await settle()
    await ui
    assert h.log[-1] == ("ui", 2.0)


async def test_the_concurrency_cap_holds_and_a_release_lets_the_next_in() -> None:
    h = Harness(rate=100.0, burst=5, max_concurrency=2)
    tasks = [h.start(name, hold=True) for name in "abc"]
    await h.time.advance(1.0)
    assert h.names() == ["a", "b"]
    assert h.scheduler.stats.in_flight == 2
    assert h.scheduler.stats.queued[INTERACTIVE] == 1
    h.release.set()
    await h.time.advance(0.0)
    await asyncio.gather(*tasks)
    assert h.names() == ["a", "b", "c"]
    assert h.scheduler.stats.in_flight == 0


async def test_a_full_cap_does_not_let_tokens_pile_up_into_a_burst() -> None:
    h = Harness(rate=1.0, burst=1, max_concurrency=1)
    tasks = [h.start(name, hold=True) for name in "abc"]
    await h.time.advance(10.0)
    assert h.names() == ["a"]
    h.release.set()
    await h.time.advance(5.0)
    await asyncio.gather(*tasks)
    times = [t for _, t in h.log]
    assert times[1] == pytest.approx(10.0)
    assert times[2] - times[1] == pytest.approx(1.0)


async def test_throttled_pauses_the_whole_lane() -> None:
    h = Harness(rate=10.0, burst=1)
    async with h.scheduler.slot() as slot:
        slot.throttled(retry_after=3.0)
    tasks = [h.start("a"), h.start("b", BACKGROUND)]
    assert h.scheduler.stats.paused_until == pytest.approx(3.0)
    assert h.scheduler.expected_wait() == pytest.approx(3.0)
    await h.time.advance(2.9)
    assert h.names() == []
    await h.time.advance(0.2)
    await asyncio.gather(*tasks)
    assert h.log[0][0] == "a"
    assert h.log[0][1] == pytest.approx(3.0)
    assert h.scheduler.stats.throttled == 1
    assert h.scheduler.stats.paused_until is None


async def test_outcomes_reach_the_controller_and_its_rate_the_bucket() -> None:
    controller = AdaptiveRate(initial_rate=2.0, tuning=Tuning(confirm_after=2))
    h = Harness(rate=99.0, controller=controller)
    assert h.bucket.rate == 2.0  # the controller's rate replaces the bucket's
    async with h.scheduler.slot() as slot:  # the first token: from the bucket's burst
        assert not slot.paced
        slot.throttled(retry_after=1.0)
    assert controller.throttled_rate is None  # a 429 on a burst says nothing of the rate
    await h.time.advance(1.0)
    first = [h.start(str(i)) for i in range(2)]
    await h.time.advance(1.0)
    await asyncio.gather(*first)
    async with h.scheduler.slot() as slot:  # the third back to back: at the rate's pace
        assert slot.paced
        slot.throttled(retry_after=1.0)
    assert controller.throttled_rate == 2.0
    assert h.bucket.rate == controller.rate == 1.0  # nothing known clean: halved


@pytest.fixture
def info_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[MutableMapping[str, Any]]]:
    """The scheduler's structlog events at info and above, as dicts. The package logs at
    warning with loggers cached on first use, so the module gets a fresh, uncached one."""
    saved = structlog.get_config()
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        cache_logger_on_first_use=False,
    )
    monkeypatch.setattr(scheduler_module, "log", structlog.get_logger("moodmix.ratelimit"))
    try:
        with structlog.testing.capture_logs() as logs:
            yield logs
    finally:
        structlog.configure(**saved)


async def test_each_change_of_rate_is_logged_with_what_the_controller_knows(
    info_logs: list[MutableMapping[str, Any]],
) -> None:
    controller = AdaptiveRate(initial_rate=2.0, tuning=Tuning(confirm_after=2))
    h = Harness(controller=controller)
    async with h.scheduler.slot() as slot:
        slot.paced = True  # as if its token came at the rate's pace, not from the burst
        slot.throttled(retry_after=1.0)
    after = h.start("after the pause")  # a success at the new rate: nothing to log
    await h.time.advance(1.0)
    await after
    changes = [entry for entry in info_logs if entry["event"] == "rate_changed"]
    assert changes == [
        {
            "event": "rate_changed",
            "log_level": "info",
            "rate_per_min": 60.0,
            "was_per_min": 120.0,
            "clean_per_min": None,
            "throttled_per_min": 120.0,
            "probing": True,
        }
    ]


async def test_saturated_successes_let_the_controller_grow_the_rate() -> None:
    controller = AdaptiveRate(initial_rate=1.0, tuning=Tuning(confirm_after=3, hidden_burst=1))
    h = Harness(controller=controller)
    tasks = [h.start(str(i)) for i in range(60)]
    # the first took its token before the others queued (nobody behind it: its token ended
    # the run), the second started a new run; from the third on each one is saturated
    await h.time.advance(3.5)  # two saturated ones at 1/s: the limit is at least 1/2 s
    assert controller.clean_rate == pytest.approx(0.5)
    assert h.bucket.rate == 1.0
    await h.time.advance(1.0)  # a third shows 2/3 s, past half the probe: the next one
    assert controller.clean_rate == pytest.approx(2 / 3)
    assert h.bucket.rate == pytest.approx(1.5)  # the slow start's first step: 50% up
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def test_a_slot_is_saturated_while_the_rate_holds_requests_back() -> None:
    h = Harness(rate=1.0)
    first = [h.start(str(i)) for i in range(4)]
    await h.time.advance(10.0)
    slots = await asyncio.gather(*first)
    # the first was taken before the others queued (nobody behind it: the run ends after
    # it), the second started a new run; the last waited for its token, so it counts too
    assert [slot.saturated for slot in slots] == [False, False, True, True]
    await h.time.advance(5.0)  # a lull in demand: tokens were left lying, the run ends
    later = [h.start(str(i)) for i in range(4)]
    await h.time.advance(5.0)
    slots = await asyncio.gather(*later)
    assert [slot.saturated for slot in slots] == [False, False, True, True]
    assert h.bucket.run == 3
    assert h.bucket.handed_out == 8


async def test_one_caller_at_a_time_that_waits_for_its_token_is_saturation() -> None:
    """A batcher that keeps one batch waiting at a time (few callers, each waiting on its
    answer) is held back by the rate as surely as a queue is."""
    h = Harness(rate=1.0)
    saturated = [(await h.start("first")).saturated]
    await h.time.advance(0.5)
    for _ in range(5):  # each arrives half a second before its token
        task = h.start("batch")
        await h.time.advance(1.0)
        saturated.append((await task).saturated)
    assert saturated == [False, False, True, True, True, True]


class SharedLikeBucket(TokenBucket):
    """A bucket whose every token comes right after one another process drew from the same
    budget (a stand-in for the Redis budget's run, which interleaves at random)."""

    @property
    def run(self) -> int:
        return 2 * super().run

    @property
    def handed_out(self) -> int:
        return 2 * super().handed_out


async def test_a_grant_counts_for_the_tokens_other_processes_drew_in_between() -> None:
    clock = ManualClock(start=0.0)
    time = VirtualTime(clock)
    bucket = SharedLikeBucket(1.0, 1, clock=clock)
    scheduler = Scheduler(bucket, clock=clock, sleep=time.sleep)
    slots: list[Slot] = []

    async def call() -> None:
        async with scheduler.slot() as slot:
            slots.append(slot)

    tasks = [asyncio.create_task(call()) for _ in range(5)]
    await time.advance(10.0)
    await asyncio.gather(*tasks)
    assert [slot.weight for slot in slots] == [2, 2, 2, 2, 2]
    assert [slot.saturated for slot in slots] == [False, False, True, True, True]


async def test_unsaturated_successes_do_not_grow_the_rate() -> None:
    controller = AdaptiveRate(initial_rate=1.0, tuning=Tuning(confirm_after=3))
    h = Harness(controller=controller)
    for _ in range(10):
        await h.start("x")
        await h.time.advance(2.0)
    assert h.bucket.rate == 1.0
    assert controller.probes == 0


async def test_an_exception_in_the_block_reports_nothing_to_the_controller() -> None:
    controller = AdaptiveRate(initial_rate=1.0, tuning=Tuning(confirm_after=1))
    h = Harness(controller=controller)
    with pytest.raises(RuntimeError):
        async with h.scheduler.slot() as slot:
            raise RuntimeError("boom")
    assert slot.outcome == "failed"
    assert h.scheduler.stats.in_flight == 0
    assert controller.state()["evidence"] == 0


async def test_fixed_mode_keeps_the_rate() -> None:
    h = Harness(rate=1.5)
    async with h.scheduler.slot() as slot:
        slot.throttled(2.0)
    assert h.bucket.rate == 1.5
    assert h.scheduler.controller is None


async def test_a_cancelled_waiter_leaks_neither_token_nor_slot() -> None:
    h = Harness(rate=1.0, max_concurrency=1)
    h.bucket.try_acquire()
    waiting = h.start("a")
    await h.time.advance(0.5)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert h.scheduler.stats.queued[INTERACTIVE] == 0
    await h.time.advance(0.5)
    assert h.bucket.tokens() == pytest.approx(1.0)
    assert h.scheduler.stats.in_flight == 0
    await h.start("b")
    assert h.log == [("b", 1.0)]


async def test_a_caller_cancelled_after_its_grant_gives_token_and_slot_back() -> None:
    h = Harness(rate=100.0, burst=2, max_concurrency=1)
    holder = h.scheduler.slot()
    await holder.__aenter__()
    waiting = h.start("late")
    await settle()
    await holder.__aexit__(None, None, None)  # grants the waiter, which has not run yet
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    stats = h.scheduler.stats
    assert (stats.in_flight, stats.granted) == (0, 1)
    assert h.bucket.granted == 1
    assert h.bucket.tokens() == pytest.approx(1.0)


async def test_a_request_left_unsent_gives_its_token_to_the_next_caller() -> None:
    h = Harness(rate=1.0, burst=1)
    with pytest.raises(Unsent):
        async with h.scheduler.slot() as slot:
            raise Unsent
    assert slot.outcome == "unsent"
    stats = h.scheduler.stats
    assert (stats.granted, stats.in_flight, h.bucket.granted) == (0, 0, 0)
    await h.start("next")  # the refunded token: no wait
    assert h.log == [("next", 0.0)]


async def test_expected_wait_counts_the_queue_ahead() -> None:
    h = Harness(rate=2.0, burst=1)
    assert h.scheduler.expected_wait() == 0.0
    h.bucket.try_acquire()
    tasks = [h.start(name) for name in "ab"]
    await settle()
    assert h.scheduler.expected_wait() == pytest.approx(1.5)  # a at 0.5, b at 1.0, new at 1.5
    tasks.append(h.start("bg", BACKGROUND))
    await settle()
    assert h.scheduler.expected_wait() == pytest.approx(1.5)  # background is not ahead
    await h.time.advance(2.0)
    await asyncio.gather(*tasks)


async def test_an_outcome_is_reported_once() -> None:
    h = Harness()
    async with h.scheduler.slot() as slot:
        slot.succeeded()
        with pytest.raises(OutcomeAlreadyReported):
            slot.throttled(1.0)


async def test_bad_arguments_are_refused_with_a_clear_message() -> None:
    bucket = TokenBucket(1.0, burst=2)
    with pytest.raises(ValueError, match="max_concurrency must be"):
        Scheduler(bucket, 0)
    with pytest.raises(ValueError, match="background_headroom must be"):
        Scheduler(bucket, background_headroom=2)
    scheduler = Scheduler(bucket)
    with pytest.raises(ValueError, match="priority must be"):
        scheduler.slot(1)  # type: ignore[arg-type]
    async with scheduler.slot() as slot:
        with pytest.raises(ValueError, match="retry_after must be"):
            slot.throttled(-1.0)
        slot.failed()


@asynccontextmanager
async def running(h: Harness, tasks: list[asyncio.Task[Slot]]) -> AsyncIterator[None]:
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _lane_order_holds(arrivals: list[tuple[float, bool]], cap: int) -> None:
    async def scenario() -> None:
        h = Harness(rate=2.0, burst=2, max_concurrency=cap)
        tasks: list[asyncio.Task[Slot]] = []
        queued_interactive_at_grant: list[int] = []

        def start(index: int, background: bool) -> None:
            async def caller() -> Slot:
                priority = BACKGROUND if background else INTERACTIVE
                context: AbstractAsyncContextManager[Slot] = h.scheduler.slot(priority)
                async with context as slot:
                    if background:
                        queued_interactive_at_grant.append(h.scheduler.stats.queued[INTERACTIVE])
                    h.log.append((str(index), h.clock()))
                    await h.time.sleep(0.3)
                    return slot

            tasks.append(asyncio.create_task(caller()))

        async with running(h, tasks):
            for index, (gap, background) in enumerate(arrivals):
                await h.time.advance(gap)
                start(index, background)
            await h.time.advance(len(arrivals) + 5.0)
            assert len(h.log) == len(arrivals)
        assert queued_interactive_at_grant == [0] * len(queued_interactive_at_grant)
        times = sorted(t for _, t in h.log)
        for i in range(len(times)):
            for j in range(i, len(times)):
                assert j - i + 1 <= 2 + 2.0 * (times[j] - times[i]) + 1e-6
        assert h.scheduler.stats.in_flight == 0

    asyncio.run(scenario())


@settings(max_examples=60, deadline=None)
@given(
    arrivals=st.lists(st.tuples(st.floats(0.0, 1.0), st.booleans()), max_size=20),
    cap=st.integers(1, 4),
)
def test_lanes_pacing_and_cap_hold_for_any_arrivals(
    arrivals: list[tuple[float, bool]], cap: int
) -> None:
    _lane_order_holds(arrivals, cap)
