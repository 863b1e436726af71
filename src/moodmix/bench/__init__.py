"""``moodmix bench``: the profiles side by side on one seeded trace, each against its own simulator.

From the shell, ``moodmix bench --json bench.json``; from code (on a loop of its own)::

    from moodmix.bench import BenchConfig, as_json, run_bench, scenarios

    run = asyncio.run(run_bench(BenchConfig(scenarios=scenarios("matched")).quick()))
    as_json(run)["results"]      # one object per profile and scenario

``workload`` builds the trace, ``bound`` the fewest requests it could cost, ``runner`` and
``scenario`` replay it, ``report`` and ``targets`` say what came out. The other workload,
``moodmix bench --workload playlists`` (``playlists``), puts the engine under many users and
measures each playlist's cost and fit (``fit_bound``: the best fit the catalog allows).
``docs/BENCHMARKS.md`` explains every figure.
"""

from moodmix.bench.config import SCENARIOS, BenchConfig, Scenario, scenarios
from moodmix.bench.report import as_json, json_bytes, render
from moodmix.bench.runner import BenchRun, run_bench

__all__ = [
    "SCENARIOS",
    "BenchConfig",
    "BenchRun",
    "Scenario",
    "as_json",
    "json_bytes",
    "render",
    "run_bench",
    "scenarios",
]
