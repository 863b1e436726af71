"""The benchmark trace: seeded, skewed like real popularity, returning users, follow-ups that
are not all the recommendation and not only it."""

from __future__ import annotations

import itertools
import random
from collections import Counter, defaultdict

import pytest

from moodmix.bench.config import BenchConfig
from moodmix.bench.popularity import fitted_exponent
from moodmix.bench.tracemaker import build_trace
from moodmix.bench.workload import (
    MOODS,
    RECOMMENDATION_SIZE,
    StepKind,
    Trace,
    WorkloadSpec,
    Zipf,
)
from moodmix.reccobeats.ids import is_reccobeats_id, is_spotify_id
from moodmix.simulator.catalog import Catalog

SPEC = WorkloadSpec(users=20, hours=1.0, start_hour=20.0, seed=3)


@pytest.fixture(scope="module")
def trace(catalog: Catalog) -> Trace:
    return build_trace(catalog, SPEC)


def test_the_same_seed_gives_the_same_trace_and_another_seed_another(
    catalog: Catalog, trace: Trace
) -> None:
    assert build_trace(catalog, SPEC).sessions == trace.sessions
    other = build_trace(catalog, WorkloadSpec(users=20, hours=1.0, start_hour=20.0, seed=4))
    assert other.sessions != trace.sessions


def test_the_trace_lasts_its_hours_whatever_the_time_scale() -> None:
    slow, fast = BenchConfig(hours=2.0, time_scale=10.0), BenchConfig(hours=2.0, time_scale=40.0)
    assert slow.workload() == fast.workload()
    assert slow.workload().duration_s == 7_200
    assert slow.duration_s == 4 * fast.duration_s == 720
    assert BenchConfig().workload().duration_s == 24 * 3_600
    assert BenchConfig().quick().duration_s < 10
    assert BenchConfig(time_scale=20.0).with_wall_duration(2.0).workload().duration_s == 40


def test_zipf_draws_follow_the_skew() -> None:
    zipf, rng = Zipf(1_000, 1.0), random.Random(1)
    counts = Counter(zipf.draw(rng) for _ in range(50_000))
    harmonic = sum(1 / (r + 1) for r in range(1_000))
    assert counts[0] / 50_000 == pytest.approx(1 / harmonic, rel=0.1)
    assert counts[0] > 1.6 * counts[1] > 1.6 * counts[3]
    assert len(set(zipf.distinct(rng, 5))) == 5


@pytest.mark.parametrize("skew", [0.8, 1.1, 1.4])
def test_the_fitted_exponent_of_zipf_draws_is_the_skew(skew: float) -> None:
    zipf, rng = Zipf(5_000, skew), random.Random(2)
    counts = Counter(zipf.draw(rng) for _ in range(100_000))
    assert fitted_exponent(counts.values(), top=50) == pytest.approx(skew, abs=0.1)


@pytest.mark.parametrize("skew", [0.8, 1.3])
def test_lone_lookups_in_the_trace_follow_the_zipf_exponent(catalog: Catalog, skew: float) -> None:
    spec = WorkloadSpec(users=20, hours=1.0, start_hour=20.0, seed=5, zipf=skew, singles_mean=4)
    singles = Counter(
        t.step.items[0]
        for t in build_trace(catalog, spec).steps()
        if t.step.kind in (StepKind.TRACK, StepKind.TRACK_FEATURES) and not t.step.unknown
    )
    assert fitted_exponent(singles.values(), top=30) == pytest.approx(skew, abs=0.2)


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
    singles = [t.step for t in trace.steps() if t.step.kind is StepKind.TRACK]
    assert all(len(step.ids) == 1 and is_spotify_id(step.ids[0]) for step in singles)
    unknown = [step for step in singles if step.unknown]
    assert 0 < len(unknown) < 0.2 * len(trace.sessions)
    assert all(step.items == step.ids for step in unknown)
    known = [step for step in singles if not step.unknown]
    assert all(is_reccobeats_id(step.items[0]) for step in known)


def _follow_ups(
    trace: Trace,
) -> list[tuple[tuple[str, ...], list[tuple[StepKind, tuple[str, ...]]]]]:
    """Each recommendation's results and the batches its session asked right after it."""
    found = []
    for session in trace.sessions:
        for index, stage in enumerate(session.stages):
            ask = stage.steps[0]
            if ask.kind is not StepKind.RECOMMEND:
                continue
            after = session.stages[index + 1].steps if index + 1 < len(session.stages) else ()
            batches = [
                (s.kind, s.ids) for s in after if s.kind in (StepKind.TRACKS, StepKind.FEATURES)
            ]
            found.append((ask.delivers, batches))
    return found


def test_follow_ups_ask_some_of_the_recommended_tracks_and_sometimes_others(
    trace: Trace,
) -> None:
    follow_ups = _follow_ups(trace)
    asked = [ids for _, batches in follow_ups for _, ids in batches]
    from_rec = sum(
        item in set(delivered)
        for delivered, batches in follow_ups
        for _, ids in batches
        for item in ids
    )
    share = from_rec / sum(len(ids) for ids in asked)
    assert 0.5 < share < 0.99
    assert any(not batches for _, batches in follow_ups)
    sizes = Counter(len(ids) for ids in asked)
    assert sizes[RECOMMENDATION_SIZE] < 0.6 * len(asked)
    assert len(sizes) > 10
    both = [dict(batches) for _, batches in follow_ups if len(batches) == 2]
    assert any(b[StepKind.TRACKS] != b[StepKind.FEATURES] for b in both)
    assert all(len(set(ids)) == len(ids) for ids in asked)


def test_returning_users_ask_again_with_their_moods_and_seeds(trace: Trace) -> None:
    asks_by_user: dict[int, set[tuple[str, tuple[str, ...]]]] = defaultdict(set)
    returning = reused = 0
    for session in sorted(trace.sessions, key=lambda s: s.start_s):
        ask = (session.mood, tuple(sorted(session.stages[0].steps[0].ids)))
        if session.user in asks_by_user:
            returning += 1
            reused += ask in asks_by_user[session.user]
        asks_by_user[session.user].add(ask)
    assert returning == pytest.approx(SPEC.return_share * len(trace.sessions), rel=0.15)
    assert reused / returning > 0.65
    firsts = [
        (s.mood, tuple(sorted(s.stages[0].steps[0].ids)))
        for s in trace.sessions
        if s.user not in {t.user for t in trace.sessions if t.index < s.index}
    ][:200]
    pairs = list(itertools.pairwise(firsts))
    assert sum(a == b for a, b in pairs) / len(pairs) < reused / returning / 2


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


def test_a_spec_with_impossible_values_is_refused() -> None:
    with pytest.raises(ValueError, match="users"):
        WorkloadSpec(users=0)
    with pytest.raises(ValueError, match="refine_share"):
        WorkloadSpec(refine_share=1.0)
    with pytest.raises(ValueError, match="peak_to_trough"):
        WorkloadSpec(peak_to_trough=0.5)
    with pytest.raises(ValueError, match="Zipf"):
        BenchConfig(zipf=-1.0)
    with pytest.raises(ValueError, match="hours"):
        BenchConfig(hours=0.0)
