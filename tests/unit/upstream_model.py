"""A deterministic discrete-event model of a rate-limited upstream and a paced client.

The upstream is a token bucket (``limit`` requests a minute, ``burst`` deep) answering 429 with
a Retry-After (the time to its next token, rounded up to whole seconds or exact). The client's
demand arrives in clumps at random (seeded) times; a ``TokenBucket`` paced by an optional
``AdaptiveRate`` decides when each request leaves, following the ``Scheduler``'s rules: first
come first served, a token and a free slot granted together, a 429 pausing the whole lane for
its Retry-After, and a request counted as *saturated* when others still waited, the bucket's
tokens were being taken back to back (``TokenBucket.run``) and demand over the last 30 s was
at least the rate::

    result = simulate(Scenario(limit=40, burst=5, demand=80, minutes=10))
    assert result.throttle_share <= 0.01 and result.utilisation >= 0.85

Time is a ``ManualClock`` moved from event to event, so a 20-minute run takes milliseconds.
"""

from __future__ import annotations

import functools
import heapq
import math
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from moodmix.clock import ManualClock
from moodmix.resilience.adaptive import AdaptiveRate
from moodmix.resilience.tokenbucket import TokenBucket

DEMAND_WINDOW = 30.0

RetryAfter = Literal["ceil", "exact"]


@dataclass(frozen=True)
class Scenario:
    """One run: the upstream's limit and burst, the demand, and how the client is set up.

    ``limit``, ``demand`` and ``initial`` are per minute; ``limit_change`` is (minute, new limit).
    """

    limit: float
    burst: int
    demand: float
    minutes: float = 10.0
    seed: int = 1
    clump: float = 2.0
    retry_after: RetryAfter = "ceil"
    limit_change: tuple[float, float] | None = None
    adaptive: bool = True
    initial: float = 80.0
    client_burst: int = 1
    max_concurrency: int = 6
    hidden_burst: int = 0


@dataclass
class Result:
    """What happened in a run: counts, times of 429s, and the allowed rate over time."""

    scenario: Scenario
    accepted: int = 0
    throttled: int = 0
    throttle_times: list[float] = field(default_factory=list)
    accept_times: list[float] = field(default_factory=list)
    rates: list[tuple[float, float]] = field(default_factory=list)
    """(seconds since start, allowed rate per minute) at every change."""
    controller: AdaptiveRate | None = None

    @property
    def sent(self) -> int:
        return self.accepted + self.throttled

    @property
    def throttle_share(self) -> float:
        return self.throttled / self.sent if self.sent else 0.0

    @property
    def utilisation(self) -> float:
        """Accepted requests over what the upstream's limit allowed during the run."""
        return self.accepted / self.allowed(0.0, self.scenario.minutes * 60)

    def allowed(self, start: float, end: float) -> float:
        """How many requests the upstream's limit allowed between two run times (seconds)."""
        s = self.scenario
        if s.limit_change is None:
            return s.limit * (end - start) / 60
        at = s.limit_change[0] * 60
        before = max(0.0, min(end, at) - start)
        after = max(0.0, end - max(start, at))
        return (s.limit * before + s.limit_change[1] * after) / 60

    def accepted_between(self, start: float, end: float) -> int:
        return sum(1 for t in self.accept_times if start <= t < end)

    def throttled_between(self, start: float, end: float) -> int:
        return sum(1 for t in self.throttle_times if start <= t < end)

    def rate_at(self, t: float) -> float:
        """The allowed rate per minute at run time ``t``."""
        current = self.rates[0][1]
        for when, rate in self.rates:
            if when > t:
                break
            current = rate
        return current


class Upstream:
    """A token bucket that answers each request with None (accepted) or a Retry-After."""

    def __init__(self, limit_per_min: float, burst: int, retry_after: RetryAfter, start: float):
        self.rate = limit_per_min / 60
        self.burst = burst
        self.retry_after = retry_after
        self.tokens = float(burst)
        self.stamp = start

    def set_limit(self, limit_per_min: float, now: float) -> None:
        self._refill(now)
        self.rate = limit_per_min / 60

    def answer(self, now: float) -> float | None:
        self._refill(now)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return None
        wait = (1.0 - self.tokens) / self.rate
        return float(max(1, math.ceil(wait))) if self.retry_after == "ceil" else wait

    def _refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now


@dataclass(order=True)
class _Event:
    time: float
    seq: int
    action: Callable[[], None] = field(compare=False)


@dataclass
class _Request:
    enqueued: float
    mark: int
    sent_at: float = 0.0
    saturated: bool = False


class _Run:
    def __init__(self, scenario: Scenario) -> None:
        self.s = scenario
        self.rng = random.Random(scenario.seed)
        self.clock = ManualClock(start=0.0)
        self.start = self.clock()
        self.end = self.start + scenario.minutes * 60
        self.events: list[_Event] = []
        self.seq = 0
        self.upstream = Upstream(scenario.limit, scenario.burst, scenario.retry_after, self.start)
        initial = scenario.initial / 60
        self.bucket = TokenBucket(initial, scenario.client_burst, clock=self.clock)
        self.controller = (
            AdaptiveRate(initial, hidden_burst=scenario.hidden_burst, clock=self.clock)
            if scenario.adaptive
            else None
        )
        self.queue: deque[_Request] = deque()
        self.in_flight = 0
        self.starved = 0
        self.dispatch_at = math.inf
        self.arrivals: deque[float] = deque()
        self.result = Result(scenario, controller=self.controller)
        self.result.rates.append((0.0, scenario.initial))

    def at(self, time: float, action: Callable[[], None]) -> None:
        self.seq += 1
        heapq.heappush(self.events, _Event(time, self.seq, action))

    def run(self) -> Result:
        self.at(self.start, self.arrive)
        if self.s.limit_change is not None:
            minute, limit = self.s.limit_change
            self.at(self.start + minute * 60, lambda: self.upstream.set_limit(limit, self.now))
        while self.events:
            event = heapq.heappop(self.events)
            if event.time > self.end:
                break
            self.clock.now = max(self.clock.now, event.time)
            event.action()
        return self.result

    @property
    def now(self) -> float:
        return self.clock()

    def arrive(self) -> None:
        p = 1 / self.s.clump
        size = 1
        while size < 6 and self.rng.random() > p:
            size += 1
        for _ in range(size):
            self.queue.append(_Request(self.now, self.starved))
            self.arrivals.append(self.now)
        self.dispatch()
        clumps_per_s = self.s.demand / 60 / self.s.clump
        self.at(self.now + self.rng.expovariate(clumps_per_s), self.arrive)

    def dispatch(self) -> None:
        if self.dispatch_at <= self.now:
            self.dispatch_at = math.inf
        while self.queue and self.in_flight < self.s.max_concurrency:
            wait = self.bucket.delay(self.now)
            if wait > 0:
                self.starved += 1
                if self.now + wait < self.dispatch_at:
                    self.dispatch_at = self.now + wait
                    self.at(self.dispatch_at, self.dispatch)
                return
            assert self.bucket.try_acquire(self.now)
            request = self.queue.popleft()
            request.sent_at = self.now
            request.saturated = (
                bool(self.queue) and self.bucket.run >= 2 and self.demand() >= self.bucket.rate
            )
            self.in_flight += 1
            self.at(self.now + self.rng.uniform(0.02, 0.10), functools.partial(self.reach, request))

    def demand(self) -> float:
        while self.arrivals and self.arrivals[0] < self.now - DEMAND_WINDOW:
            self.arrivals.popleft()
        return len(self.arrivals) / DEMAND_WINDOW

    def reach(self, request: _Request) -> None:
        verdict = self.upstream.answer(self.now)
        back = self.rng.uniform(0.05, 0.30)
        self.at(self.now + back, lambda: self.respond(request, verdict))

    def respond(self, request: _Request, retry_after: float | None) -> None:
        self.in_flight -= 1
        elapsed = self.now - self.start
        if retry_after is None:
            self.result.accepted += 1
            self.result.accept_times.append(elapsed)
            if self.controller is not None:
                self.controller.on_success(
                    self.now, saturated=request.saturated, sent_at=request.sent_at
                )
        else:
            self.result.throttled += 1
            self.result.throttle_times.append(elapsed)
            self.bucket.pause_until(self.now + retry_after, self.now)
            if self.controller is not None:
                self.controller.on_throttled(self.now, retry_after, sent_at=request.sent_at)
        if self.controller is not None and self.controller.rate != self.bucket.rate:
            self.bucket.set_rate(self.controller.rate, self.now)
            self.result.rates.append((elapsed, self.controller.rate * 60))
        self.dispatch()


def simulate(scenario: Scenario) -> Result:
    """Run ``scenario`` to its end and return what happened."""
    return _Run(scenario).run()
