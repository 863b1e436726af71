"""How many concurrent users each profile serves: the lookups bench at several loads.

::

    sweep = await run_sweep(config, users=(5, 10, 20, 40))   # one bench run per load
    sweep.largest["matched"]["adaptive"]   # 20: the most users served, or None
    sweep.as_json()                        # {"users", "points", "largest", "limits"}

A load is *served* by a profile in a scenario when every session finished, the p95 of its
calls' response time is under ``P95_LIMIT_MS`` (real-world time, timeouts counted) and its
429 rate is under ``MAX_RATE_429``. ``largest`` is the most users served such that every
smaller load of the sweep was served too: a profile that fails at 10 and passes at 20 by
luck is not said to serve 20.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from moodmix.bench.config import BenchConfig
from moodmix.bench.lookups.runner import run_bench
from moodmix.bench.lookups.scenario import OnProgress
from moodmix.bench.results import ProfileResult

P95_LIMIT_MS: Final = 2_000.0
MAX_RATE_429: Final = 0.01


@dataclass(frozen=True)
class Point:
    """One profile in one scenario at one load."""

    users: int
    scenario: str
    profile: str
    p95_ms: float
    rate_429: float
    unfinished: int

    @property
    def served(self) -> bool:
        return self.unfinished == 0 and self.p95_ms < P95_LIMIT_MS and self.rate_429 < MAX_RATE_429

    @classmethod
    def of(cls, users: int, result: ProfileResult) -> Point:
        p95 = result.response_ms["all"].p95 if "all" in result.response_ms else float("inf")
        return cls(
            users, result.scenario, result.profile, p95, result.rate_429, result.sessions_unfinished
        )


def largest_served(points: Iterable[Point]) -> dict[str, dict[str, int | None]]:
    """Per scenario and profile, the most users served with every smaller load served too."""
    grouped: dict[tuple[str, str], list[Point]] = {}
    for point in points:
        grouped.setdefault((point.scenario, point.profile), []).append(point)
    largest: dict[str, dict[str, int | None]] = {}
    for (scenario, profile), found in grouped.items():
        best: int | None = None
        for point in sorted(found, key=lambda p: p.users):
            if not point.served:
                break
            best = point.users
        largest.setdefault(scenario, {})[profile] = best
    return largest


@dataclass(frozen=True)
class Sweep:
    users: tuple[int, ...]
    points: tuple[Point, ...]

    @property
    def largest(self) -> dict[str, dict[str, int | None]]:
        return largest_served(self.points)

    def as_json(self) -> dict[str, Any]:
        return {
            "users": list(self.users),
            "limits": {"p95_ms": P95_LIMIT_MS, "rate_429": MAX_RATE_429},
            "points": [
                {
                    "users": p.users,
                    "scenario": p.scenario,
                    "profile": p.profile,
                    "p95_ms": round(p.p95_ms, 1),
                    "rate_429": round(p.rate_429, 6),
                    "unfinished": p.unfinished,
                    "served": p.served,
                }
                for p in self.points
            ],
            "largest": self.largest,
        }


def parse_users(text: str) -> tuple[int, ...]:
    """``"5,10,20"`` -> ``(5, 10, 20)``, sorted; ``ValueError`` saying what is wrong."""
    try:
        values = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise ValueError(f"--sweep-users takes whole numbers like 5,10,20; got {text!r}") from None
    if not values or values[0] < 1:
        raise ValueError(f"--sweep-users needs one or more loads of at least 1; got {text!r}")
    return tuple(values)


async def run_sweep(
    config: BenchConfig,
    *,
    users: Sequence[int],
    on_progress: OnProgress | None = None,
    workers: int | None = None,
) -> Sweep:
    """One lookups bench per load in ``users`` (sessions in flight at the peak), in order."""
    points: list[Point] = []
    for n in users:
        run = await run_bench(replace(config, users=n), on_progress=on_progress, workers=workers)
        points += [Point.of(n, r) for s in run.scenarios for r in s.results]
    return Sweep(tuple(users), tuple(points))
