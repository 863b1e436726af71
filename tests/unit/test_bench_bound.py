"""The lower bound on upstream requests, checked against small traces counted by hand."""

from __future__ import annotations

from moodmix.bench.bound import BoundTTLs, lower_bound
from moodmix.bench.workload import Step, StepKind, TimedStep
from moodmix.settings import Settings

TTLS = BoundTTLs(recommendations=100.0, track=1_000.0, features=1_000.0, missing=10_000.0)
UNKNOWN = "0000000000000000000000"  # a Spotify id ReccoBeats does not know


def rid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def at(t: float, step: Step) -> TimedStep:
    return TimedStep(t, 0, 0, step)


def features(*ns: int) -> Step:
    ids = tuple(rid(n) for n in ns)
    return Step(StepKind.FEATURES, ids, ids)


def tracks(*ns: int) -> Step:
    ids = tuple(rid(n) for n in ns)
    return Step(StepKind.TRACKS, ids, ids)


def recommend(seeds: tuple[str, ...], delivers: tuple[int, ...] = (), energy: float = 0.5) -> Step:
    return Step(
        StepKind.RECOMMEND,
        seeds,
        targets=(("energy", energy),),
        delivers=tuple(rid(n) for n in delivers),
    )


def test_distinct_items_go_in_batches_of_40() -> None:
    bound = lower_bound([at(0, features(1, 2)), at(10, features(2, 3))], TTLS)
    assert bound.items == {"features": 3}
    assert bound.requests == 1
    many = lower_bound([at(0, features(*range(41)))], TTLS)
    assert many.requests == 2


def test_kinds_are_batched_separately() -> None:
    bound = lower_bound([at(0, features(1)), at(0, tracks(1))], TTLS)
    assert bound.items == {"features": 1, "track": 1}
    assert bound.requests == 2


def test_an_item_counts_again_when_asked_after_its_ttl_since_the_last_fetch() -> None:
    asks = [at(t, features(1)) for t in (0, 600, 1_200, 1_300, 2_300)]
    # fetched at 0; fresh at 600; at 1200 (1200 after the fetch) again; fresh at 1300; 2300 again
    assert lower_bound(asks, TTLS).items == {"features": 3}


def test_steps_are_taken_in_time_order() -> None:
    asks = [at(1_200, features(1)), at(0, features(1)), at(600, features(1))]
    assert lower_bound(asks, TTLS).items == {"features": 2}


def test_a_recommendation_counts_once_per_question_within_its_ttl() -> None:
    a, b = "1" * 22, "2" * 22
    asks = [
        at(0, recommend((a, b))),
        at(10, recommend((b, a))),  # the same question, seeds in another order
        at(20, recommend((a, b), energy=0.9)),  # another question
        at(99, recommend((a, b))),  # still fresh
        at(100, recommend((a, b))),  # expired
    ]
    bound = lower_bound(asks, TTLS)
    assert bound.recommendations == 3
    assert bound.requests == 3


def test_tracks_a_recommendation_returns_cost_nothing_more_but_their_features_do() -> None:
    asks = [
        at(0, recommend(("1" * 22,), delivers=(1, 2, 3))),
        at(5, tracks(1, 2, 3)),
        at(5, features(1, 2, 3)),
        at(6, tracks(4)),
    ]
    bound = lower_bound(asks, TTLS)
    assert bound.items == {"features": 3, "track": 1}
    assert bound.requests == 1 + 1 + 1


def test_an_id_the_upstream_does_not_know_costs_one_lookup_per_missing_ttl_for_any_kind() -> None:
    unknown_track = Step(StepKind.TRACK, (UNKNOWN,), (UNKNOWN,), unknown=True)
    unknown_features = Step(StepKind.TRACK_FEATURES, (UNKNOWN,), (UNKNOWN,), unknown=True)
    asks = [at(0, unknown_track), at(50, unknown_features), at(9_000, unknown_track)]
    assert lower_bound(asks, TTLS).items == {"track": 1}
    assert lower_bound([*asks, at(10_000, unknown_track)], TTLS).items == {"track": 2}


def test_the_adaptive_profile_gives_the_ttls() -> None:
    ttls = BoundTTLs.from_settings(Settings(profile="adaptive"))
    assert ttls.recommendations == 15 * 60
    assert ttls.track == 2 * 60 * 60
    assert ttls.missing == 14 * 86_400


def test_an_empty_trace_needs_nothing() -> None:
    assert lower_bound([], TTLS).requests == 0
