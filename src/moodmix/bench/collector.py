"""The cyclic garbage collector, calmed for a worker process that runs benchmark jobs.

A virtual-time job (a lookups lane, a saturate cell) makes tens of thousands of short-lived
tasks, futures, models and cache entries while its caches grow, and with CPython's default
thresholds (a first-generation pass every 700 allocations, full passes over a heap holding
the trace and the catalog) the collector took a large share of its CPU: a fifth of a
lookups lane, over half a saturate job. Once a worker holds what every job shares::

    calm_collector()    # collect once, freeze what exists, collect young garbage less often

Nothing a job measures depends on when garbage goes: the figures are the same either way.
"""

from __future__ import annotations

import gc
from typing import Final

__all__ = ["YOUNG_THRESHOLD", "calm_collector"]

YOUNG_THRESHOLD: Final = 50_000
"""Allocations between first-generation passes (CPython's default: 700)."""


def calm_collector() -> None:
    """Collect once, keep what exists now out of later collections (``gc.freeze``), and
    collect the youngest generation every ``YOUNG_THRESHOLD`` allocations."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, 20, 100)
