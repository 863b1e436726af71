"""The issue's targets, checked against a run's figures (shown, never asserted).

::

    for check in evaluate(run):
        print(check.scenario, check.target, check.shown, check.met)

A target that does not apply (utilisation when demand stayed under the limit, a profile that
was not run) is left out rather than reported as met; a ratio to the bound on a trace with
unfinished sessions is shown as invalid and never met.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moodmix.bench.comparison import compare
from moodmix.bench.lookups import BenchRun
from moodmix.bench.results import ProfileResult

MAX_RATE_429 = 0.01
MIN_UTILISATION = 0.85
MAX_BOUND_RATIO = 1.2
MIN_WARM_HIT_RATE = 0.85
MIN_REQUEST_REDUCTION = 0.90
MIN_429_REDUCTION = 0.95
MIN_L1_LOOKUPS_PER_S = 20_000.0


@dataclass(frozen=True)
class Check:
    scenario: str
    target: str
    shown: str
    met: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "target": self.target,
            "shown": self.shown,
            "met": self.met,
        }


def _by_profile(results: tuple[ProfileResult, ...]) -> dict[str, ProfileResult]:
    return {r.profile: r for r in results}


def adaptive_checks(scenario: str, a: ProfileResult) -> list[Check]:
    checks = [
        Check(scenario, "adaptive 429 rate <= 1%", f"{a.rate_429:.2%}", a.rate_429 <= MAX_RATE_429),
        Check(
            scenario,
            "adaptive accepted upstream requests <= 1.2 x lower bound",
            _ratio_shown(a),
            a.bound_ratio is not None and a.bound_ratio <= MAX_BOUND_RATIO,
        ),
        Check(
            scenario,
            "adaptive cache hit rate >= 85% once warm",
            f"{a.cache_hit_rate_warm:.1%}",
            a.cache_hit_rate_warm >= MIN_WARM_HIT_RATE,
        ),
        Check(
            scenario,
            "adaptive L1 bounded by its size",
            f"{a.l1_entries:,} / {a.l1_max_entries:,}",
            a.l1_entries <= a.l1_max_entries,
        ),
    ]
    if a.demand_exceeded_limit:
        checks.insert(
            1,
            Check(
                scenario,
                "adaptive quota utilisation >= 85% (demand exceeded the limit)",
                f"{a.quota_utilisation:.1%}",
                a.quota_utilisation >= MIN_UTILISATION,
            ),
        )
    return checks


def _ratio_shown(r: ProfileResult) -> str:
    if r.bound_ratio is None:
        return f"invalid: {r.sessions_unfinished:,} sessions unfinished"
    return f"{r.bound_ratio:.2f} x"


def _against_legacy(scenario: str, legacy: ProfileResult, a: ProfileResult) -> list[Check]:
    c = compare(legacy, a)
    checks = []
    if c.requests_reduction is not None:
        checks.append(
            Check(
                scenario,
                "adaptive vs legacy: >= 90% fewer accepted upstream requests",
                f"{c.requests_reduction:.1%} fewer",
                c.requests_reduction >= MIN_REQUEST_REDUCTION,
            )
        )
    if c.rate_limited_reduction is not None:
        checks.append(
            Check(
                scenario,
                "adaptive vs legacy: >= 95% fewer 429s",
                f"{c.rate_limited_reduction:.1%} fewer",
                c.rate_limited_reduction >= MIN_429_REDUCTION,
            )
        )
    return checks


def evaluate(run: BenchRun) -> list[Check]:
    checks: list[Check] = []
    for scenario_run in run.scenarios:
        name = scenario_run.scenario.name
        profiles = _by_profile(scenario_run.results)
        adaptive = profiles.get("adaptive")
        if adaptive is not None:
            checks += adaptive_checks(name, adaptive)
            if "legacy" in profiles:
                checks += _against_legacy(name, profiles["legacy"], adaptive)
        seed = profiles.get("seed")
        if seed is not None and scenario_run.scenario.rate_per_min == 80:
            checks.append(
                Check(
                    name,
                    "seed at a matched 80/min limit: 0 429s",
                    str(seed.upstream_429),
                    seed.upstream_429 == 0,
                )
            )
    single = run.l1_lookups_per_s.get("single")
    if single is not None:
        checks.append(
            Check(
                "-",
                "an L1 hit through the gateway: >= 20,000 lookups/s on one core",
                f"{single:,.0f}/s",
                single >= MIN_L1_LOOKUPS_PER_S,
            )
        )
    return checks
