"""End-to-end tests: the pages in headless Chromium against the service and the simulator.

The service harness lives beside the integration tests; put it on the path so the browser
tests start the app the same way (real uvicorn on a loopback port, the simulator upstream).

``running``
    The service on SQLite (a temporary file) with the simulator upstream, never waiting for
    quota; ``running.url`` is its base URL.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

HARNESS_DIR = Path(__file__).resolve().parent.parent / "integration"
if str(HARNESS_DIR) not in sys.path:
    sys.path.insert(0, str(HARNESS_DIR))

from test_service_harness import FAST_UPSTREAM, RunningService  # noqa: E402

from moodmix.settings import Settings  # noqa: E402


@pytest.fixture
async def running(simulator: Any, tmp_path: Path) -> AsyncIterator[RunningService]:
    settings = Settings(
        reccobeats_url=simulator.url,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'moodmix.db'}",
        **FAST_UPSTREAM,
    )
    service = await RunningService(settings).start()
    yield service
    await service.stop()
