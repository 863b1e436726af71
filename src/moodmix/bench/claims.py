"""The earlier backend's claims about its optimisations, checked against one run's figures.

The claims are those of ``backend-performance-optimization-summary.md`` (the seed's own
summary); each is measured for a candidate profile (``seed``, the seed's own numbers, and
``adaptive``) against ``legacy`` (the code before it) on the same trace and limit::

    for claim in seed_claims(scenario_run.results):
        claim.claim, claim.expected, claim.measured, claim.holds

A claim whose figure cannot be measured in the run (no ``legacy`` result, no 429 to reduce,
an unfinished trace for a ratio of work) is reported with ``measured=None`` and
``holds=None``, never as held. "5-10 concurrent users before, 20-30+ after" needs the users
sweep and is not among these.

Deduplication's share is estimated as joins / (accepted requests + joins), as if each
joined lookup would have been a request of its own: an upper estimate, since without
single-flight a joined item might have ridden in a batch. Caching's share is what the
combined reduction leaves once that is taken out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from moodmix.bench.results import ProfileResult


@dataclass(frozen=True)
class Claim:
    """One claim for one candidate: what was promised and what this run measured."""

    claim: str
    candidate: str
    expected: str
    measured: float | None
    holds: bool | None

    def as_json(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "candidate": self.candidate,
            "expected": self.expected,
            "measured": None if self.measured is None else round(self.measured, 4),
            "holds": self.holds,
        }


Measure = Callable[[ProfileResult | None, ProfileResult], float | None]
"""``measure(legacy, candidate)``; ``legacy`` is ``None`` when it was not run."""


def _reduction(before: float, after: float) -> float | None:
    return 1 - after / before if before > 0 else None


def _finished(*results: ProfileResult) -> bool:
    return all(r.sessions_unfinished == 0 for r in results)


def _dedup(legacy: ProfileResult | None, c: ProfileResult) -> float | None:
    # Each join would have been a request of its own without single-flight.
    sent = c.upstream_accepted + c.dedup_joins
    return c.dedup_joins / sent if sent and _finished(c) else None


def _combined(legacy: ProfileResult | None, c: ProfileResult) -> float | None:
    if legacy is None or not _finished(legacy, c):
        return None
    return _reduction(legacy.upstream_accepted, c.upstream_accepted)


def _caching(legacy: ProfileResult | None, c: ProfileResult) -> float | None:
    # What the combined reduction leaves once single-flight's share is taken out.
    combined, dedup = _combined(legacy, c), _dedup(legacy, c)
    if combined is None or dedup is None:
        return None
    return 1 - (1 - combined) / (1 - dedup) if dedup < 1 else None


def _fewer_429s(legacy: ProfileResult | None, c: ProfileResult) -> float | None:
    return None if legacy is None else _reduction(legacy.upstream_429, c.upstream_429)


def _hit_rate(legacy: ProfileResult | None, c: ProfileResult) -> float | None:
    return c.cache_hit_rate_warm


def _rate_429(legacy: ProfileResult | None, c: ProfileResult) -> float | None:
    return c.rate_429 if c.upstream_requests else None


def _hits_faster(legacy: ProfileResult | None, c: ProfileResult) -> float | None:
    hit, miss = c.response_ms.get("hit"), c.response_ms.get("miss")
    if hit is None or miss is None or not hit.count or not miss.count:
        return None
    return _reduction(miss.mean, hit.mean)


def _mean_response(legacy: ProfileResult | None, c: ProfileResult) -> float | None:
    if legacy is None:
        return None
    before, after = legacy.response_ms.get("all"), c.response_ms.get("all")
    if before is None or after is None:
        return None
    return _reduction(before.mean, after.mean)


CLAIMS: tuple[tuple[str, str, float, Measure], ...] = (
    ("request deduplication: 20-30% fewer calls", "20-30% fewer", 0.20, _dedup),
    ("caching: 60-70% fewer calls", "60-70% fewer", 0.60, _caching),
    ("combined: 75-85% fewer API calls (accepted)", "75-85% fewer", 0.75, _combined),
    ("429s: more than 80% fewer", "> 80% fewer", 0.80, _fewer_429s),
    ("cache hit rate > 70% once warm", "> 70%", 0.70, _hit_rate),
    ("cache hits 40-50% faster than misses", "40-50% faster", 0.40, _hits_faster),
    ("average response time 30-40% better", "30-40% better", 0.30, _mean_response),
)
"""(claim, as the summary puts it, the least that holds it, how it is measured)."""


def seed_claims(
    results: Iterable[ProfileResult], candidates: tuple[str, ...] = ("seed", "adaptive")
) -> list[Claim]:
    """Every claim for each candidate present, against ``legacy`` in the same results."""
    by_profile = {r.profile: r for r in results}
    legacy = by_profile.get("legacy")
    claims: list[Claim] = []
    for candidate in candidates:
        c = by_profile.get(candidate)
        if c is None:
            continue
        for text, expected, least, measure in CLAIMS:
            measured = measure(legacy, c)
            holds = None if measured is None else measured >= least
            claims.append(Claim(text, candidate, expected, measured, holds))
        rate = _rate_429(legacy, c)
        holds = None if rate is None else rate < 0.01
        claims.append(Claim("429 rate < 1% of all requests", candidate, "< 1%", rate, holds))
    return claims
