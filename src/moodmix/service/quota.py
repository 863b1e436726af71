"""Each client's share of the upstream quota, so one client cannot starve the others.

Upstream requests are charged to the client on whose behalf they are sent (a
``ContextVar`` carries who that is into the gateway's tasks); a client that used more than its
share over the last window is refused until enough of its requests age out::

    quota = ClientQuota(share=0.5, window_s=60, rate_per_min=lambda: 80.0)
    with quota.acting_for("ip:10.0.0.7"):
        await gateway.get_tracks(ids)           # each upstream request is charged to it
    refusal = quota.check("ip:10.0.0.7")        # None, or why and for how long
    if refusal:
        refusal.retry_after, refusal.reason

A client alone may use the whole quota (the rate over the window, plus the limiter's
``burst``: all the limiter lets through); once others used the upstream in the window too,
each gets ``share`` of the rate. Cached answers cost nothing and are never refused for quota.
"""

from __future__ import annotations

import contextlib
import math
from collections import deque
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from moodmix.clock import Clock, monotonic

_acting_for: ContextVar[str | None] = ContextVar("moodmix_service_client", default=None)


@dataclass(frozen=True)
class Refusal:
    """Why a client is refused, and when trying again makes sense (seconds)."""

    retry_after: float
    reason: str


class ClientQuota:
    """Upstream requests per client over a sliding window, against a share of the rate."""

    def __init__(
        self,
        *,
        share: float,
        window_s: float,
        rate_per_min: Callable[[], float],
        burst: int = 0,
        clock: Clock = monotonic,
    ) -> None:
        if not 0 < share <= 1:
            raise ValueError(f"share must be in (0, 1], got {share!r}")
        if window_s <= 0:
            raise ValueError(f"window_s must be positive, got {window_s!r}")
        self.share = share
        self.window_s = window_s
        self._rate_per_min = rate_per_min
        self.burst = burst
        self._clock = clock
        self._used: dict[str, deque[float]] = {}

    @contextlib.contextmanager
    def acting_for(self, client: str) -> Iterator[None]:
        """Charge upstream requests sent inside the block (and tasks it starts) to ``client``."""
        token = _acting_for.set(client)
        try:
            yield
        finally:
            _acting_for.reset(token)

    def record(self) -> None:
        """One upstream request was sent; charge it to the client acting now, if any."""
        client = _acting_for.get()
        if client is not None:
            self._used.setdefault(client, deque()).append(self._clock())

    def used(self, client: str) -> int:
        """Upstream requests charged to ``client`` in the current window."""
        self._expire(self._clock())
        return len(self._used.get(client, ()))

    def allowance(self, client: str) -> float:
        """Upstream requests ``client`` may use per window right now."""
        self._expire(self._clock())
        full = self._rate_per_min() * self.window_s / 60
        others = any(c != client for c in self._used)
        return max(1.0, full * self.share if others else full + self.burst)

    def check(self, client: str) -> Refusal | None:
        """``None`` if ``client`` is within its share, else a ``Refusal``."""
        now = self._clock()
        allowance = self.allowance(client)
        used = self._used.get(client)
        if used is None or len(used) < allowance:
            return None
        # Wait until enough of its requests age out to be under the allowance again.
        oldest_to_go = used[len(used) - math.ceil(allowance)]
        retry_after = max(1.0, math.ceil(oldest_to_go + self.window_s - now))
        others = len(self._used) - 1
        return Refusal(
            retry_after,
            f"this client used {len(used)} upstream requests in the last {self.window_s:g} s; "
            f"its share is {allowance:.0f} ({self.share:.0%} of the upstream quota of "
            f"{self._rate_per_min():.0f}/min, shared with {others} other "
            f"client{'s' if others != 1 else ''}); cached results stay available",
        )

    def clients(self) -> dict[str, int]:
        """Upstream requests per client in the current window."""
        self._expire(self._clock())
        return {client: len(used) for client, used in self._used.items()}

    def _expire(self, now: float) -> None:
        cutoff = now - self.window_s
        for client in list(self._used):
            used = self._used[client]
            while used and used[0] <= cutoff:
                used.popleft()
            if not used:
                del self._used[client]
