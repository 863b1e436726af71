"""``moodmix bench``: the profiles side by side on one seeded trace, each against its own simulator.

From the shell, ``moodmix bench --json bench.json``; from code (on a loop of its own)::

    from moodmix.bench import BenchConfig, as_json, run_bench, scenarios

    run = asyncio.run(run_bench(BenchConfig(scenarios=scenarios("matched")).quick()))
    as_json(run)["results"]      # one object per profile and scenario

One folder per workload: ``lookups`` (the trace through every profile: this page's
example), ``playlists`` (the engine under many users), ``service`` (the HTTP service as a
process) and ``instances`` (several processes sharing one Redis). Shared by them, here:
``workload`` builds the trace, ``bound`` the fewest requests it could cost, ``report`` and
``targets`` say what came out, ``simulators`` and ``inprocess`` the upstream they run against.
``docs/BENCHMARKS.md`` explains every figure.
"""

from moodmix.bench.config import SCENARIOS, BenchConfig, Scenario, scenarios
from moodmix.bench.lookups import BenchRun, run_bench
from moodmix.bench.report import as_json, json_bytes, render

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
