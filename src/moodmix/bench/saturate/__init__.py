"""The saturate workload: a client that always wants more than the upstream allows.

::

    config = SaturateConfig(rates=(80.0,), bursts=(4,), profiles=("adaptive", "peer-botocore"))
    results = asyncio.run(run_grid(config, jobs=2, say=print))
    print(markdown(results))                       # limit, burst, profile, 429 rate, ...
    saturate_json(config, results, wall_s=12.0)    # what --json writes

Issue 16's measure of an adaptive rate: how much of a hidden limit a profile uses
(``quota_utilisation``), how often it is refused (``rate_429``) and how fast it finds the
limit (``seconds_to_90pct``), from a cold start, after a restart and when the limit moves.
``config`` says what runs, ``cell`` runs one limit with one profile, ``instance`` is one
gateway and its callers, ``counting`` the client's own count of requests, ``results`` holds
it against the simulator's and makes the figures (``figures`` turns times into figures),
``grid`` runs every cell in worker processes, ``report`` checks the targets and writes the
table.
"""

from moodmix.bench.saturate.config import (
    Cell,
    SaturateConfig,
    parse_bursts,
    parse_rates,
    parse_schedule,
)
from moodmix.bench.saturate.grid import run_grid
from moodmix.bench.saturate.report import checks, markdown, saturate_json
from moodmix.bench.saturate.results import CountsDisagree
from moodmix.simulator.config import RateStep

__all__ = [
    "Cell",
    "CountsDisagree",
    "RateStep",
    "SaturateConfig",
    "checks",
    "markdown",
    "parse_bursts",
    "parse_rates",
    "parse_schedule",
    "run_grid",
    "saturate_json",
]
