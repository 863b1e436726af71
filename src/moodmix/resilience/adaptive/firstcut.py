"""The first cut: how far to drop when the first 429s show the limit is below the start rate.

Before any 429 has been measured (no floor, no rate accepted between two 429s), halving on
each 429 would cost, from a start four times the limit, a 429 at 1/1, at 1/2 and often at
1/4. The answer's ``Retry-After`` says more. A token bucket
answers a 429 with the time until its next token (the simulator's ``RateLimiter`` and most
gateways, rounded up to whole seconds), and that time is never more than one refill interval
``1 / limit``. AWS's adaptive retry mode and BBR both take a rate from what the server
reveals rather than from blind halving; here the reading is::

    cut = first_cut(80 / 60, retry_after=3.0)   # a 429 at 80/min said "next token in 3 s"
    cut.rate * 60, cut.ceiling * 60              # (19.6, 30.0): send at 19.6/min, limit < 30/min
    first_cut(80 / 60, retry_after=1.0).rate * 60   # 40.0: says nothing, halve

* **A ceiling.** A whole-second ``Retry-After`` of ``n >= 2`` means the wait was over
  ``n - 1`` seconds (rounded up; rounded to nearest or down it was longer), so the refill
  interval is too and the limit is under ``1 / (n - 1)``. Finer values are not read as a
  ceiling: their rounding is unknown.
* **A rate.** Right after an accepted request the bucket is empty and the wait is about one
  refill interval, so ``1 / Retry-After`` is the natural guess at the limit; the rate goes
  2% under it, as a 429 at the guess (no floor yet) would halve again. It is only a guess
  (a later request in the interval sees a shorter wait), so the cut never goes below
  a quarter of the rate that failed (two halvings, where blind halving would have gone after
  one more 429) and never above half of it (one halving).

Only the controller's cold start uses this (``AdaptiveRate`` before anything was measured):
once a floor or a measured rate exists, they say more than one rounded ``Retry-After``, and a
limit that moves later is followed by the controller's own cut and watch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

_HALF = 0.5
_LOWEST = 0.25
_MARGIN = 0.98
"""Under the guess: at exactly a limit with a burst of 1, the least jitter draws a 429."""


@dataclass(frozen=True)
class Cut:
    """Where to go after an unmeasured 429: ``rate`` to send at and a ``ceiling`` (per
    second; ``math.inf`` when the answer gave none)."""

    rate: float
    ceiling: float


def first_cut(failed: float, retry_after: float) -> Cut:
    """The rate and ceiling after a 429 at ``failed`` per second that said ``retry_after``."""
    rate = failed * _HALF
    ceiling = math.inf
    if retry_after > 0 and (guess := max(1.0 / retry_after, failed * _LOWEST)) < rate:
        rate = guess * _MARGIN
    if retry_after >= 2 and float(retry_after).is_integer():
        ceiling = 1.0 / (retry_after - 1)
    return Cut(rate=rate, ceiling=ceiling if ceiling > rate else math.inf)
