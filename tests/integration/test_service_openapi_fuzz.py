"""Schemathesis against the live service's own ``/openapi.json``: every operation, valid and
invalid input, bounded so it fits in CI (``MOODMIX_FUZZ_EXAMPLES`` per operation and mode,
default 25).

No answer may be a 5xx other than the documented 503 (the upstream or the store
unavailable, with ``Retry-After``), and every answer must conform to the schema: a
documented status, content type, headers and body. The service runs in its own thread and
event loop (real uvicorn on a loopback port) against the simulator in another, because
schemathesis calls it synchronously. ``docs/SERVICE.md`` has the command for a longer run.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from moodmix.service.app import create_app
from moodmix.service.server import server_config
from moodmix.settings import Settings

schemathesis = pytest.importorskip("schemathesis")
import requests  # noqa: E402 (schemathesis brings it)
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.specs.openapi import checks as openapi_checks  # noqa: E402

EXAMPLES = int(os.environ.get("MOODMIX_FUZZ_EXAMPLES", "25"))
ADMIN_TOKEN = "fuzz-admin-token"

CONFORMANCE = [
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
]


class ThreadedService:
    """The app under uvicorn on its own event loop in a thread."""

    def __init__(self, settings: Settings) -> None:
        self.server = uvicorn.Server(
            server_config(create_app(settings), settings, host="127.0.0.1", port=0)
        )
        self.thread = threading.Thread(target=lambda: asyncio.run(self.server.serve()))
        self.url = ""

    def __enter__(self) -> ThreadedService:
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the service stopped before it started")
            self.thread.join(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)


@contextmanager
def serving(tmp: Path, **overrides: Any) -> Iterator[str]:
    """The service on a loopback port against a fast simulator; its base URL."""
    from moodmix.simulator import SimulatorConfig, run_in_thread

    config = SimulatorConfig(
        host="127.0.0.1", port=0, rate_per_min=1_000_000, burst=100_000, tracks=3_000, artists=300
    )
    with run_in_thread(config) as sim:
        fields: dict[str, Any] = {
            "reccobeats_url": sim.url,
            "database_url": f"sqlite+aiosqlite:///{tmp / 'fuzz.db'}",
            "cache_backend": "memory",
            "rate_mode": "fixed",
            "rate_per_min": 100_000,
            "burst": 1_000,
            "max_concurrency": 20,
            "prefetch": False,
            "admin_token": ADMIN_TOKEN,
            "client_max_jobs": 10_000,
            "wait_timeout_s": 10,
            **overrides,
        }
        with ThreadedService(Settings(**fields)) as service:
            yield service.url


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(tmp_path_factory.mktemp("fuzz")) as url:
        yield url


def operations(url: str) -> list[Any]:
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


def server_errors(response: Any) -> str | None:
    """Why ``response`` is a server error we do not allow, or ``None``."""
    if response.status_code < 500:
        return None
    if response.status_code == 503 and "retry-after" in {k.lower() for k in response.headers}:
        return None
    return f"{response.status_code}: {response.text[:500]}"


def problem(case: Any, response: Any) -> str | None:
    """What is wrong with ``response`` to ``case`` (a server error, or an answer outside the
    document), or ``None``."""
    error = server_errors(response)
    if error is None:
        try:
            case.validate_response(response, checks=CONFORMANCE)
        except (Exception, BaseExceptionGroup) as exc:
            error = str(exc)
    return (
        None if error is None else f"{case.operation.label}: {case.as_curl_command()}\n  -> {error}"
    )


GENERATED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
"""Bounded, repeatable runs: the same cases every time, nothing kept between runs."""


def fuzz(
    operation: Any, *, url: str, session: requests.Session, mode: str
) -> tuple[int, list[str]]:
    """Run up to ``EXAMPLES`` generated cases of ``operation``: how many, and the problems."""
    problems: list[str] = []
    calls = 0
    statuses: Counter[int] = Counter()
    generation = getattr(schemathesis.GenerationMode, mode.upper())

    @given(case=operation.as_strategy(generation_mode=generation))
    @GENERATED
    def run(case: Any) -> None:
        nonlocal calls
        calls += 1
        response = case.call(base_url=url, session=session, timeout=30)
        statuses[response.status_code] += 1
        found = problem(case, response)
        if found:
            problems.append(found)

    try:
        run()
    except Unsatisfiable:
        if mode == "positive":
            raise
        # Nothing to break: the operation takes no input (GET /healthz and the like).
    print(f"{mode} {operation.label}: {calls} calls, statuses {dict(sorted(statuses.items()))}")
    return calls, problems


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_every_operation_answers_within_its_schema(live: str, mode: str) -> None:
    ops = operations(live)
    labels = [op.label for op in ops]
    assert len(ops) >= 10, labels
    session = requests.Session()
    session.headers["X-Admin-Token"] = ADMIN_TOKEN
    problems: list[str] = []
    calls: dict[str, int] = {}
    for op in ops:
        calls[op.label], found = fuzz(op, url=live, session=session, mode=mode)
        problems.extend(found)
    takes_input = {op.label for op in ops if op.body or any(True for _ in op.iter_parameters())}
    assert all(calls[label] for label in takes_input), f"operations never called: {calls}"
    if mode == "positive":
        assert all(calls.values()), f"operations never called: {calls}"
    assert not problems, f"{len(problems)} problems:\n\n" + "\n\n".join(problems[:12])


def test_made_playlists_are_read_and_followed_by_their_ids(live: str) -> None:
    """Chained, where random ids would only find 404s: every playlist a generated
    ``POST /v1/playlists`` makes is then read (``GET /v1/playlists/{id}``) and followed
    (``GET .../events``) by the id it answered with, each answer checked like the rest.

    Chained by hand rather than with schemathesis' state machine: the service keeps state
    (a repeated request answers with the playlist already made), and Hypothesis refuses a
    state machine whose steps do not replay identically."""
    schema = schemathesis.openapi.from_url(f"{live}/openapi.json")
    make = schema["/v1/playlists"]["POST"]
    follow_ups = [schema["/v1/playlists/{id}"]["GET"], schema["/v1/playlists/{id}/events"]["GET"]]
    session = requests.Session()
    session.headers["X-Admin-Token"] = ADMIN_TOKEN
    seen: Counter[str] = Counter()
    problems: list[str] = []
    ids: list[str] = []

    def check(case: Any, response: Any) -> None:
        seen[f"{case.operation.label} -> {response.status_code}"] += 1
        found = problem(case, response)
        if found:
            problems.append(found)

    @given(case=make.as_strategy(generation_mode=GenerationMode.POSITIVE))
    @GENERATED
    def made(case: Any) -> None:
        response = case.call(base_url=live, session=session, timeout=30)
        check(case, response)
        if response.status_code in (200, 202):
            ids.append(response.json()["id"])

    made()
    assert ids, dict(seen)
    for id in dict.fromkeys(ids):
        for operation in follow_ups:
            case = operation.Case(path_parameters={"id": id})
            check(case, case.call(base_url=live, session=session, timeout=30))
    print(f"chained: {dict(sorted(seen.items()))}")
    assert not problems, f"{len(problems)} problems:\n\n" + "\n\n".join(problems[:12])
    assert seen["GET /v1/playlists/{id} -> 200"] == len(set(ids)), dict(seen)
    assert seen["GET /v1/playlists/{id}/events -> 200"] == len(set(ids)), dict(seen)
