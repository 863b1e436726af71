"""Job events read from the database: for a job running elsewhere when Redis cannot help.

The instance running a job stores its progress at every heartbeat, so reading the row every
``interval_s`` follows it, coarser than live events but from any instance::

    async for event in poll_store(repo, "k3J9x", interval_s=1.0):
        ...                      # state, progress (when it changed), then done | failed

``sent_state=True`` and ``last_progress`` continue a stream another source started (no
second ``state`` event, no repeated progress).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

from moodmix.service.events.broker import JobEvent
from moodmix.service.models import DONE, FAILED, PlaylistRow
from moodmix.service.repository import PlaylistRepository
from moodmix.service.resources import playlist_json

Json = dict[str, Any]


def state_of(row: PlaylistRow) -> Json:
    """The ``state`` event's data for a stored row."""
    return {"id": row.id, "status": row.status, "progress": row.progress}


def final_of(row: PlaylistRow) -> JobEvent:
    """The ``done`` or ``failed`` event of a finished row."""
    return JobEvent(row.status, playlist_json(row))


async def poll_store(
    repo: PlaylistRepository,
    id: str,
    *,
    interval_s: float,
    sent_state: bool = False,
    last_progress: Json | None = None,
) -> AsyncGenerator[JobEvent, None]:
    """The job's events as the store shows them, until it is finished (or gone)."""
    while True:
        row = await repo.get(id)
        if row is None:
            return
        if not sent_state:
            yield JobEvent("state", state_of(row))
            sent_state = True
        elif row.progress != last_progress and row.status not in (DONE, FAILED):
            yield JobEvent("progress", row.progress or {})
        last_progress = row.progress
        if row.status in (DONE, FAILED):
            yield final_of(row)
            return
        await asyncio.sleep(interval_s)
