"""The per-client cap on playlists in progress holds under a burst of simultaneous requests,
on one instance and across instances sharing the database; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import httpx
from test_service_harness import MakeService, RunningService
from test_service_playlists import Gate, finished

pytest_plugins = ["test_service_harness"]

CAP = 5


async def burst(service: RunningService, n: int, tag: str) -> list[httpx.Response]:
    """``n`` different playlist requests from one client, all at once."""

    async def post(i: int) -> httpx.Response:
        return await service.http.post("/v1/playlists", json={"prompt": f"calm {tag} {i}"})

    return list(await asyncio.gather(*(post(i) for i in range(n))))


def accepted(answers: list[httpx.Response]) -> list[str]:
    for answer in answers:
        assert answer.status_code in (202, 429), answer.text
        if answer.status_code == 429:
            assert answer.json()["error"] == "too_many_playlists"
    return [a.json()["id"] for a in answers if a.status_code == 202]


async def test_200_simultaneous_requests_start_exactly_the_cap(make_service: MakeService) -> None:
    gate = Gate()
    running = await make_service(make=gate, client_max_jobs=CAP, max_running_jobs=CAP)
    ids = accepted(await burst(running, 200, "one"))
    assert len(ids) == CAP
    gate.open()
    for id in ids:
        assert (await running.until(id, finished))["status"] == "done"
    # Finished jobs give their slots back: a whole cap's worth is accepted again.
    again = accepted(await burst(running, CAP, "again"))
    assert len(again) == CAP
    for id in again:
        await running.until(id, finished)


async def test_the_cap_holds_across_instances_sharing_the_database(
    make_service: MakeService,
) -> None:
    gate = Gate()
    first = await make_service(make=gate, client_max_jobs=CAP)
    second = await make_service(make=gate, client_max_jobs=CAP)
    answers = await asyncio.gather(burst(first, 100, "a"), burst(second, 100, "b"))
    ids = accepted(answers[0]) + accepted(answers[1])
    assert len(ids) == CAP
    gate.open()
    for id in ids:
        await first.until(id, finished)
