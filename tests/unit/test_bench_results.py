"""The benchmark's derived figures and its time scaling, computed by hand."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from moodmix.bench.comparison import compare
from moodmix.bench.config import BenchConfig, scenarios
from moodmix.bench.instances.report import no_more_429s
from moodmix.bench.lookups.lane import BoundViolated, check_bound
from moodmix.bench.results import Latency, ProfileResult, Response, percentiles, summarise
from moodmix.bench.scaling import SCALED_DURATIONS, TimeScale
from moodmix.bench.targets import adaptive_checks
from moodmix.settings import Settings

RESULT = ProfileResult(
    profile="adaptive",
    scenario="matched",
    upstream_rate_per_min=80.0,
    upstream_burst=10,
    time_scale=20.0,
    arrivals_s=60.0,
    run_s=60.0,
    sessions=1_000,
    sessions_unfinished=0,
    sessions_behind=0,
    operations=5_000,
    logical_lookups=50_000,
    upstream_requests=1_500,
    upstream_429=15,
    retries=15,
    cache_hit_rate=0.9,
    cache_hit_rate_warm=0.95,
    dedup_joins=100,
    coalesced_items=2_000,
    batches=100,
    batched_items=2_100,
    registry_efficiency=0.99,
    learned_rate_per_min=80.0,
    requests_wanted=1_500,
    mean_token_wait_ms=5.0,
    lower_bound_requests=1_300,
    lower_bound_issued=1_300,
    latency_ms=Latency(1.0, 2.0, 3.0, 4.0),
    l1_entries=5_000,
    l1_max_entries=5_000,
    lower_bound_completed=1_237,
)


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(100, 0, -1)]
    assert percentiles(values) == Latency(50.0, 95.0, 99.0, 100.0)
    assert percentiles([7.0]) == Latency(7.0, 7.0, 7.0, 7.0)
    assert percentiles([]) == Latency(0.0, 0.0, 0.0, 0.0)


def test_quota_utilisation_is_accepted_over_what_the_limit_allowed() -> None:
    # 80/min x 20 = 26.67/s; over 60 s that is 1600, plus a burst of 10
    assert RESULT.allowed_requests == pytest.approx(1_610)
    assert RESULT.upstream_accepted == 1_485
    assert RESULT.quota_utilisation == pytest.approx(1_485 / 1_610)
    assert RESULT.rate_429 == pytest.approx(0.01)
    assert RESULT.bound_ratio == pytest.approx(1_485 / 1_237)  # accepted / bound of what was done
    assert RESULT.saved_by_batching == 2_000


def test_demand_exceeded_the_limit_by_the_profiles_own_estimate_or_the_bound() -> None:
    # bound 1300 x own ratio 1.2 = 1560 requests needed; the limit allowed 1610 while arriving
    assert RESULT.demand_estimate == pytest.approx(1_300 * 1_485 / 1_237)
    assert not RESULT.demand_exceeded_limit
    assert replace(RESULT, requests_wanted=1_611).demand_exceeded_limit
    assert replace(RESULT, lower_bound_requests=1_400).demand_exceeded_limit
    assert replace(RESULT, arrivals_s=50.0).demand_exceeded_limit
    # a profile that did better than the bound of what it asked is held to the bound itself
    assert replace(RESULT, upstream_requests=900).demand_estimate == pytest.approx(1_500)
    # an unfinished trace has no ratio: the estimate falls back to what it asked for
    unfinished = replace(RESULT, sessions_unfinished=3)
    assert unfinished.demand_estimate == pytest.approx(1_500)


def test_an_unfinished_trace_has_no_valid_ratio_and_cannot_meet_a_ratio_target() -> None:
    unfinished = replace(RESULT, sessions_unfinished=811, upstream_requests=500, upstream_429=0)
    assert not unfinished.bound_valid
    assert unfinished.bound_ratio is None  # 500 / 1237 would have read as 0.40 x, "met"
    assert unfinished.as_json()["bound_ratio"] is None
    assert unfinished.as_json()["bound_valid"] is False
    checks = {c.target: c for c in adaptive_checks("below", unfinished)}
    ratio = checks["adaptive accepted upstream requests <= 1.2 x lower bound"]
    assert not ratio.met
    assert ratio.shown == "invalid: 811 sessions unfinished"
    finished = {
        c.target: c for c in adaptive_checks("below", replace(RESULT, upstream_requests=1_300))
    }
    assert finished["adaptive accepted upstream requests <= 1.2 x lower bound"].met


def test_the_json_holds_every_field_the_issue_names() -> None:
    data = RESULT.as_json()
    for name in (
        "profile",
        "scenario",
        "upstream_rate_per_min",
        "logical_lookups",
        "upstream_requests",
        "upstream_429",
        "rate_429",
        "cache_hit_rate",
        "quota_utilisation",
        "demand_exceeded_limit",
        "lower_bound_requests",
        "latency_ms",
        "upstream_accepted",
        "upstream_rejected",
        "prefetched_items",
        "bound_valid",
        "bound_ratio",
        "response_ms",
        "timeouts",
    ):
        assert name in data
    assert set(data["latency_ms"]) >= {"p50", "p95", "p99"}
    assert data["upstream_accepted"] + data["upstream_rejected"] == data["upstream_requests"]


def test_response_times_have_a_mean_and_every_percentile() -> None:
    assert summarise([1.0, 2.0, 3.0, 10.0]) == Response(4.0, 2.0, 10.0, 10.0, 10.0, 4)
    assert summarise([]) == Response(0.0, 0.0, 0.0, 0.0, 0.0, 0)


def test_comparison_counts_only_accepted_requests_as_work() -> None:
    legacy = replace(RESULT, profile="legacy", upstream_requests=15_000, upstream_429=3_000)
    c = compare(legacy, RESULT)
    # 12,000 accepted against 1,485: the 3,000 refused retries are not counted as saved
    assert c.requests_reduction == pytest.approx(1 - 1_485 / 12_000)
    assert c.requests_reduction < 1 - RESULT.upstream_requests / legacy.upstream_requests
    assert c.rate_limited_reduction == pytest.approx(0.995)
    assert compare(replace(legacy, upstream_429=0), RESULT).rate_limited_reduction is None


def test_time_scale_multiplies_rates_and_divides_durations(tmp_path: Path) -> None:
    scale = TimeScale(20)
    settings = scale.settings("seed", url="http://127.0.0.1:1", cache_path=tmp_path / "c.db")
    base = Settings(profile="seed")
    assert settings.rate_per_min == 80 * 20
    for name in SCALED_DURATIONS:
        assert getattr(settings, name) == pytest.approx(getattr(base, name) / 20)
    assert settings.burst == base.burst
    assert settings.cache_backend == "sqlite"
    assert settings.cache_path == tmp_path / "c.db"
    assert scale.wall(1_200) == 60
    assert scale.retry_after_resolution() == pytest.approx(0.05)


def test_scenarios_and_the_rate_override() -> None:
    assert [s.name for s in scenarios("all")] == ["below", "matched", "above"]
    assert [s.rate_per_min for s in scenarios("all")] == [40, 80, 160]
    assert [s.rate_per_min for s in scenarios("matched", 60)] == [60]
    with pytest.raises(ValueError, match="unknown scenario"):
        scenarios("sideways")
    with pytest.raises(ValueError, match="named twice"):
        BenchConfig(profiles=("seed", "seed"))
    assert BenchConfig().quick().duration_s < BenchConfig().duration_s


@pytest.mark.parametrize(
    ("many", "one", "met"),
    [
        ((1, 3_958), (1, 3_966), True),  # as many 429s on fewer requests: not higher
        ((2, 4_035), (1, 3_964), False),  # one more: higher
        ((0, 1_000), (0, 1_000), True),
        ((1, 1_000), (0, 1_000), False),
        ((3, 2_000), (2, 1_000), True),  # 4 expected on twice the requests
    ],
)
def test_429s_are_compared_on_as_many_requests(
    many: tuple[int, int], one: tuple[int, int], met: bool
) -> None:
    assert no_more_429s(*many, *one) is met


def test_a_finished_trace_under_its_bound_fails_the_run() -> None:
    check_bound(RESULT)  # 1.2 x: fine
    check_bound(replace(RESULT, sessions_unfinished=5, upstream_requests=10))  # no ratio at all
    with pytest.raises(BoundViolated, match="the bound is wrong"):
        check_bound(replace(RESULT, upstream_requests=1_000, upstream_429=0))
    # with errors the gateway did not answer everything: fewer requests are no proof
    check_bound(replace(RESULT, upstream_requests=1_000, errors={"UpstreamUnavailable": 3}))
