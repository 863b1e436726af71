"""The saturate workload's figures, from the times of accepted and refused requests.

Pure functions over sorted lists of real-world seconds since the run started::

    seconds_to_fraction(accepted, limit_at=lambda t: 80.0)          # 57.1, or None if never
    seconds_to_fraction(accepted, limit_at=cell.limit_at, origin=1_800.0)  # after a restart
    count_within(throttled, 600.0, 660.0)                           # 429s in a minute after a cut

``seconds_to_fraction`` is the first time the accepted requests in the sliding window
``(t - 60, t]`` reach ``fraction`` of the limit in force at ``t``, in seconds from ``origin``.
Only requests accepted after ``origin`` count: after a restart the window would otherwise
still hold the minute before it, and the figure would say 0 s whatever the new gateway did.
From a cold start (origin 0) that changes nothing.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence

WINDOW_S = 60.0
FRACTION = 0.9


def seconds_to_fraction(
    accepted: Sequence[float],
    *,
    limit_at: Callable[[float], float],
    origin: float = 0.0,
    until: float | None = None,
    fraction: float = FRACTION,
    window_s: float = WINDOW_S,
) -> float | None:
    """Seconds from ``origin`` until the accepted requests of one ``window_s`` first reach
    ``fraction`` of ``limit_at(t)`` (requests per minute, scaled to the window); ``None`` if
    that never happens before ``until``. ``accepted`` must be sorted."""
    first = bisect.bisect_right(accepted, origin)
    left = first
    for i in range(first, len(accepted)):
        t = accepted[i]
        if until is not None and t > until:
            break
        while accepted[left] <= t - window_s:
            left += 1
        if i - left + 1 >= fraction * limit_at(t) * window_s / 60:
            return round(t - origin, 3)
    return None


def first_minute_at_fraction(
    accepted: Sequence[float],
    *,
    limit_at: Callable[[float], float],
    origin: float = 0.0,
    until: float | None = None,
    fraction: float = FRACTION,
    window_s: float = WINDOW_S,
) -> float | None:
    """Seconds from ``origin`` to the start of the first whole ``window_s`` after it holding
    ``fraction`` of the limit (in force at the window's end); ``None`` if none ends before
    ``until``. ``seconds_to_fraction`` times the same kind of window by its end, so a client
    at the limit from the first second scores about 54 s there and 0 s here."""
    first = bisect.bisect_right(accepted, origin)
    starts = [origin] + [t - window_s for t in accepted[first:] if t - window_s > origin]
    for start in starts:
        end = start + window_s
        if until is not None and end > until:
            break
        held = bisect.bisect_right(accepted, end) - bisect.bisect_right(accepted, start)
        if held >= fraction * limit_at(end) * window_s / 60:
            return round(start - origin, 3)
    return None


def count_within(times: Sequence[float], start: float, end: float) -> int:
    """How many of the sorted ``times`` fall in ``[start, end)``."""
    return bisect.bisect_left(times, end) - bisect.bisect_left(times, start)
