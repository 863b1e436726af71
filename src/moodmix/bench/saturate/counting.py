"""The client's own count of what it sent upstream: an httpx transport in front of the real one.

::

    tally = Tally(now=lambda: scale.real(loop.time() - started))
    transport = CountingTransport(sim.transport or httpx.AsyncHTTPTransport(), tally)
    ... # a gateway sends through it
    tally.sent, tally.accepted, tally.throttled       # counts
    tally.accepted_at                                  # real-world seconds of each 2xx answer

Counted below every layer of the gateway (retries and a peer's own attempts included), so it
is the figure to hold the simulator's counters against: a request counts as sent when it is
handed to the transport and as answered when its response comes back; one cancelled in
between (a caller gave up, a gateway closed) is ``cancelled``, and the simulator may or may
not have counted it.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Tally:
    """What one client (a gateway, or several in turn) sent and what came back."""

    now: Callable[[], float]
    """Real-world seconds since the run started."""
    sent: int = 0
    cancelled: int = 0
    errors: int = 0
    """Requests that got no answer (the connection failed)."""
    accepted_at: list[float] = field(default_factory=list)
    throttled_at: list[float] = field(default_factory=list)
    other: Counter[int] = field(default_factory=Counter)
    """Answers that were neither 2xx nor 429, by status."""

    @property
    def accepted(self) -> int:
        return len(self.accepted_at)

    @property
    def throttled(self) -> int:
        return len(self.throttled_at)

    @property
    def answered(self) -> int:
        return self.accepted + self.throttled + sum(self.other.values())

    def as_json(self) -> dict[str, Any]:
        """What another process needs to rebuild this tally (``from_json``)."""
        return {
            "sent": self.sent,
            "cancelled": self.cancelled,
            "errors": self.errors,
            "accepted_at": self.accepted_at,
            "throttled_at": self.throttled_at,
            "other": {str(k): v for k, v in self.other.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], now: Callable[[], float]) -> Tally:
        return cls(
            now,
            sent=data["sent"],
            cancelled=data["cancelled"],
            errors=data["errors"],
            accepted_at=list(data["accepted_at"]),
            throttled_at=list(data["throttled_at"]),
            other=Counter({int(k): v for k, v in data["other"].items()}),
        )

    def add(self, other: Tally) -> None:
        """Fold ``other``'s counts into this one (times stay sorted)."""
        self.sent += other.sent
        self.cancelled += other.cancelled
        self.errors += other.errors
        self.accepted_at = sorted(self.accepted_at + other.accepted_at)
        self.throttled_at = sorted(self.throttled_at + other.throttled_at)
        self.other.update(other.other)


class CountingTransport(httpx.AsyncBaseTransport):
    """Counts every request into ``tally`` and hands it to ``inner``."""

    def __init__(self, inner: httpx.AsyncBaseTransport, tally: Tally) -> None:
        self._inner = inner
        self._tally = tally

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        tally = self._tally
        tally.sent += 1
        try:
            response = await self._inner.handle_async_request(request)
        except asyncio.CancelledError:
            tally.cancelled += 1
            raise
        except Exception:
            tally.errors += 1
            raise
        status = response.status_code
        if 200 <= status < 300:
            tally.accepted_at.append(tally.now())
        elif status == 429:
            tally.throttled_at.append(tally.now())
        else:
            tally.other[status] += 1
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
