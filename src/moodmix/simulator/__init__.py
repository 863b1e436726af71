"""A ReccoBeats stand-in over real HTTP: same paths, shapes, limits and failure modes.

For tests, benchmarks and the offline demo::

    from moodmix.simulator import SimulatorConfig, SimulatorServer, run_in_thread

    async with SimulatorServer(SimulatorConfig(rate_per_min=60, burst=5)) as sim:
        ...  # point the client at sim.url; read sim.counters afterwards
    with run_in_thread(SimulatorConfig(port=8765, error_rate=0.02)) as sim:
        ...  # from sync code or another event loop

``GET /_admin/catalog/sample?n=5`` gives ids to ask for; ``/_admin/stats`` what was served;
``PATCH /_admin/config`` changes rate, latency and faults while it runs. A limit that moves
on a schedule: ``SimulatorConfig(rate_schedule="0:80/min,600:40/min")``.
"""

from moodmix.simulator.app import build_app
from moodmix.simulator.config import (
    RateStep,
    SimulatorConfig,
    describe_errors,
    parse_rate,
    parse_rate_schedule,
)
from moodmix.simulator.counters import Counters
from moodmix.simulator.faults import FaultKind
from moodmix.simulator.server import (
    RunningSimulator,
    SimulatorServer,
    build_catalog,
    run_in_thread,
    serve_forever,
)
from moodmix.simulator.state import SimulatorState

__all__ = [
    "Counters",
    "FaultKind",
    "RateStep",
    "RunningSimulator",
    "SimulatorConfig",
    "SimulatorServer",
    "SimulatorState",
    "build_app",
    "build_catalog",
    "describe_errors",
    "parse_rate",
    "parse_rate_schedule",
    "run_in_thread",
    "serve_forever",
]
