"""How a playlist job ends, stored, counted and announced: failed, given up, released, closed.

::

    outcomes = JobOutcomes(repo, broker, settings, owner=runner.owner, on_outcome=count)
    outcomes.close(id, final, DONE)                   # the stored final row, to the followers
    await outcomes.fail(id, {"kind": "no_seeds", "message": ...}, last)
    await outcomes.give_up(row)                       # started MOODMIX_JOB_MAX_ATTEMPTS times
    await outcomes.release(id, last)                  # a shutdown: queued again for anyone
    queued_event("waiting for a free worker")         # the progress of a job not running

A failed change to a finished playlist (``revising``) leaves it ``done`` at the version it had,
with ``error`` saying why. A failure that cannot be stored leaves the job unfinished in the
store: once its heartbeat lapses an instance adopts it again. ``on_outcome`` hears ``done``,
``failed``, ``released`` or ``lost`` (the job was no longer this instance's to finish).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import structlog

from moodmix.service.events import EventBroker, JobEvent
from moodmix.service.models import FAILED, QUEUED, PlaylistRow
from moodmix.service.repository import PlaylistRepository
from moodmix.service.resources import playlist_json
from moodmix.settings import Settings

log = structlog.get_logger("moodmix.service.jobs")

Json = dict[str, Any]


def queued_event(message: str = "waiting for a free worker") -> Json:
    return {"stage": "queued", "message": message}


class JobOutcomes:
    """Ends this instance's jobs (``owner``'s) in the store and on the event broker."""

    def __init__(
        self,
        repo: PlaylistRepository,
        broker: EventBroker,
        settings: Settings,
        *,
        owner: str,
        on_outcome: Callable[[str], None],
    ) -> None:
        self.repo = repo
        self.owner = owner
        self._broker = broker
        self._settings = settings
        self._on_outcome = on_outcome

    async def fail(
        self, id: str, error: Json, last: Json, revising: bool = False
    ) -> PlaylistRow | None:
        """Store why the job failed: the playlist ``failed``, or for a change to a finished
        one, ``done`` at the version it had (``error`` says why the change was not made)."""
        progress = {"stage": FAILED, "message": error["message"], "at": last.get("stage")}
        error = {**error, "stage": last.get("stage")}
        if revising:
            error["change"] = True
        try:
            if revising:
                final = await self.repo.versions.abandon(
                    id, owner=self.owner, error=error, progress=progress
                )
            else:
                final = await self.repo.fail(id, owner=self.owner, error=error, progress=progress)
        except Exception:
            # Left unfinished in the store: once its heartbeat lapses it is adopted again.
            log.exception("job_failure_not_stored", id=id, error=error["message"])
            self._broker.close(id, JobEvent("interrupted", {"id": id, **progress}))
            return None
        self.close(id, final, FAILED)
        return final

    async def give_up(self, row: PlaylistRow, revising: bool = False) -> PlaylistRow | None:
        tried = row.attempts - 1
        why = row.note or "the service stopped while making it"
        message = (
            f"{why}; not started again: it was started {tried} time"
            f"{'s' if tried != 1 else ''} already (MOODMIX_JOB_MAX_ATTEMPTS="
            f"{self._settings.job_max_attempts})"
        )
        return await self.fail(
            row.id, {"kind": "interrupted", "message": message}, row.progress or {}, revising
        )

    async def release(self, id: str, last: Json) -> None:
        stage = last.get("stage", "queued")
        note = f"interrupted by a shutdown at stage {stage!r}"
        progress = queued_event(f"{note}; it starts again when the service is back")
        try:
            await asyncio.shield(
                self.repo.release(id, owner=self.owner, progress=progress, note=note)
            )
        except Exception:
            log.exception("job_release_failed", id=id)
        log.warning("job_released", id=id, stage=stage)
        self._on_outcome("released")
        self._broker.close(id, JobEvent("interrupted", {"id": id, "status": QUEUED, **progress}))

    def close(self, id: str, final: PlaylistRow | None, kind: str) -> None:
        self._on_outcome(kind if final is not None else "lost")
        if final is None:
            self._broker.close(id, JobEvent("interrupted", {"id": id}))
            return
        self._broker.close(id, JobEvent(kind, playlist_json(final)))
