"""What one saturate run counted, checked against the simulator, and its figures as JSON.

::

    counted = Counted(index=0, tally=Tally(now))          # per instance, filled while it runs
    result = figures(cell, "adaptive", config, [counted], await sim.stats(), wall_s=3.2)
    result["rate_429"], result["quota_utilisation"], result["seconds_to_90pct"]

``check_counts`` raises ``CountsDisagree`` when the client's own count of requests (the
``Tally``) and the simulator's counters or the gateways' metrics differ by more than the
requests cut off in flight: the figures are then not to be trusted, and the run stops.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from moodmix.bench.profiles import BenchProfile
from moodmix.bench.saturate.config import Cell, SaturateConfig, format_schedule
from moodmix.bench.saturate.counting import Tally
from moodmix.bench.saturate.figures import (
    WINDOW_S,
    count_within,
    first_minute_at_fraction,
    seconds_to_fraction,
)
from moodmix.bench.simulators import UpstreamCounts

__all__ = ["Callers", "Counted", "CountsDisagree", "check_counts", "figures"]


class CountsDisagree(RuntimeError):
    """The client's count of requests and the simulator's (or the gateways') differ."""


@dataclass
class Callers:
    """What became of the callers of one instance (or of all, summed)."""

    arrived: int = 0
    served: int = 0
    abandoned: int = 0
    dropped_at_restart: int = 0
    cut_at_end: int = 0
    failed: Counter[str] = field(default_factory=Counter)

    def as_json(self) -> dict[str, Any]:
        return {
            "callers": self.arrived,
            "served": self.served,
            "abandoned": self.abandoned,
            "failed": sum(self.failed.values()),
            "failed_by_error": dict(self.failed),
            "dropped_at_restart": self.dropped_at_restart,
            "cut_at_end": self.cut_at_end,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Callers:
        return cls(
            arrived=data["callers"],
            served=data["served"],
            abandoned=data["abandoned"],
            dropped_at_restart=data["dropped_at_restart"],
            cut_at_end=data["cut_at_end"],
            failed=Counter(data["failed_by_error"]),
        )


@dataclass
class Counted:
    """One instance's counts over the run, across its gateways (one per restart)."""

    index: int
    tally: Tally
    callers: Callers = field(default_factory=Callers)
    gateway_requests: int = 0
    gateway_429: int = 0
    closing: int = 0
    """Requests that may have been mid-answer when a gateway closed (its cap on requests
    in flight, for each close)."""
    learned_rate_per_min: float | None = None

    def as_json(self) -> dict[str, Any]:
        """What an instance in a process of its own hands back (``from_json``)."""
        return {
            "index": self.index,
            "tally": self.tally.as_json(),
            "callers": self.callers.as_json(),
            "gateway_requests": self.gateway_requests,
            "gateway_429": self.gateway_429,
            "closing": self.closing,
            "learned_rate_per_min": self.learned_rate_per_min,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], now: Callable[[], float]) -> Counted:
        return cls(
            data["index"],
            Tally.from_json(data["tally"], now),
            Callers.from_json(data["callers"]),
            gateway_requests=data["gateway_requests"],
            gateway_429=data["gateway_429"],
            closing=data["closing"],
            learned_rate_per_min=data["learned_rate_per_min"],
        )


def check_counts(
    total: Tally, counts: UpstreamCounts, gateway_requests: int, gateway_429: int, closing: int
) -> None:
    """``CountsDisagree`` unless the client's, the simulator's and the gateways' counts agree:
    the simulator's up to the requests cancelled in flight (which it may not have answered),
    the gateways' metrics also up to ``closing``, the requests that may have been between the
    transport and the metrics (their body being read) when a gateway closed."""
    slack = total.cancelled + total.errors
    problems = []
    if not total.answered <= counts.requests <= total.answered + slack:
        problems.append(
            f"the simulator counted {counts.requests:,} requests, the client {total.answered:,} "
            f"answered (+{slack:,} cancelled or failed in flight)"
        )
    if not total.throttled <= counts.rate_limited <= total.throttled + slack:
        problems.append(
            f"the simulator refused {counts.rate_limited:,} with 429, the client saw "
            f"{total.throttled:,} (+{slack:,} cancelled in flight)"
        )
    if not total.answered - closing <= gateway_requests <= total.answered + slack:
        problems.append(
            f"the gateways' metrics count {gateway_requests:,} requests, the client "
            f"{total.answered:,} answered"
        )
    if not total.throttled - closing <= gateway_429 <= total.throttled + slack:
        problems.append(f"the gateways count {gateway_429:,} 429s, the client {total.throttled:,}")
    if problems:
        raise CountsDisagree("; ".join(problems))


def figures(
    cell: Cell,
    profile: BenchProfile,
    config: SaturateConfig,
    instances: Sequence[Counted],
    counts: UpstreamCounts,
    wall_s: float,
) -> dict[str, Any]:
    total = Tally(instances[0].tally.now)
    callers = Callers()
    for instance in instances:
        total.add(instance.tally)
        c = instance.callers
        callers.arrived += c.arrived
        callers.served += c.served
        callers.abandoned += c.abandoned
        callers.dropped_at_restart += c.dropped_at_restart
        callers.cut_at_end += c.cut_at_end
        callers.failed.update(c.failed)
    check_counts(
        total,
        counts,
        sum(i.gateway_requests for i in instances),
        sum(i.gateway_429 for i in instances),
        sum(i.closing for i in instances),
    )
    duration = config.duration_s
    accepted_in_run = count_within(total.accepted_at, 0.0, duration + 1e-9)
    allowed = cell.allowed(0.0, duration)
    result: dict[str, Any] = {
        "profile": profile,
        "upstream_rate_per_min": cell.rate_per_min,
        "upstream_burst": cell.burst,
        "rate_schedule": format_schedule(cell.schedule) or None,
        "demand_factor": config.demand_factor,
        "hours": config.hours,
        "instances": config.instances,
        "clock": config.clock,
        "rate_429": round(total.throttled / total.answered, 5) if total.answered else 0.0,
        "quota_utilisation": round(accepted_in_run / allowed, 5),
        "seconds_to_90pct": seconds_to_fraction(total.accepted_at, limit_at=cell.limit_at),
        "first_90pct_minute_starts_s": first_minute_at_fraction(
            total.accepted_at, limit_at=cell.limit_at, until=duration
        ),
        "sent": total.sent,
        "accepted": total.accepted,
        "throttled": total.throttled,
        "other_answers": {str(k): v for k, v in sorted(total.other.items())},
        "cancelled_in_flight": total.cancelled,
        "no_answer": total.errors,
        "in_flight_at_end": total.sent - total.answered - total.cancelled - total.errors,
        "simulator_requests": counts.requests,
        "simulator_429": counts.rate_limited,
        "gateway_requests": sum(i.gateway_requests for i in instances),
        "allowed": round(allowed, 1),
        "accepted_in_run": accepted_in_run,
        **callers.as_json(),
        "accepted_unserved": max(0, total.accepted - callers.served),
        "learned_rate_per_min": _learned(instances),
        "wall_s": round(wall_s, 2),
    }
    if config.restart_after_s is not None:
        result["restart_after_s"] = config.restart_after_s
        result["seconds_to_90pct_after_restart"] = seconds_to_fraction(
            total.accepted_at, limit_at=cell.limit_at, origin=config.restart_after_s
        )
        result["first_90pct_minute_starts_after_restart_s"] = first_minute_at_fraction(
            total.accepted_at, limit_at=cell.limit_at, origin=config.restart_after_s, until=duration
        )
    if cell.schedule:
        result["changes"] = _changes(cell, total, duration)
    if config.instances > 1:
        result["per_instance"] = [
            {
                "instance": i.index,
                **i.callers.as_json(),
                "sent": i.tally.sent,
                "accepted": i.tally.accepted,
                "throttled": i.tally.throttled,
                "learned_rate_per_min": i.learned_rate_per_min,
            }
            for i in instances
        ]
    return result


def _learned(instances: Sequence[Counted]) -> float | None:
    rates = [i.learned_rate_per_min for i in instances if i.learned_rate_per_min is not None]
    return round(rates[0], 2) if rates else None


def _changes(cell: Cell, total: Tally, duration: float) -> list[dict[str, Any]]:
    """Per change of the limit: 429s in the minute after a cut, time to 90% of a raise."""
    out: list[dict[str, Any]] = []
    moved = cell.changes()
    for n, change in enumerate(moved):
        before = cell.limit_at(change.at_s - 1e-9) if change.at_s > 0 else cell.rate_per_min
        until = moved[n + 1].at_s if n + 1 < len(moved) else duration
        entry: dict[str, Any] = {
            "at_s": change.at_s,
            "from_per_min": before,
            "to_per_min": change.rate_per_min,
        }
        if change.rate_per_min < before:
            entry["throttled_within_60s"] = count_within(
                total.throttled_at, change.at_s, change.at_s + WINDOW_S
            )
        else:
            entry["seconds_to_90pct"] = seconds_to_fraction(
                total.accepted_at, limit_at=cell.limit_at, origin=change.at_s, until=until
            )
        out.append(entry)
    return out
