"""The lookups workload: one seeded trace of lookups replayed through every profile.

    run = asyncio.run(run_bench(BenchConfig(scenarios=scenarios("matched")).quick()))
    run.scenarios[0].results[0].upstream_requests
    sweep = asyncio.run(run_sweep(config, users=(50, 100, 200)))   # the load each serves

``runner`` runs every scenario, ``scenario`` one scenario with every profile at once,
``lane`` one profile in one scenario, ``workers`` lanes on virtual time in worker processes,
``sweep`` the same at several loads, ``l1probe`` the speed of an L1 hit.
"""

from moodmix.bench.lookups.runner import BenchRun, run_bench
from moodmix.bench.lookups.scenario import OnProgress, Progress, ScenarioRun
from moodmix.bench.lookups.sweep import MAX_RATE_429, P95_LIMIT_MS, parse_users, run_sweep

__all__ = [
    "MAX_RATE_429",
    "P95_LIMIT_MS",
    "BenchRun",
    "OnProgress",
    "Progress",
    "ScenarioRun",
    "parse_users",
    "run_bench",
    "run_sweep",
]
