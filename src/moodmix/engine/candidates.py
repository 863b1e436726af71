"""Candidates: recommendations for the seeds, steered by the mood, then their audio features.

Seeds go out in chunks of at most five (the API's limit), each call with the profile's targets
and a ``featureWeight`` from how sure the profile is. At most ``seed_chunk_concurrency`` chunks
are in flight (0: no limit) and the gateway's limiter paces them; only a profile with
``seed_stagger_s > 0`` (the ``seed`` profile) also starts chunk ``i`` after ``i x stagger``::

    plan = RecommendationPlan.for_profile(profile, seed_ids, pool=120)
    chunks = await recommend(gateway, plan, on_chunk=lambda done, total: ...)
    tracks = interleave(chunks)                       # unique, best of each chunk first
    candidates = as_candidates(tracks, await fetch_features(gateway, [t.id for t in tracks]))

Cold cost: one request per chunk, then one per 40 candidates for features.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from moodmix.engine.profile import FEATURES, MoodProfile
from moodmix.engine.scored import Candidate
from moodmix.reccobeats.gateway import ReccoBeats
from moodmix.reccobeats.ids import MAX_BATCH_IDS
from moodmix.reccobeats.models import AudioFeatures, Track
from moodmix.resilience.together import together

CHUNK: Final = 5
"""Seeds per recommendation call (the API's limit)."""
MAX_SIZE: Final = 100
"""Tracks per recommendation call (the API's limit)."""
MIN_SIZE: Final = 20
TARGET_WEIGHT: Final = 0.1
"""Features the profile weighs at least this much are sent as targets."""
SURE: Final = 0.75
_API_RANGE: Final = {"tempo": (0.0, 250.0), "loudness": (-60.0, 2.0)}

OnChunk = Callable[[int, int], object]
"""Called with (chunks done, chunks in all) as each recommendation call completes."""


@dataclass(frozen=True)
class RecommendationPlan:
    """The recommendation calls to make: seed chunks, a size per call, targets and weight."""

    chunks: tuple[tuple[str, ...], ...]
    size: int
    targets: dict[str, float]
    feature_weight: float | None
    negative_seeds: tuple[str, ...] = ()
    """Ids the recommendations should steer away from (ReccoBeats ``negativeSeeds``)."""

    @classmethod
    def for_profile(
        cls,
        profile: MoodProfile,
        seed_ids: Sequence[str],
        *,
        pool: int,
        negative_seeds: Sequence[str] = (),
    ) -> RecommendationPlan:
        """Calls that together ask for about ``pool`` tracks like ``seed_ids``, for ``profile``."""
        seeds = list(dict.fromkeys(seed_ids))
        if not seeds:
            raise ValueError("recommendations need at least one seed")
        chunks = tuple(tuple(seeds[i : i + CHUNK]) for i in range(0, len(seeds), CHUNK))
        size = min(MAX_SIZE, max(MIN_SIZE, math.ceil(pool / len(chunks))))
        if size > MAX_BATCH_IDS:  # whole feature batches: the features of each call
            size -= size % MAX_BATCH_IDS  # are fetched (prefetched) as they arrive
        return cls(
            chunks,
            size,
            targets_of(profile),
            feature_weight_of(profile),
            tuple(n for n in dict.fromkeys(negative_seeds) if n not in seeds)[:CHUNK],
        )


def targets_of(profile: MoodProfile) -> dict[str, float]:
    """The profile's targets worth sending: features it weighs, within the API's ranges."""
    targets: dict[str, float] = {}
    for name in FEATURES:
        value = profile.targets.get(name)
        if value is None or profile.weights.get(name, 0.0) < TARGET_WEIGHT:
            continue
        low, high = _API_RANGE.get(name, (0.0, 1.0))
        value = min(high, max(low, value))
        targets[name] = float(round(value)) if name == "mode" else round(value, 3)
    return targets


def feature_weight_of(profile: MoodProfile) -> float:
    """``featureWeight`` (1-5): how hard the upstream should steer toward the targets.

    From the mean of the profile's three largest weights: 1 for a profile that cares about
    nothing, 5 for one that weighs three features at ``SURE`` or more.
    """
    top = sorted((w for w in profile.weights.values() if w > 0), reverse=True)[:3]
    sureness = min(1.0, sum(top) / 3 / SURE) if top else 0.0
    return round(1.0 + 4.0 * sureness, 1)


async def recommend(
    gateway: ReccoBeats,
    plan: RecommendationPlan,
    *,
    on_chunk: OnChunk | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> list[list[Track]]:
    """One list of tracks per chunk of ``plan``, in chunk order (``sleep`` waits the stagger)."""
    settings = gateway.settings
    limit = settings.seed_chunk_concurrency
    gate: contextlib.AbstractAsyncContextManager[object] = (
        asyncio.Semaphore(limit) if limit > 0 else contextlib.nullcontext()
    )
    done = 0

    async def call(index: int, seeds: tuple[str, ...]) -> list[Track]:
        nonlocal done
        if settings.seed_stagger_s > 0 and index:
            await sleep(settings.seed_stagger_s * index)
        async with gate:
            tracks = await gateway.get_recommendations(
                seeds,
                size=plan.size,
                targets=plan.targets,
                feature_weight=plan.feature_weight,
                negative_seeds=plan.negative_seeds or None,
            )
        done += 1
        if on_chunk is not None:
            on_chunk(done, len(plan.chunks))
        return tracks

    return await together(call(i, c) for i, c in enumerate(plan.chunks))


def interleave(lists: Iterable[Sequence[Track]], *, exclude: Iterable[str] = ()) -> list[Track]:
    """The tracks of ``lists`` taken in turns (each list's best first), each id once."""
    seen = set(exclude)
    out: list[Track] = []
    rows = [list(tracks) for tracks in lists]
    for row in range(max((len(r) for r in rows), default=0)):
        for tracks in rows:
            if row < len(tracks) and tracks[row].id not in seen:
                seen.add(tracks[row].id)
                out.append(tracks[row])
    return out


async def fetch_features(gateway: ReccoBeats, ids: Iterable[str]) -> dict[str, AudioFeatures]:
    """Audio features of ``ids`` by track id, in batches through the gateway; unknown left out."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    return {f.id: f for f in await gateway.get_audio_features(wanted) if f.id is not None}


def as_candidates(tracks: Iterable[Track], features: dict[str, AudioFeatures]) -> list[Candidate]:
    """``Candidate`` for each of ``tracks`` with features, in order."""
    return [Candidate(t, features[t.id]) for t in tracks if t.id in features]
