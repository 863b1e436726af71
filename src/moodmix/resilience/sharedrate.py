"""``SharedAdaptiveRate``: the adaptive controller for a rate shared by several processes.

Each of N processes drawing from one budget sees about 1/N of the answers, so alone its
controller would gather evidence for a higher rate N times more slowly than one process
serving the same traffic (and its measure of what the upstream accepted would be 1/N of the
truth). This one counts each saturated success ``processes()`` times, standing in for the
successes the other processes saw meanwhile; a 429 counts once, as it is one answer about
the one shared rate::

    control = SharedAdaptiveRate(80 / 60)
    bucket = SharedBucket(budget, 80 / 60, controller=control)
    control.processes = lambda: bucket.live
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moodmix.resilience.adaptive import AdaptiveRate


class SharedAdaptiveRate(AdaptiveRate):
    """``AdaptiveRate`` whose successes count for every live process."""

    def __init__(self, initial_rate: float, **options: Any) -> None:
        super().__init__(initial_rate, **options)
        self.processes: Callable[[], int] = lambda: 1
        """How many processes share the rate now (heartbeats); set by the shared bucket's owner."""

    def on_success(
        self, now: float | None = None, *, saturated: bool, sent_at: float | None = None
    ) -> float:
        rate = self.rate
        for _ in range(max(1, self.processes())):
            rate = super().on_success(now, saturated=saturated, sent_at=sent_at)
        return rate
