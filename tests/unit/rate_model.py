"""A deterministic model of a paced client against a rate-limited upstream, on virtual time.

The parts are the real ones: ``Scheduler`` with a ``TokenBucket`` and an ``AdaptiveRate``
(or a fixed rate), and for the upstream the simulator's own ``RateLimiter`` (a token bucket
answering 429 with a rounded-up Retry-After). Only the network is modelled: a request reaches
the upstream the moment it leaves (as with the bench's in-process simulator) and its answer
comes back after a seeded latency. Time is ``bench.virtual``'s loop, so an hour of traffic
takes about a second::

    result = simulate(Scenario(limit=55, burst=4, demand_factor=2.0, minutes=60))
    result.utilisation, result.throttle_share, result.seconds_to(0.9)

Demand is either *open* (callers arrive at random, ``demand_factor`` times the limit in force
as in the bench, and give up after ``patience`` seconds) or *closed* (``callers`` callers that
each wait for their answer before asking again), optionally through a ``LateBatcher``
(``batch``: many callers' keys in one request). With ``instances`` > 1 that many processes,
each a ``Scheduler`` with its own ``AdaptiveRate``, draw from one ``MemoryBudget`` through
``SharedBucket``s (as the bench's instances share one), and the callers go to them in turn.
"""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from moodmix.bench.virtual import virtual_runner
from moodmix.coordination import MemoryBudget
from moodmix.resilience.adaptive import AdaptiveRate, Learned
from moodmix.resilience.latebatch import LateBatcher, Take
from moodmix.resilience.limiter import Limiter
from moodmix.resilience.scheduler import Scheduler
from moodmix.resilience.sharedlimit import SharedBucket
from moodmix.resilience.tokenbucket import TokenBucket
from moodmix.simulator.limits import RateLimiter, RatePolicy


@dataclass(frozen=True)
class Scenario:
    """One run. Rates are per minute; ``schedule`` is ((minute, new limit), ...)."""

    limit: float
    burst: int
    minutes: float = 60.0
    demand_factor: float = 2.0
    callers: int = 0
    """Closed demand: this many callers each waiting on its answer (0: open demand)."""
    batch: int = 0
    """Keys per request through a ``LateBatcher`` (0: one key a request, no batcher)."""
    schedule: tuple[tuple[float, float], ...] = ()
    initial: float = 80.0
    adaptive: bool = True
    resume: tuple[Learned, float] | None = None
    """Start from this learnt state of this age in seconds, as a restarted process would."""
    seed: int = 1
    patience: float = 60.0
    latency: float = 0.015
    max_concurrency: int = 6
    client_burst: int = 2
    """The client bucket's own burst: the adaptive profile's."""
    retry_after_resolution: float = 1.0
    instances: int = 1
    """Processes sharing one budget (``SharedBucket`` over ``MemoryBudget``) when > 1."""


@dataclass
class Result:
    scenario: Scenario
    accept_times: list[float] = field(default_factory=list)
    throttle_times: list[float] = field(default_factory=list)
    abandoned: int = 0
    rates: list[tuple[float, float]] = field(default_factory=list)
    """(seconds since start, allowed rate per minute) at every change."""
    controller: AdaptiveRate | None = None

    @property
    def accepted(self) -> int:
        return len(self.accept_times)

    @property
    def throttled(self) -> int:
        return len(self.throttle_times)

    @property
    def throttle_share(self) -> float:
        sent = self.accepted + self.throttled
        return self.throttled / sent if sent else 0.0

    def limit_at(self, t: float) -> float:
        """The upstream's limit per minute at run time ``t`` seconds."""
        limit = self.scenario.limit
        for minute, new in self.scenario.schedule:
            if t >= minute * 60:
                limit = new
        return limit

    def allowed(self, start: float, end: float) -> float:
        """Requests the limit allowed between two run times (seconds), burst aside."""
        edges = [start, *(m * 60 for m, _ in self.scenario.schedule if start < m * 60 < end), end]
        return sum((b - a) * self.limit_at(a) / 60 for a, b in itertools.pairwise(edges))

    @property
    def utilisation(self) -> float:
        return self.accepted / self.allowed(0.0, self.scenario.minutes * 60)

    def seconds_to(self, share: float, since: float = 0.0) -> float | None:
        """Seconds after ``since`` until the accepted count over a sliding minute first
        reaches ``share`` of the limit then in force; None if never."""
        times = [t for t in self.accept_times if t >= since]
        start = 0
        for end, t in enumerate(times):
            while times[start] <= t - 60:
                start += 1
            if t - since >= 60 and end - start + 1 >= share * self.limit_at(t):
                return t - since
        return None

    def throttled_between(self, start: float, end: float) -> int:
        return sum(1 for t in self.throttle_times if start <= t < end)

    def accepted_between(self, start: float, end: float) -> int:
        return sum(1 for t in self.accept_times if start <= t < end)


class _Run:
    def __init__(self, scenario: Scenario) -> None:
        self.s = scenario
        self.rng = random.Random(scenario.seed)
        self.result = Result(scenario)
        self.keys = itertools.count()

    async def run(self) -> Result:
        s = self.s
        loop = asyncio.get_running_loop()
        self.start = loop.time()
        clock = loop.time
        self.upstream = RateLimiter(
            RatePolicy(s.limit / 60, s.burst, retry_after_resolution=s.retry_after_resolution),
            clock=clock,
        )
        initial = s.initial / 60
        budget = MemoryBudget(clock=clock) if s.instances > 1 else None
        self.schedulers: list[Scheduler] = []
        self.buckets: list[SharedBucket] = []
        for _ in range(max(s.instances, 1)):
            controller = AdaptiveRate(initial, clock=clock) if s.adaptive else None
            if controller is not None and s.resume is not None:
                controller.resume(*s.resume)
            rate = controller.rate if controller is not None else initial
            limiter: Limiter
            if budget is None:
                limiter = TokenBucket(rate, s.client_burst, clock=clock)
            else:
                limiter = SharedBucket(
                    budget, rate, s.client_burst, controller=controller, clock=clock
                )
                self.buckets.append(limiter)
            self.schedulers.append(
                Scheduler(limiter, s.max_concurrency, clock=clock, controller=controller)
            )
        self.scheduler = self.schedulers[0]
        controller = self.scheduler.controller
        rate = self.scheduler.limiter.rate
        self.result.controller = controller
        self.result.rates.append((0.0, rate * 60))
        self.batcher: LateBatcher[int, bool] | None = (
            LateBatcher(self._send_batch, max_batch=s.batch) if s.batch else None
        )
        tasks = [loop.create_task(self._limits())]
        if s.callers:
            tasks += [loop.create_task(self._caller()) for _ in range(s.callers)]
        else:
            tasks.append(loop.create_task(self._arrivals()))
        await asyncio.sleep(s.minutes * 60)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.batcher is not None:
            await self.batcher.aclose()
        for bucket in self.buckets:
            await bucket.aclose()
        return self.result

    def _elapsed(self) -> float:
        return asyncio.get_running_loop().time() - self.start

    async def _limits(self) -> None:
        for minute, limit in self.s.schedule:
            await asyncio.sleep(max(0.0, minute * 60 - self._elapsed()))
            policy = self.upstream.policy
            self.upstream.reconfigure(
                RatePolicy(
                    limit / 60, policy.burst, retry_after_resolution=policy.retry_after_resolution
                )
            )
        await asyncio.Future()

    async def _arrivals(self) -> None:
        loop = asyncio.get_running_loop()
        callers: set[asyncio.Task[None]] = set()
        try:
            while True:
                per_s = self.s.demand_factor * self.result.limit_at(self._elapsed()) / 60
                await asyncio.sleep(self.rng.expovariate(per_s))
                task = loop.create_task(self._patient_ask())
                callers.add(task)
                task.add_done_callback(callers.discard)
        finally:
            for task in list(callers):
                task.cancel()
            await asyncio.gather(*callers, return_exceptions=True)

    async def _patient_ask(self) -> None:
        try:
            async with asyncio.timeout(self.s.patience):
                await self._ask()
        except TimeoutError:
            self.result.abandoned += 1

    async def _caller(self) -> None:
        while True:
            await self._ask()

    async def _ask(self) -> None:
        key = next(self.keys)
        if self.batcher is not None:
            await self.batcher.get_many([key])
        else:
            scheduler = self.schedulers[key % len(self.schedulers)]
            await self._send_batch(lambda: [key], scheduler)

    async def _send_batch(
        self, take: Take[int], scheduler: Scheduler | None = None
    ) -> Mapping[int, bool]:
        while True:
            async with (scheduler or self.scheduler).slot() as slot:
                keys = take()
                verdict = self.upstream.check("client")
                # The outcome is the upstream's, whether or not the caller waits for it.
                if verdict.allowed:
                    self.result.accept_times.append(self._elapsed())
                    slot.succeeded()
                else:
                    self.result.throttle_times.append(self._elapsed())
                    slot.throttled(verdict.retry_after)
                self._note_rate()
                await asyncio.sleep(self.s.latency * (0.5 + self.rng.random()))
                if verdict.allowed:
                    return dict.fromkeys(keys, True)

    def _note_rate(self) -> None:
        rate = self.scheduler.limiter.rate * 60
        if rate != self.result.rates[-1][1]:
            self.result.rates.append((self._elapsed(), rate))


def simulate(scenario: Scenario) -> Result:
    """Run ``scenario`` to its end on virtual time and return what happened."""
    with virtual_runner() as runner:
        return runner.run(_Run(scenario).run())


if __name__ == "__main__":  # pragma: no cover - a table of the grid, for tuning
    import sys
    import time

    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    for limit in (20, 55, 80, 110, 300, 600):
        for burst in (1, 4, 10):
            began = time.perf_counter()
            r = simulate(Scenario(limit=limit, burst=burst, minutes=minutes))
            print(
                f"{limit:>4}/min b{burst:<2} util {r.utilisation:6.3f} 429 {r.throttle_share:6.3%}"
                f" ({r.throttled:>3}) t90 {r.seconds_to(0.9)!s:>8} final {r.rates[-1][1]:7.1f}"
                f"  [{time.perf_counter() - began:4.1f}s]",
                flush=True,
            )
