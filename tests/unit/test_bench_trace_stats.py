"""The trace's published statistics match a brute-force recount of the trace."""

from __future__ import annotations

import pytest

from moodmix.bench.trace_stats import trace_stats
from moodmix.bench.tracemaker import build_trace
from moodmix.bench.workload import (
    ITEM_KIND,
    StepKind,
    Trace,
    WorkloadSpec,
    nominal_end,
)
from moodmix.simulator.catalog import Catalog


@pytest.fixture(scope="module")
def trace(catalog: Catalog) -> Trace:
    return build_trace(catalog, WorkloadSpec(users=6, hours=2.5, start_hour=19.0, seed=11))


def test_the_statistics_match_a_brute_force_recount(trace: Trace) -> None:
    stats = trace_stats(trace)
    asked = [
        (t.at_s, ITEM_KIND[t.step.kind], item)
        for t in trace.steps()
        if t.step.kind is not StepKind.RECOMMEND
        for item in t.step.items
    ]
    items = [(kind, item) for _, kind, item in asked]
    assert stats.lookups == {
        kind: sum(k == kind for k, _ in items) for kind in sorted({k for k, _ in items})
    }
    assert stats.distinct_items == {
        kind: len({i for k, i in items if k == kind}) for kind in sorted({k for k, _ in items})
    }
    assert stats.repeat_share == pytest.approx((len(items) - len(set(items))) / len(items))
    for hour in range(3):
        in_hour = {(k, i) for at, k, i in asked if hour * 3_600 <= at < (hour + 1) * 3_600}
        if hour == 2:
            in_hour |= {(k, i) for at, k, i in asked if at >= 3 * 3_600}
        assert stats.working_set_per_hour[hour] == len(in_hour)
    assert len(stats.working_set_per_hour) == 3
    assert stats.sessions == len(trace.sessions)
    assert sum(stats.sessions_per_hour) == len(trace.sessions)
    assert stats.users == len({s.user for s in trace.sessions})
    ends = {s.index: nominal_end(s) for s in trace.sessions}
    assert stats.peak_concurrent_sessions == max(
        sum(o.start_s <= s.start_s <= ends[o.index] for o in trace.sessions) for s in trace.sessions
    )
    cold = [(k, i) for at, k, i in asked if at < trace.spec.cold_s]
    assert stats.cold.lookups == len(cold)
    assert stats.cold.distinct_items == len(set(cold))
    assert stats.cold.lookups + stats.warm.lookups == len(items)
    assert stats.zipf_exponent == trace.spec.zipf


def test_follow_ups_are_neither_all_nor_none_from_the_recommendation(trace: Trace) -> None:
    share = trace_stats(trace).follow_up_from_recommendation_share
    assert 0 < share < 1


def test_the_busiest_hour_has_about_the_users_in_flight(catalog: Catalog) -> None:
    spec = WorkloadSpec(users=20, hours=2.0, start_hour=20.0, seed=2)
    stats = trace_stats(build_trace(catalog, spec))
    assert stats.peak_hour_in_flight == pytest.approx(20, rel=0.3)
    assert stats.peak_concurrent_sessions >= stats.peak_hour_in_flight


def test_the_json_has_every_statistic(trace: Trace) -> None:
    data = trace_stats(trace).as_json()
    for name in (
        "distinct_items",
        "repeat_share",
        "working_set_per_hour",
        "sessions",
        "peak_concurrent_sessions",
        "zipf_exponent",
        "phases",
    ):
        assert name in data
    assert set(data["phases"]) == {"cold_s", "cold", "warm"}
