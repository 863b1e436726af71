"""Fault drills: break the upstream, the database or the process on purpose, and check what a
user sees. Every test here is marked ``drill``; each records a figure, "requests that failed
vs. requests that could have failed", printed at the end of the run (``drillkit``)::

    async def test_5xx_burst(drill_service, simulator, figures):
        running = await drill_service(ttl_tracks_s=0.5)
        ...
        figures.record("5xx burst", failed=8, could_fail=16, outcome="stale served, 503 rest")

``drill_service(**settings)`` starts the real service (uvicorn on a loopback port, the
simulator upstream unless ``upstream=`` names another, SQLite in a temporary folder).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from drillkit import (
    DRILL_UPSTREAM,
    FIGURES,
    DrillService,
    Figures,
    RunningService,
    ServiceProcess,
)

from moodmix.settings import Settings


@pytest.fixture
def figures() -> Figures:
    return FIGURES


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.drill)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not FIGURES.recorded:
        return
    terminalreporter.section("drill figures: failed vs. could have failed")
    for figure in FIGURES.recorded:
        terminalreporter.write_line(figure.line())


@pytest.fixture
async def drill_service(simulator: Any, tmp_path: Path) -> AsyncIterator[DrillService]:
    started: list[RunningService] = []

    async def make(*, upstream: Any = None, **overrides: Any) -> RunningService:
        values = {
            "reccobeats_url": (upstream or simulator).url,
            "database_url": f"sqlite+aiosqlite:///{tmp_path / 'moodmix.db'}",
            **DRILL_UPSTREAM,
            **overrides,
        }
        running = await RunningService(Settings(**values)).start()
        started.append(running)
        return running

    yield make
    for running in reversed(started):
        await running.stop()


@pytest.fixture
def processes() -> Iterator[list[ServiceProcess]]:
    """``moodmix serve`` processes a drill starts (append them): killed after it."""
    started: list[ServiceProcess] = []
    yield started
    for process in started:
        process.kill()
