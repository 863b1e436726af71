"""What the simulator has served, for tests, benchmarks and ``GET /_admin/stats``.

::

    counters = Counters()
    counters.record("/v1/track/{id}", 200)
    counters.count("/v1/track/{id}")          # 1 (any status)
    counters.count(status=429)                # across endpoints
    counters.snapshot()["requests"]["by_endpoint"]   # {"/v1/track/{id}": {"200": 1}}
    counters.reset()

Endpoints are route templates (``/v1/track/{id}``), so a thousand ids make one row. A dropped
connection has no status; it is recorded as ``"dropped"``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

Status = int | str
DROPPED = "dropped"


@dataclass
class Counters:
    """Plain counters; the simulator runs on one event loop, so no locking is needed."""

    requests: Counter[tuple[str, Status]] = field(default_factory=Counter)
    rate_limited: int = 0
    """Requests answered 429, blocked ones included."""
    penalty_blocks: int = 0
    """Penalty blocks imposed (not requests refused during one)."""
    ids_requested: int = 0
    ids_returned: int = 0
    faults: Counter[str] = field(default_factory=Counter)

    def record(self, endpoint: str, status: Status) -> None:
        self.requests[(endpoint, status)] += 1

    def record_ids(self, requested: int, returned: int) -> None:
        self.ids_requested += requested
        self.ids_returned += returned

    def count(self, endpoint: str | None = None, status: Status | None = None) -> int:
        """Requests served, optionally only for one endpoint and/or one status."""
        return sum(
            n
            for (where, code), n in self.requests.items()
            if (endpoint is None or where == endpoint) and (status is None or code == status)
        )

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    def reset(self) -> None:
        self.requests.clear()
        self.faults.clear()
        self.rate_limited = self.penalty_blocks = 0
        self.ids_requested = self.ids_returned = 0

    def snapshot(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        by_endpoint: dict[str, dict[str, int]] = {}
        for (endpoint, status), n in sorted(self.requests.items(), key=lambda kv: str(kv[0])):
            by_endpoint.setdefault(endpoint, {})[str(status)] = n
        return {
            "requests": {"total": self.total, "by_endpoint": by_endpoint},
            "rate_limited": self.rate_limited,
            "penalty_blocks": self.penalty_blocks,
            "ids": {"requested": self.ids_requested, "returned": self.ids_returned},
            "faults": {kind: self.faults.get(kind, 0) for kind in _FAULT_KINDS},
        }


_FAULT_KINDS = ("error", "timeout", "malformed", "drop", "throttle", "partial", "extra")
