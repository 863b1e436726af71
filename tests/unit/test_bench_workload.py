"""The benchmark trace: seeded, skewed like real popularity, bursty, batches and singles mixed."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from moodmix.bench.workload import (
    MOODS,
    RECOMMENDATION_SIZE,
    StepKind,
    Trace,
    WorkloadSpec,
    Zipf,
    arrival_times,
    build_trace,
)
from moodmix.reccobeats.ids import is_reccobeats_id, is_spotify_id
from moodmix.simulator.catalog import Catalog

SPEC = WorkloadSpec(users=300, duration_s=900.0, seed=3)


@pytest.fixture(scope="module")
def trace(catalog: Catalog) -> Trace:
    return build_trace(catalog, SPEC)


def test_the_same_seed_gives_the_same_trace_and_another_seed_another(
    catalog: Catalog, trace: Trace
) -> None:
    assert build_trace(catalog, SPEC).sessions == trace.sessions
    other = build_trace(catalog, WorkloadSpec(users=300, duration_s=900.0, seed=4))
    assert other.sessions != trace.sessions


def test_zipf_draws_follow_the_skew() -> None:
    zipf, rng = Zipf(1_000, 1.0), random.Random(1)
    counts = Counter(zipf.draw(rng) for _ in range(50_000))
    harmonic = sum(1 / (r + 1) for r in range(1_000))
    assert counts[0] / 50_000 == pytest.approx(1 / harmonic, rel=0.1)
    assert counts[0] > 1.6 * counts[1] > 1.6 * counts[3]
    assert sum(counts[r] for r in range(10)) / 50_000 > 0.35
    assert len(set(zipf.distinct(rng, 5))) == 5


def test_seeds_and_moods_are_skewed_towards_the_popular(catalog: Catalog, trace: Trace) -> None:
    seeds = Counter(
        seed for t in trace.steps() if t.step.kind is StepKind.RECOMMEND for seed in t.step.ids
    )
    top, *_ = seeds.most_common(1)
    assert top[1] >= 10 * sorted(seeds.values())[len(seeds) // 2]
    moods = Counter(session.mood for session in trace.sessions)
    assert moods[MOODS[0][0]] > moods[MOODS[-1][0]]
    ranked = catalog.popularity_rank()
    popular = {catalog.track_spotify_ids()[i] for i in ranked[:200]}
    assert sum(n for sid, n in seeds.items() if sid in popular) > 0.5 * sum(seeds.values())


def test_sessions_mix_recommendations_batches_singles_and_unknown_ids(trace: Trace) -> None:
    kinds = Counter(t.step.kind for t in trace.steps())
    assert set(kinds) == set(StepKind)
    batches = [t.step for t in trace.steps() if t.step.kind in (StepKind.TRACKS, StepKind.FEATURES)]
    assert all(len(step.ids) == RECOMMENDATION_SIZE for step in batches)
    singles = [t.step for t in trace.steps() if t.step.kind is StepKind.TRACK]
    assert all(len(step.ids) == 1 and is_spotify_id(step.ids[0]) for step in singles)
    unknown = [step for step in singles if step.unknown]
    assert 0 < len(unknown) < 0.2 * len(trace.sessions)
    assert all(step.items == step.ids for step in unknown)
    known = [step for step in singles if not step.unknown]
    assert all(is_reccobeats_id(step.items[0]) for step in known)


def test_a_session_asks_for_features_and_details_of_what_was_recommended(trace: Trace) -> None:
    for session in trace.sessions[:50]:
        ask = session.stages[0].steps[0]
        assert ask.kind is StepKind.RECOMMEND
        assert 1 <= len(ask.ids) <= 3
        assert len(ask.delivers) == RECOMMENDATION_SIZE
        follow = session.stages[1]
        assert {s.kind for s in follow.steps} == {StepKind.FEATURES, StepKind.TRACKS}
        assert all(s.ids == ask.delivers for s in follow.steps)


def test_the_expected_recommendations_are_what_the_catalog_answers(
    catalog: Catalog, trace: Trace
) -> None:
    ask = trace.sessions[0].stages[0].steps[0]
    found = catalog.recommend(sorted(ask.ids), ask.size, targets=dict(ask.targets))
    assert tuple(t["id"] for t in found or ()) == ask.delivers


def test_logical_lookups_count_items_and_one_per_recommendation(trace: Trace) -> None:
    steps = [t.step for t in trace.steps()]
    recs = sum(s.kind is StepKind.RECOMMEND for s in steps)
    items = sum(len(s.ids) for s in steps if s.kind is not StepKind.RECOMMEND)
    assert trace.logical_lookups == recs + items


def test_steps_come_in_time_order_at_their_session_times(trace: Trace) -> None:
    times = [t.at_s for t in trace.steps()]
    assert times == sorted(times)
    first = trace.sessions[0]
    assert next(t for t in trace.steps() if t.session == first.index).at_s == first.start_s


def test_arrivals_come_in_bursts() -> None:
    spec = WorkloadSpec(users=300, duration_s=3_600.0, seed=5)
    times = arrival_times(spec, random.Random(5))
    assert times == sorted(times)
    assert times[0] >= 0
    assert times[-1] < spec.duration_s
    assert len(times) == pytest.approx(spec.session_rate * spec.duration_s, rel=0.25)
    per_window = Counter(int(t // 10) for t in times)
    mean = len(times) / (spec.duration_s / 10)
    assert max(per_window.values()) >= 3 * mean


def test_a_spec_with_impossible_values_is_refused() -> None:
    with pytest.raises(ValueError, match="users"):
        WorkloadSpec(users=0)
    with pytest.raises(ValueError, match="refine_share"):
        WorkloadSpec(refine_share=1.5)
