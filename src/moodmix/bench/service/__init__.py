"""The service workload: the HTTP service as a real process, under load from another process.

    run = asyncio.run(run_service_bench(ServiceBenchConfig().quick()))
    print(table(run)); run.as_json()

``plan`` holds the settings and prompts, ``process`` starts the service and the load
generator (``load``), ``run`` runs the warm and cold phases.
"""

from moodmix.bench.service.plan import ServiceBenchConfig
from moodmix.bench.service.run import run_service_bench, table

__all__ = ["ServiceBenchConfig", "run_service_bench", "table"]
