"""The earlier backend's claims, measured for seed and adaptive against legacy."""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_bench_results import RESULT

from moodmix.bench.claims import seed_claims
from moodmix.bench.results import Response


def claims_of(*results: object) -> dict[tuple[str, str], tuple[float | None, bool | None]]:
    return {
        (c.candidate, c.claim): (c.measured, c.holds)
        for c in seed_claims(results)  # type: ignore[arg-type]
    }


LEGACY = replace(
    RESULT,
    profile="legacy",
    upstream_requests=10_000,
    upstream_429=4_000,
    dedup_joins=0,
    response_ms={"all": Response(1_000.0, 0, 0, 0, 0, 10)},
)
SEED = replace(
    RESULT,
    profile="seed",
    upstream_requests=1_500,
    upstream_429=0,
    dedup_joins=500,
    cache_hit_rate_warm=0.75,
    response_ms={
        "all": Response(500.0, 0, 0, 0, 0, 10),
        "hit": Response(100.0, 0, 0, 0, 0, 6),
        "miss": Response(900.0, 0, 0, 0, 0, 4),
    },
)


def test_each_claim_is_measured_against_legacy_in_the_same_run() -> None:
    found = claims_of(LEGACY, SEED)
    assert found[("seed", "request deduplication: 20-30% fewer calls")] == (0.25, True)
    combined, held = found[("seed", "combined: 75-85% fewer API calls (accepted)")]
    assert combined == pytest.approx(1 - 1_500 / 6_000)  # refused requests are not work
    assert held
    caching, _ = found[("seed", "caching: 60-70% fewer calls")]
    assert caching == pytest.approx(1 - (1_500 / 6_000) / (1 - 0.25))
    assert found[("seed", "429s: more than 80% fewer")] == (1.0, True)
    assert found[("seed", "cache hit rate > 70% once warm")] == (0.75, True)
    faster, _ = found[("seed", "cache hits 40-50% faster than misses")]
    assert faster == pytest.approx(1 - 100 / 900)
    assert found[("seed", "average response time 30-40% better")] == (0.5, True)
    assert found[("seed", "429 rate < 1% of all requests")] == (0.0, True)


def test_what_cannot_be_measured_is_never_reported_as_held() -> None:
    unfinished = replace(SEED, sessions_unfinished=4)
    found = claims_of(LEGACY, unfinished)
    assert found[("seed", "combined: 75-85% fewer API calls (accepted)")] == (None, None)
    assert found[("seed", "caching: 60-70% fewer calls")] == (None, None)
    alone = claims_of(SEED)  # no legacy in the run
    assert alone[("seed", "429s: more than 80% fewer")] == (None, None)
    assert alone[("seed", "cache hit rate > 70% once warm")] == (0.75, True)
    assert claims_of(LEGACY) == {}
