"""The several-instances workload: N processes sharing one Redis, against one simulator.

    run = asyncio.run(run_instances(config, instances=3, profile="adaptive", redis_outage=True))
    render_instances(run, console); path.write_bytes(instances_json(run))

``run`` starts the phases, ``worker`` is one instance's process, ``results`` what each phase
found, ``report`` the table, the targets and the JSON.
"""

from moodmix.bench.instances.report import instances_json, render_instances
from moodmix.bench.instances.run import run_instances

__all__ = ["instances_json", "render_instances", "run_instances"]
