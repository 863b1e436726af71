"""Planning the recommendation calls: chunks of five, sizes, targets and featureWeight."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moodmix.engine.candidates import (
    CHUNK,
    MAX_SIZE,
    RecommendationPlan,
    feature_weight_of,
    interleave,
    recommend,
    targets_of,
)
from moodmix.engine.profile import FEATURES, SCALES, MoodProfile
from moodmix.reccobeats.models import Track


def make_profile(
    targets: dict[str, float] | None = None, weights: dict[str, float] | None = None
) -> MoodProfile:
    base = {name: 0.5 for name in FEATURES} | {"tempo": 110.0, "loudness": -8.0, "mode": 1.0}
    return MoodProfile(
        text="test",
        targets=base | (targets or {}),
        ranges={name: SCALES[name] for name in FEATURES},
        weights={name: 0.0 for name in FEATURES} | (weights or {}),
    )


def track(id: str) -> Track:
    return Track(id=id, track_title=id)


@given(st.integers(1, 25), st.integers(1, 400))
def test_chunks_hold_at_most_five_seeds_and_sizes_stay_within_the_api(
    seeds: int, pool: int
) -> None:
    ids = [f"seed-{i}" for i in range(seeds)]
    plan = RecommendationPlan.for_profile(make_profile(), ids, pool=pool)
    assert all(1 <= len(chunk) <= CHUNK for chunk in plan.chunks)
    assert [s for chunk in plan.chunks for s in chunk] == ids
    assert 1 <= plan.size <= MAX_SIZE


def test_the_pool_is_shared_between_the_chunks_in_whole_feature_batches() -> None:
    plan = RecommendationPlan.for_profile(make_profile(), [str(i) for i in range(10)], pool=180)
    assert len(plan.chunks) == 2
    assert plan.size == 80  # 90 each, rounded down to two batches of 40
    small = RecommendationPlan.for_profile(make_profile(), [str(i) for i in range(10)], pool=70)
    assert small.size == 35


def test_duplicate_seeds_go_out_once() -> None:
    plan = RecommendationPlan.for_profile(make_profile(), ["a", "b", "a"], pool=60)
    assert plan.chunks == (("a", "b"),)


def test_negative_seeds_go_out_once_at_most_five_and_never_a_seed() -> None:
    negative = ["x", "a", "y", "x", "z", "v", "w", "u"]
    plan = RecommendationPlan.for_profile(make_profile(), ["a"], pool=60, negative_seeds=negative)
    assert plan.negative_seeds == ("x", "y", "z", "v", "w")
    assert RecommendationPlan.for_profile(make_profile(), ["a"], pool=60).negative_seeds == ()


def test_a_plan_needs_a_seed() -> None:
    with pytest.raises(ValueError, match="at least one seed"):
        RecommendationPlan.for_profile(make_profile(), [], pool=60)


def test_only_weighted_features_are_sent_as_targets_within_the_api_ranges() -> None:
    profile = make_profile(
        {"energy": 0.3, "tempo": 300.0, "mode": 0.8, "valence": 0.9},
        {"energy": 1.0, "tempo": 0.5, "mode": 0.5, "valence": 0.01},
    )
    assert targets_of(profile) == {"energy": 0.3, "tempo": 250.0, "mode": 1.0}


def test_feature_weight_grows_with_how_sure_the_profile_is() -> None:
    assert feature_weight_of(make_profile()) == 1.0
    unsure = feature_weight_of(make_profile(weights={"energy": 0.2}))
    sure = feature_weight_of(make_profile(weights={"energy": 1, "valence": 1, "tempo": 1}))
    assert 1.0 < unsure < sure == 5.0


def test_interleave_takes_turns_and_keeps_each_track_once() -> None:
    lists = [[track("a"), track("b"), track("c")], [track("b"), track("d")]]
    assert [t.id for t in interleave(lists)] == ["a", "b", "d", "c"]
    assert [t.id for t in interleave(lists, exclude={"a"})] == ["b", "d", "c"]


class FakeGateway:
    """Answers recommendations after a few turns of the loop, counting calls in flight."""

    def __init__(self, **settings: object) -> None:
        from moodmix.settings import Settings

        self.settings = Settings(cache_backend="memory", **settings)  # type: ignore[arg-type]
        self.in_flight = 0
        self.most_in_flight = 0
        self.calls: list[tuple[str, ...]] = []

    async def get_recommendations(self, seeds: tuple[str, ...], **kwargs: object) -> list[Track]:
        self.calls.append(tuple(seeds))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        for _ in range(3):
            await asyncio.sleep(0)
        self.in_flight -= 1
        return [track(f"{seeds[0]}-rec-{i}") for i in range(3)]


def plan_of(seeds: int) -> RecommendationPlan:
    return RecommendationPlan.for_profile(make_profile(), [f"s{i}" for i in range(seeds)], pool=60)


@pytest.mark.parametrize(("limit", "most"), [(1, 1), (2, 2), (3, 3), (0, 5)])
async def test_at_most_seed_chunk_concurrency_calls_are_in_flight(limit: int, most: int) -> None:
    gateway = FakeGateway(seed_chunk_concurrency=limit)
    lists = await recommend(gateway, plan_of(25))  # type: ignore[arg-type]
    assert gateway.most_in_flight == most
    assert [lst[0].id for lst in lists] == [f"s{i}-rec-0" for i in range(0, 25, 5)]


async def test_progress_is_reported_per_chunk() -> None:
    seen: list[tuple[int, int]] = []
    await recommend(FakeGateway(), plan_of(12), on_chunk=lambda d, t: seen.append((d, t)))  # type: ignore[arg-type]
    assert seen == [(1, 3), (2, 3), (3, 3)]


async def test_the_stagger_applies_only_when_the_profile_sets_it() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    await recommend(FakeGateway(profile="seed"), plan_of(15), sleep=sleep)  # type: ignore[arg-type]
    assert waits == pytest.approx([0.2, 0.4])
    waits.clear()
    await recommend(FakeGateway(profile="adaptive"), plan_of(15), sleep=sleep)  # type: ignore[arg-type]
    assert waits == []
