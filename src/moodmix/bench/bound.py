"""The fewest upstream requests any gateway could have made for a trace.

Every distinct recommendation request costs one request, and again when asked after its TTL
since it was last fetched. Every item (track details, audio features) must arrive once, and again
when asked after its TTL; the tracks a recommendation returns arrive with it, so their details
cost nothing more. Ids ReccoBeats does not know cost one lookup per "missing" TTL, whatever the
kind. Items of a kind travel in batches of 40, ideally packed across the whole run::

    ttls = BoundTTLs.from_settings(Settings(profile="adaptive"))
    bound = lower_bound(trace.steps(), ttls)
    bound.requests            # recommendations + sum over kinds of ceil(items / 40)
    bound.items               # {"track": 120, "features": 800}

The adaptive profile's TTLs make the bound (the longest TTLs give the fewest requests).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import astuple, dataclass, field
from typing import Any

from moodmix.bench.workload import ITEM_KIND, StepKind, TimedStep
from moodmix.reccobeats.ids import MAX_BATCH_IDS, is_spotify_id
from moodmix.settings import Settings


@dataclass(frozen=True)
class BoundTTLs:
    """TTLs in the trace's (real-world) seconds."""

    recommendations: float
    track: float
    features: float
    missing: float

    @classmethod
    def from_settings(cls, settings: Settings) -> BoundTTLs:
        return cls(
            recommendations=settings.ttl_recommendations_s,
            track=settings.ttl_tracks_s,
            features=settings.ttl_features_s,
            missing=settings.ttl_registry_missing_s,
        )

    def scaled(self, factor: float) -> BoundTTLs:
        """The same TTLs ``factor`` times as long: a time-scaled profile's wall TTLs back to
        the trace's real-world seconds."""
        return BoundTTLs(*(ttl * factor for ttl in astuple(self)))

    def for_kind(self, kind: str) -> float:
        ttl: float = getattr(self, kind)
        return ttl


@dataclass(frozen=True)
class LowerBound:
    recommendations: int
    items: dict[str, int] = field(default_factory=dict)
    batch_size: int = MAX_BATCH_IDS

    @property
    def requests(self) -> int:
        batches = sum(math.ceil(n / self.batch_size) for n in self.items.values())
        return self.recommendations + batches

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "recommendations": self.recommendations,
            "items": dict(self.items),
        }


class _Freshness:
    """When each key was last fetched, and whether it is still fresh at a given time."""

    def __init__(self) -> None:
        self._fetched: dict[Hashable, float] = {}

    def fresh(self, key: Hashable, at: float, ttl: float) -> bool:
        last = self._fetched.get(key)
        return last is not None and at - last < ttl

    def fetched(self, key: Hashable, at: float) -> None:
        self._fetched[key] = at


def lower_bound(
    steps: Iterable[TimedStep], ttls: BoundTTLs, *, batch_size: int = MAX_BATCH_IDS
) -> LowerBound:
    """The bound for ``steps``, taken in time order."""
    fresh = _Freshness()
    recommendations = 0
    items: Counter[str] = Counter()
    for timed in sorted(steps, key=lambda t: t.at_s):
        step, at = timed.step, timed.at_s
        if step.kind is StepKind.RECOMMEND:
            question = ("recommendations", step.recommendation_key())
            if not fresh.fresh(question, at, ttls.recommendations):
                recommendations += 1
                fresh.fetched(question, at)
                for track in step.delivers:
                    fresh.fetched(("track", track), at)
            continue
        kind = ITEM_KIND[step.kind]
        for item in dict.fromkeys(step.items):
            if is_spotify_id(item):
                key, ttl = ("missing", item), ttls.missing
            else:
                key, ttl = (kind, item), ttls.for_kind(kind)
            if not fresh.fresh(key, at, ttl):
                items[kind] += 1
                fresh.fetched(key, at)
    return LowerBound(recommendations, dict(items), batch_size)
