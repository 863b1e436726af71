"""The embedded ReccoBeats stand-in that every command with ``--offline`` runs in-process.

    with offline_simulator(offline, console) as sim:
        settings = Settings(reccobeats_url=sim.url, cache_backend="memory") if sim else Settings()

``None`` when not offline (the configured upstream); otherwise the running simulator, stopped
when the block ends. The simulator (numpy, aiohttp) is imported only then, so other commands
start quickly.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from moodmix.simulator import RunningSimulator


@contextlib.contextmanager
def offline_simulator(offline: bool, console: Console) -> Iterator[RunningSimulator | None]:
    """The simulator started on a free port when ``offline``, else ``None``."""
    if not offline:
        yield None
        return
    from moodmix.simulator import SimulatorConfig, run_in_thread

    with console.status("Starting the embedded ReccoBeats simulator…"):
        running = run_in_thread(SimulatorConfig(port=0, rate_per_min=600, burst=10))
    with running as sim:
        yield sim
