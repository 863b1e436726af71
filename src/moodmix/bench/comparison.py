"""One profile against another on the same trace: how many fewer requests and 429s.

::

    c = compare(legacy_result, adaptive_result)
    c.requests_reduction        # 0.93: 93% fewer accepted upstream requests
    c.per_lookup_reduction      # the same per logical lookup served (fair when one fell behind)
    c.rate_limited_reduction    # None when the baseline drew no 429 at all

Requests are the accepted ones: a request the upstream refused with 429 did no work, so a
baseline's retries after 429s are not counted as work the candidate saved (they show in
``rate_limited_reduction``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moodmix.bench.results import ProfileResult


@dataclass(frozen=True)
class Comparison:
    scenario: str
    baseline: str
    candidate: str
    requests_reduction: float | None
    per_lookup_reduction: float | None
    rate_limited_reduction: float | None

    def as_json(self) -> dict[str, Any]:
        def rounded(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            "scenario": self.scenario,
            "baseline": self.baseline,
            "candidate": self.candidate,
            "upstream_accepted_reduction": rounded(self.requests_reduction),
            "requests_per_lookup_reduction": rounded(self.per_lookup_reduction),
            "upstream_429_reduction": rounded(self.rate_limited_reduction),
        }


def _reduction(baseline: float, candidate: float) -> float | None:
    return 1 - candidate / baseline if baseline > 0 else None


def _accepted_per_lookup(r: ProfileResult) -> float:
    return r.upstream_accepted / r.logical_lookups if r.logical_lookups else 0.0


def compare(baseline: ProfileResult, candidate: ProfileResult) -> Comparison:
    return Comparison(
        scenario=candidate.scenario,
        baseline=baseline.profile,
        candidate=candidate.profile,
        requests_reduction=_reduction(baseline.upstream_accepted, candidate.upstream_accepted),
        per_lookup_reduction=_reduction(
            _accepted_per_lookup(baseline), _accepted_per_lookup(candidate)
        ),
        rate_limited_reduction=_reduction(baseline.upstream_429, candidate.upstream_429),
    )
