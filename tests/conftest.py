"""Shared fixtures: a small simulator catalog and running ReccoBeats simulators.

``catalog``
    One ``Catalog`` for the whole session: 3,000 tracks, 300 artists, seed 7.
``simulator``
    A ``SimulatorServer`` on ``127.0.0.1`` (free port), sharing ``catalog``, with limits
    no test reaches (1,000,000/min, burst 100,000) and no latency or faults. ``simulator.url``
    is the base URL without ``/v1``; ``simulator.counters`` says what it served.
``make_simulator``
    ``await make_simulator(**config_overrides)`` starts another one with ``SimulatorConfig``
    fields overridden (strict limits, faults...); ``clock=`` injects a ``ManualClock`` into its
    rate limiter. Every simulator started is stopped after the test.

::

    async def test_tracks(simulator, catalog):
        async with httpx.AsyncClient(base_url=simulator.url) as http:
            r = await http.get("/v1/track", params={"ids": catalog.track_spotify_ids()[:3]})

    async def test_backoff(make_simulator):
        sim = await make_simulator(rate_per_min=60, burst=2, retry_after_resolution=0.001)

The simulator package is imported inside the fixtures, so collecting tests that do not use
them never depends on it.

Every log line the suite writes is checked for secrets: the run logs at debug through
moodmix's own pipeline (``moodmix.logs``) into a file, and at the end that file and every
test's captured stdout and stderr are searched for each secret a service of the run was configured
with (``moodmix.logs.REDACTOR.known()``) and the suite's own (``SUITE_SECRETS``); a find
fails the run and names the test.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import structlog

from moodmix.logs import REDACTOR, configure_logging, flush_logs

if TYPE_CHECKING:
    from moodmix.clock import Clock
    from moodmix.simulator import SimulatorServer
    from moodmix.simulator.catalog import Catalog

MakeSimulator = Callable[..., Awaitable["SimulatorServer"]]

GENEROUS: dict[str, Any] = {
    "host": "127.0.0.1",
    "port": 0,
    "rate_per_min": 1_000_000,
    "burst": 100_000,
    "seed": 7,
    "tracks": 3_000,
    "artists": 300,
}
"""The ``simulator`` fixture's configuration; ``make_simulator`` starts from it too."""


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    from moodmix.simulator.catalog import Catalog, CatalogSpec

    return Catalog.build(CatalogSpec(seed=7, tracks=3_000, artists=300))


@pytest.fixture
async def make_simulator(catalog: Catalog) -> AsyncIterator[MakeSimulator]:
    from moodmix.clock import monotonic
    from moodmix.simulator import SimulatorConfig, SimulatorServer

    started: list[SimulatorServer] = []

    async def make(*, clock: Clock = monotonic, **overrides: Any) -> SimulatorServer:
        config = SimulatorConfig(**{**GENEROUS, **overrides})
        server = SimulatorServer(config, catalog, clock=clock)
        await server.start()
        started.append(server)
        return server

    yield make
    for server in reversed(started):
        await server.stop()


@pytest.fixture
async def simulator(make_simulator: MakeSimulator) -> SimulatorServer:
    return await make_simulator()


SUITE_SECRETS = ("adm1n-t0ken-Zq8vW2", "cl1ent-k3y-Hj4pL9")
"""Secrets tests send without starting a service with them (a wrong key, say)."""


class _LogCheck:
    """Where the suite's log goes, and where secrets were found."""

    def __init__(self) -> None:
        folder = Path(tempfile.mkdtemp(prefix="moodmix-suite-"))
        self.path = folder / "suite.log"
        self.file = self.path.open("w", encoding="utf-8")
        self.sections = 0
        self.lines = 0
        self.found: list[str] = []

    def secrets(self) -> frozenset[str]:
        return REDACTOR.known() | frozenset(SUITE_SECRETS)

    def scan(self, where: str, text: str) -> None:
        for secret in self.secrets():
            if secret in text:
                entry = f"{where}: {secret[:3]}..."
                if entry not in self.found:
                    self.found.append(entry)


_LOG_CHECK = _LogCheck()


def _log_to_suite() -> None:
    configure_logging("debug", json=True, stream=_LOG_CHECK.file)
    # Tests that configure structlog themselves must see moodmix's loggers follow them.
    structlog.configure(cache_logger_on_first_use=False)


def pytest_configure(config: pytest.Config) -> None:
    _log_to_suite()


@pytest.fixture(autouse=True)
def _structlog_restored() -> Iterator[None]:
    """A command under test may configure structlog for the rest of its process (``moodmix
    bench`` keeps only errors); the next test gets the suite's configuration back, so its
    warnings are still logged, captured and searched for secrets."""
    saved = structlog.get_config()
    yield
    structlog.configure(**saved)


@pytest.fixture
def log_buffer() -> Iterator[io.StringIO]:
    """moodmix's application logging (debug, JSON lines) into a buffer for one test, which
    may configure logging again as it likes; after it, the suite's log again, with the
    buffer's lines added to it for the final search."""
    buffer = io.StringIO()
    configure_logging("debug", json=True, stream=buffer)
    structlog.configure(cache_logger_on_first_use=False)
    try:
        yield buffer
    finally:
        flush_logs()
        _log_to_suite()
        _LOG_CHECK.file.write(buffer.getvalue())


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for name, text in report.sections:
        if name.startswith("Captured log"):
            continue  # pytest's own handler: it sees records before moodmix's pipeline does
        _LOG_CHECK.sections += 1
        _LOG_CHECK.scan(f"{report.nodeid} ({name})", text)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    flush_logs()
    _LOG_CHECK.file.flush()
    with _LOG_CHECK.path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            _LOG_CHECK.lines = number
            _LOG_CHECK.scan(f"{_LOG_CHECK.path}:{number}", line)
    if _LOG_CHECK.found:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    check = _LOG_CHECK
    terminalreporter.section("secrets in the logs")
    terminalreporter.write_line(
        f"{len(check.secrets())} secrets searched for in {check.lines} lines of the suite's "
        f"log ({check.path}) and {check.sections} captured outputs: "
        f"{len(check.found)} found"
    )
    for where in check.found[:50]:
        terminalreporter.write_line(f"  secret found in {where}", red=True)
