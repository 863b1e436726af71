"""What every workload's run starts from: the machine it runs on, and a config's catalog and trace.

catalog, trace = prepare(config)   # the simulators' catalog and the seeded trace
run_json["machine"] = machine()    # cpus, Python, platform, load average at start
"""

from __future__ import annotations

import os
import platform
from typing import Any

from moodmix.bench.config import BenchConfig
from moodmix.bench.inprocess import catalog_spec
from moodmix.bench.tracemaker import build_trace
from moodmix.bench.workload import Trace
from moodmix.simulator.catalog import Catalog


def prepare(config: BenchConfig) -> tuple[Catalog, Trace]:
    catalog = Catalog.build(catalog_spec(config))
    return catalog, build_trace(catalog, config.workload())


def machine() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_1m_at_start": round(load[0], 2),
    }
