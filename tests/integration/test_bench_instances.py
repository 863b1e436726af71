"""``moodmix bench --instances`` end to end: real instance processes, a simulator and a
throwaway Redis that is killed and restarted (a few seconds per phase)."""

from __future__ import annotations

import orjson
import pytest

from moodmix.bench.config import BenchConfig, scenarios
from moodmix.bench.instances import run_instances
from moodmix.bench.instances.report import instance_checks, instances_json

pytestmark = pytest.mark.redis


async def test_two_instances_with_an_outage_report_every_phase() -> None:
    config = BenchConfig(profiles=("adaptive",), scenarios=scenarios("matched"), users=60).quick()
    config = config.with_wall_duration(4.0)  # an outage longer than the 1 s heartbeat
    run = await run_instances(config, instances=2, redis_outage=True, start_delay_s=3.0)
    alone, shared, drill = run.phases
    assert (alone.instances, alone.shared) == (1, False)
    assert (shared.instances, shared.shared, shared.outage) == (2, True, None)
    assert drill.outage is not None
    assert drill.outage.restarted_at_s > drill.outage.killed_at_s
    assert drill.shared_outages_seen == 2  # both instances noticed, and said so
    for phase in run.phases:
        assert phase.sessions == alone.sessions
        assert phase.upstream_requests > 0
        assert phase.trace_mismatches == 0
        assert phase.failed_requests == sum(phase.errors.values())
        assert phase.batched_ids >= phase.batches > 0  # every batch call carries an id or more
        assert 0 <= phase.handovers <= phase.batched_ids
    assert alone.handovers == 0  # nobody to carry ids for
    data = orjson.loads(instances_json(run))
    assert data["instances"] == 2
    assert [r["instances"] for r in data["results"]] == [1, 2, 2]
    for result, phase in zip(data["results"], run.phases, strict=True):
        assert (result["rate_probes"], result["loop_lag_p99_ms"], result["handovers"]) == (
            phase.rate_probes,
            phase.loop_lag_p99_ms,
            phase.handovers,
        )
    assert {c["target"] for c in data["targets"]} == {c.target for c in instance_checks(run)}
