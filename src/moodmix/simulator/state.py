"""What a running simulator holds: catalog, config, rate limiter, latency, faults, counters.

::

    state = SimulatorState(SimulatorConfig(rate_per_min=60, burst=5), Catalog.build())
    state.start()                                      # a rate schedule's offsets count from here
    state.reconfigure(state.config.with_changes(error_rate=0.1))  # only RUNTIME_FIELDS
    state.reset()                                                 # counters and buckets
    state.uptime_s, state.rate_in_force_per_min        # where a rate schedule has got to
    app[STATE] = state                                 # handlers read request.app[STATE]
"""

from __future__ import annotations

import asyncio
import random
from typing import Final

from aiohttp import web

from moodmix.clock import Clock, monotonic
from moodmix.simulator.catalog import Catalog
from moodmix.simulator.config import RUNTIME_FIELDS, SimulatorConfig
from moodmix.simulator.counters import Counters
from moodmix.simulator.faults import FaultInjector, FaultRates, LatencyModel
from moodmix.simulator.limits import RateLimiter, RatePolicy


class SimulatorState:
    """Everything a running simulator holds: catalog, config, limiter, faults, counters."""

    def __init__(self, config: SimulatorConfig, catalog: Catalog, *, clock: Clock = monotonic):
        self.catalog = catalog
        self.counters = Counters()
        self.stopping = asyncio.Event()
        """Set on shutdown, so requests held by a timeout fault end at once."""
        self._rng = random.Random(config.seed)
        self._config = config
        self._clock = clock
        self.limiter = RateLimiter(_policy(config), clock=clock)
        self.latency = LatencyModel(config.latency_ms, config.latency_p99_ms, rng=self._rng)
        self.faults = FaultInjector(_rates(config), rng=self._rng)

    @property
    def config(self) -> SimulatorConfig:
        return self._config

    @property
    def rng(self) -> random.Random:
        return self._rng

    def start(self) -> None:
        """Start the rate schedule's time now (``SimulatorServer.start`` does); without this,
        it starts at the first request or change (building a state never reads its clock)."""
        self.limiter.start()

    @property
    def uptime_s(self) -> float:
        """Seconds since the simulator started, on its clock: the rate schedule's time."""
        return self._clock() - self.limiter.origin

    @property
    def rate_in_force_per_min(self) -> float:
        """The limit now: the rate schedule's current step, or ``rate_per_min``."""
        return self._config.rate_at(self.uptime_s)

    def reconfigure(self, config: SimulatorConfig) -> None:
        """Switch to ``config``; only ``RUNTIME_FIELDS`` may differ from the current one.

        A new rate schedule's offsets count from when the simulator started, not from now."""
        fixed = {
            name
            for name in SimulatorConfig.model_fields
            if name not in RUNTIME_FIELDS and getattr(config, name) != getattr(self._config, name)
        }
        if fixed:
            raise ValueError(f"{', '.join(sorted(fixed))} cannot be changed at runtime")
        self.limiter.reconfigure(_policy(config))
        self.latency = LatencyModel(config.latency_ms, config.latency_p99_ms, rng=self._rng)
        self.faults = FaultInjector(_rates(config), rng=self._rng)
        self._config = config

    def reset(self) -> None:
        """Zero the counters and forget every client's bucket (a rate schedule goes on)."""
        self.counters.reset()
        self.limiter.reset()


def _policy(config: SimulatorConfig) -> RatePolicy:
    return RatePolicy(
        rate_per_s=config.rate_per_s,
        burst=config.burst,
        penalty_after=config.penalty_after,
        penalty_s=config.penalty_s,
        retry_after_resolution=config.retry_after_resolution,
        schedule=tuple((step.at_s, step.rate_per_min / 60.0) for step in config.rate_schedule),
    )


def _rates(config: SimulatorConfig) -> FaultRates:
    return FaultRates(
        error=config.error_rate,
        timeout=config.timeout_rate,
        malformed=config.malformed_rate,
        drop=config.drop_rate,
        throttle=config.throttle_rate,
        partial=config.partial_rate,
        extra=config.extra_rate,
    )


STATE: Final = web.AppKey("moodmix_simulator_state", SimulatorState)
"""Where the application keeps its ``SimulatorState``."""
