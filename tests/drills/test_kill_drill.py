"""SIGKILL drill: the service process is killed with playlist jobs in flight, then started
again on the same database. Every accepted playlist must finish, or be failed with the
reason; none may vanish or stay unfinished."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
from drillkit import Figures, ServiceProcess, process_env, set_faults

from moodmix.simulator import SimulatorServer

PROMPTS = [
    "rainy sunday, mellow acoustic",
    "pre-game hype, loud",
    "late night jazz, calm",
    "summer road trip, upbeat",
    "focus, instrumental, steady",
]


async def test_sigkill_with_jobs_in_flight_loses_no_playlist(
    simulator: SimulatorServer,
    tmp_path: Path,
    processes: list[ServiceProcess],
    figures: Figures,
) -> None:
    env = process_env(simulator, tmp_path, job_lease_s=2, log_level="warning")
    # Slow the upstream so the jobs are still running when the process dies.
    await set_faults(simulator, latency_ms=400, latency_p99_ms=800)
    first = ServiceProcess(env, tmp_path / "service.log")
    processes.append(first)
    await first.ready()
    accepted: list[str] = []
    async with httpx.AsyncClient(base_url=first.url, timeout=30) as http:
        for prompt in PROMPTS:
            r = await http.post("/v1/playlists", json={"prompt": prompt, "size": 10})
            assert r.status_code == 202, r.text
            accepted.append(r.json()["id"])

        async def running() -> int:
            states = [(await http.get(f"/v1/playlists/{id}")).json() for id in accepted]
            return sum(state["status"] == "running" for state in states)

        async with asyncio.timeout(30):
            while True:
                if await running() > 0:
                    break
                await asyncio.sleep(0.05)
    first.kill()
    await set_faults(simulator, latency_ms=0, latency_p99_ms=0)

    second = ServiceProcess(env, tmp_path / "service.log")
    processes.append(second)
    await second.ready()
    final: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=second.url, timeout=30) as http, asyncio.timeout(90):
        while len(final) < len(accepted):
            for id in accepted:
                r = await http.get(f"/v1/playlists/{id}")
                assert r.status_code == 200, r.text  # it did not vanish
                body = r.json()
                if body["status"] in ("done", "failed"):
                    final[id] = body
            await asyncio.sleep(0.2)
    failed = [body for body in final.values() if body["status"] == "failed"]
    for body in failed:
        assert body["error"]["message"], body
    for body in final.values():
        if body["status"] == "done":
            assert body["playlist"]["tracks"], body
    restarted = [body for body in final.values() if body["attempts"] >= 2]
    assert restarted
    for body in restarted:
        assert "stopped answering" in body["note"], body  # says why it was made again
    figures.record(
        "service SIGKILLed with playlist jobs in flight, then restarted",
        failed=len(failed),
        could_fail=len(accepted),
        outcome=f"all {len(accepted)} accepted playlists accounted for; {len(restarted)} were "
        "adopted after their lease ran out and made again; none vanished",
    )
