"""What a trace asks, counted from the trace itself: published next to the figures.

::

    stats = trace_stats(trace)
    stats.distinct_items["track"], stats.repeat_share, stats.working_set_per_hour[20]
    stats.as_json()                         # the JSON's top-level ``trace_stats``
    stats.lines()                           # the text report's lines

Items are what a lookup asks for, by cached kind (``track`` details, audio ``features``); a
lookup repeats when the same item of the same kind was asked earlier in the trace (the most
any cache could answer without a prefetch). Hours and phases are by nominal step time; the
cold phase is the spec's ``cold_s`` (the first hour, or a third of a shorter trace).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from moodmix.bench.popularity import fitted_exponent
from moodmix.bench.workload import ITEM_KIND, StepKind, Trace, nominal_end


@dataclass(frozen=True)
class PhaseStats:
    lookups: int
    """Item lookups (ids asked of track details or audio features) in the phase."""
    distinct_items: int
    repeat_share: float
    """Share of the phase's item lookups of an item asked before, in this phase or earlier."""

    def as_json(self) -> dict[str, Any]:
        return {
            "lookups": self.lookups,
            "distinct_items": self.distinct_items,
            "repeat_share": round(self.repeat_share, 4),
        }


@dataclass(frozen=True)
class TraceStats:
    hours: float
    start_hour: float
    zipf_exponent: float
    """The exponent seed tracks and lone lookups are drawn with (``--zipf``)."""
    fitted_exponent: float
    """The exponent fitted to the top 100 items of all lookups (recommended tracks included,
    which follow the catalog, not the Zipf): a description of the trace, not a parameter."""
    peak_to_trough: float
    sessions: int
    users: int
    returning_share: float
    """Share of sessions by a user who had a session before."""
    peak_concurrent_sessions: int
    """Most sessions between their start and their last stage's nominal time at once."""
    peak_hour_in_flight: float
    """Sessions in flight on average over the busiest hour (session-seconds / its seconds)."""
    recommendations: int
    recommendation_keys: int
    recommendation_repeat_share: float
    lookups: dict[str, int]
    distinct_items: dict[str, int]
    repeat_share: float
    repeat_share_by_kind: dict[str, float]
    delivered_share: float
    """Share of track-details lookups of a track an earlier recommendation returned (its
    details came with it: hits by construction)."""
    follow_up_from_recommendation_share: float
    """Share of ids in follow-up batches that the preceding recommendation returned."""
    sessions_per_hour: tuple[int, ...]
    working_set_per_hour: tuple[int, ...]
    """Distinct items (of either kind) asked in each hour of the trace."""
    cold_s: float
    cold: PhaseStats
    warm: PhaseStats

    def as_json(self) -> dict[str, Any]:
        return {
            "hours": self.hours,
            "start_hour": self.start_hour,
            "zipf_exponent": self.zipf_exponent,
            "fitted_exponent": _rounded(self.fitted_exponent),
            "peak_to_trough": self.peak_to_trough,
            "sessions": self.sessions,
            "users": self.users,
            "returning_share": round(self.returning_share, 4),
            "peak_concurrent_sessions": self.peak_concurrent_sessions,
            "peak_hour_in_flight": round(self.peak_hour_in_flight, 2),
            "recommendations": self.recommendations,
            "recommendation_keys": self.recommendation_keys,
            "recommendation_repeat_share": round(self.recommendation_repeat_share, 4),
            "lookups": self.lookups,
            "distinct_items": self.distinct_items,
            "repeat_share": round(self.repeat_share, 4),
            "repeat_share_by_kind": {k: round(v, 4) for k, v in self.repeat_share_by_kind.items()},
            "delivered_share": round(self.delivered_share, 4),
            "follow_up_from_recommendation_share": round(
                self.follow_up_from_recommendation_share, 4
            ),
            "sessions_per_hour": list(self.sessions_per_hour),
            "working_set_per_hour": list(self.working_set_per_hour),
            "phases": {
                "cold_s": self.cold_s,
                "cold": self.cold.as_json(),
                "warm": self.warm.as_json(),
            },
        }

    def lines(self) -> list[str]:
        """The statistics as a few lines of text."""
        lookups = sum(self.lookups.values())
        distinct = ", ".join(f"{n:,} {kind}" for kind, n in self.distinct_items.items())
        return [
            f"trace: {self.hours:g} h from {_clock(self.start_hour)}, {self.sessions:,} sessions "
            f"by {self.users:,} users ({self.returning_share:.0%} returning), "
            f"{self.peak_hour_in_flight:.1f} in flight on average in the busiest hour, "
            f"{self.peak_concurrent_sessions} at most; Zipf exponent {self.zipf_exponent:g} "
            f"(all lookups fit {self.fitted_exponent:.2f}), peak/trough {self.peak_to_trough:g}",
            f"  {self.recommendations:,} recommendations ({self.recommendation_keys:,} distinct, "
            f"{self.recommendation_repeat_share:.0%} repeats); {lookups:,} item lookups of "
            f"{sum(self.distinct_items.values()):,} distinct items ({distinct}), "
            f"{self.repeat_share:.0%} repeats "
            f"(cold first {self.cold_s / 60:g} min {self.cold.repeat_share:.0%}, "
            f"warm {self.warm.repeat_share:.0%})",
            f"  {self.delivered_share:.0%} of track lookups ask a track a recommendation "
            f"returned earlier; {self.follow_up_from_recommendation_share:.0%} of follow-up ids "
            f"come from the preceding recommendation",
            f"  sessions per hour: {_hourly(self.sessions_per_hour)}",
            f"  working set per hour (distinct items): {_hourly(self.working_set_per_hour)}",
        ]


def trace_stats(trace: Trace) -> TraceStats:
    """Count ``trace``: one pass over its steps in time order."""
    spec = trace.spec
    hours = max(1, math.ceil(spec.duration_s / 3_600))
    lookups: Counter[str] = Counter()
    repeats: Counter[str] = Counter()
    popularity: Counter[tuple[str, str]] = Counter()
    hourly: list[set[tuple[str, str]]] = [set() for _ in range(hours)]
    cold, warm = _PhaseCount(), _PhaseCount()
    delivered: set[str] = set()
    track_lookups = delivered_lookups = 0
    recommendations = 0
    recommendation_seen: set[object] = set()
    recommendation_repeats = 0
    follow_ups = from_recommendation = 0
    last_delivered: dict[int, tuple[str, ...]] = {}
    starts = Counter(min(hours - 1, int(s.start_s // 3_600)) for s in trace.sessions)
    for timed in trace.steps():
        step = timed.step
        if step.kind is StepKind.RECOMMEND:
            recommendations += 1
            key = step.recommendation_key()
            recommendation_repeats += key in recommendation_seen
            recommendation_seen.add(key)
            delivered.update(step.delivers)
            last_delivered[timed.session] = step.delivers
            continue
        kind = ITEM_KIND[step.kind]
        phase = cold if timed.at_s < spec.cold_s else warm
        hour = hourly[min(hours - 1, int(timed.at_s // 3_600))]
        if step.kind in (StepKind.TRACKS, StepKind.FEATURES):
            recent = set(last_delivered.get(timed.session, ()))
            follow_ups += len(step.items)
            from_recommendation += sum(item in recent for item in step.items)
        for item in step.items:
            key_item = (kind, item)
            seen = key_item in popularity
            lookups[kind] += 1
            repeats[kind] += seen
            popularity[key_item] += 1
            hour.add(key_item)
            phase.add(key_item, seen)
            if kind == "track":
                track_lookups += 1
                delivered_lookups += item in delivered
    return TraceStats(
        hours=spec.hours,
        start_hour=spec.start_hour,
        zipf_exponent=spec.zipf,
        fitted_exponent=fitted_exponent(popularity.values()),
        peak_to_trough=spec.peak_to_trough,
        sessions=len(trace.sessions),
        users=len({s.user for s in trace.sessions}),
        returning_share=_returning(trace),
        peak_concurrent_sessions=peak_concurrency(trace),
        peak_hour_in_flight=max(in_flight_per_hour(trace)),
        recommendations=recommendations,
        recommendation_keys=len(recommendation_seen),
        recommendation_repeat_share=_share(recommendation_repeats, recommendations),
        lookups=dict(sorted(lookups.items())),
        distinct_items=dict(sorted(Counter(kind for kind, _ in popularity).items())),
        repeat_share=_share(sum(repeats.values()), sum(lookups.values())),
        repeat_share_by_kind={k: _share(repeats[k], n) for k, n in sorted(lookups.items())},
        delivered_share=_share(delivered_lookups, track_lookups),
        follow_up_from_recommendation_share=_share(from_recommendation, follow_ups),
        sessions_per_hour=tuple(starts[h] for h in range(hours)),
        working_set_per_hour=tuple(len(h) for h in hourly),
        cold_s=spec.cold_s,
        cold=cold.stats(),
        warm=warm.stats(),
    )


class _PhaseCount:
    def __init__(self) -> None:
        self.lookups = 0
        self.repeats = 0
        self.items: set[tuple[str, str]] = set()

    def add(self, item: tuple[str, str], seen: bool) -> None:
        self.lookups += 1
        self.repeats += seen
        self.items.add(item)

    def stats(self) -> PhaseStats:
        return PhaseStats(self.lookups, len(self.items), _share(self.repeats, self.lookups))


def peak_concurrency(trace: Trace) -> int:
    """Most sessions in flight at once, a session counting from its start to its nominal end
    (both included)."""
    events = sorted(
        [(s.start_s, 0) for s in trace.sessions] + [(nominal_end(s), 1) for s in trace.sessions]
    )
    current = peak = 0
    for _, is_end in events:
        current += -1 if is_end else 1
        peak = max(peak, current)
    return peak


def in_flight_per_hour(trace: Trace) -> list[float]:
    """Sessions in flight on average in each hour of the trace (from start to nominal end;
    the last hour may be shorter)."""
    hours = max(1, math.ceil(trace.spec.duration_s / 3_600))
    busy = [0.0] * (hours + 1)
    for session in trace.sessions:
        start, end = session.start_s, nominal_end(session)
        hour = int(start // 3_600)
        while start < end and hour < len(busy):
            stop = min(end, (hour + 1) * 3_600.0)
            busy[hour] += stop - start
            start, hour = stop, hour + 1
    duration = trace.spec.duration_s
    return [busy[h] / min(3_600.0, duration - h * 3_600) for h in range(hours)]


def _returning(trace: Trace) -> float:
    seen: set[int] = set()
    returning = 0
    for session in sorted(trace.sessions, key=lambda s: (s.start_s, s.index)):
        returning += session.user in seen
        seen.add(session.user)
    return _share(returning, len(trace.sessions))


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _rounded(x: float) -> float | None:
    return None if math.isnan(x) else round(x, 3)


def _clock(hour: float) -> str:
    minutes = round(hour * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _hourly(values: tuple[int, ...]) -> str:
    return " ".join(f"{v:,}" for v in values)
