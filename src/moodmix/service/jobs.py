"""Playlist jobs: run in the background, stored at every step, never silently lost.

::

    runner = JobRunner(repo, gateway, broker, quota, settings)
    await runner.start()                       # adopts jobs a stopped instance left behind
    row = await runner.submit({"prompt": "rainy Sunday", "size": 20, ...}, client="ip:…")
    row = await runner.wait(row.id, within=60)   # the finished row, or None if still going
    await runner.stop(grace=10)                # finish what fits in 10 s, release the rest

A job is a row in the store (see ``models``). This instance holds the jobs it runs through
a heartbeat; a graceful stop lets running jobs finish for ``grace`` seconds, then cancels the
rest and releases them as ``queued`` with a note saying where they were. Any instance sharing
the database adopts released jobs, and jobs whose holder stopped heartbeating, on its next
sweep: the job starts again (cheaply: what it already fetched is in the gateway's cache).
After ``job_max_attempts`` starts a job is failed with the reason instead of started again.

Worker capacity scales apart from HTTP: with ``max_running_jobs=0`` an instance only stores
jobs (``owner`` empty) and runs none; instances with capacity (``moodmix worker``) adopt
them on their next sweep, at once when ``wake()`` is called (``wakeup.JobWakeup`` relays
that between processes through Redis). A sweep adopts no more jobs than there are free
slots, so queued work spreads over every instance that has room.

How a job ends (failed, given up, released, closed) is ``job_outcomes``; the change a job
makes to a finished playlist is ``revision_jobs``; the engine's request is read from the
stored one by ``stored_requests``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from typing import Any, Final, Protocol

import structlog

from moodmix.engine.pipeline import make_playlist
from moodmix.engine.playlist import Playlist, PlaylistRequest
from moodmix.engine.progress import Progress
from moodmix.engine.seeds import NoSeedsFound
from moodmix.reccobeats.errors import ReccoBeatsError
from moodmix.reccobeats.gateway import ReccoBeats
from moodmix.service.errors import upstream_problem
from moodmix.service.events import EventBroker, JobEvent
from moodmix.service.job_outcomes import JobOutcomes, queued_event
from moodmix.service.models import DONE, PUBLIC, QUEUED, RUNNING, PlaylistRow
from moodmix.service.quota import ClientQuota
from moodmix.service.repository import PlaylistRepository, new_id, stale_before
from moodmix.service.revision_jobs import make_revision
from moodmix.service.stored_requests import engine_request
from moodmix.settings import Settings

log = structlog.get_logger("moodmix.service.jobs")

Json = dict[str, Any]

MAX_MAINTENANCE_INTERVAL_S: Final = 2.0
"""Heartbeats and sweeps happen at least this often (more often for short leases)."""


class MakePlaylist(Protocol):
    """``moodmix.engine.pipeline.make_playlist``'s shape."""

    def __call__(
        self,
        gateway: ReccoBeats,
        request: PlaylistRequest,
        *,
        on_progress: Callable[[Progress], object] | None = None,
    ) -> Awaitable[Playlist]: ...


class NotAccepting(Exception):
    """The runner is stopping; new jobs go to another instance or wait for the restart."""


def instance_name() -> str:
    """Who holds a job: host, process and a random part (restarts never reuse one)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(4)}"


class JobRunner:
    """Runs playlist jobs on this instance, at most ``max_running_jobs`` at once."""

    def __init__(
        self,
        repo: PlaylistRepository,
        gateway: ReccoBeats,
        broker: EventBroker,
        quota: ClientQuota,
        settings: Settings,
        *,
        make: MakePlaylist = make_playlist,
        owner: str | None = None,
        on_outcome: Callable[[str], None] | None = None,
        on_enqueued: Callable[[str], None] | None = None,
    ) -> None:
        self.repo = repo
        self.owner = owner or instance_name()
        self._gateway = gateway
        self._broker = broker
        self._quota = quota
        self._settings = settings
        self._make = make
        self._on_enqueued = on_enqueued or (lambda _: None)
        self._capacity = settings.max_running_jobs
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(settings.max_running_jobs)
        self._tasks: dict[str, asyncio.Task[PlaylistRow | None]] = {}
        self._unsaved: dict[str, Json] = {}
        self._accepting = False
        self._maintenance: asyncio.Task[None] | None = None
        self._outcomes = JobOutcomes(
            repo, broker, settings, owner=self.owner, on_outcome=on_outcome or (lambda _: None)
        )

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Adopt what stopped instances left behind, then keep heartbeating and sweeping."""
        self._accepting = True
        await self.sweep()
        self._maintenance = asyncio.create_task(self._maintain(), name="moodmix-jobs")

    async def stop(self, grace: float) -> None:
        """Take no new jobs; let running ones finish for ``grace`` seconds; release the rest."""
        self._accepting = False
        tasks = list(self._tasks.values())
        if tasks and grace > 0:
            await asyncio.wait(tasks, timeout=grace)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._maintenance is not None:
            self._maintenance.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._maintenance
            self._maintenance = None

    @property
    def accepting(self) -> bool:
        return self._accepting

    # --- jobs -----------------------------------------------------------------------------------

    async def submit(
        self,
        request: Json,
        *,
        client: str,
        account: str = PUBLIC,
        key: str | None = None,
        idempotency_key: str | None = None,
    ) -> PlaylistRow:
        """Store a new job for ``request`` (the engine's fields), ``account``'s playlist, and
        start it when a worker is free; ``key`` lets an identical request find it
        (``results.request_key``).
        ``repository.DuplicateKey`` if ``client`` sent ``idempotency_key`` before;
        ``repository.TooManyJobs`` if it has ``client_max_jobs`` in progress on any instance
        sharing the database. With no local workers the job is left for a worker process to
        adopt."""
        if not self._accepting:
            raise NotAccepting("the service is shutting down")
        local = self._capacity > 0
        row = await self.repo.create(
            new_id(),
            client=client,
            request=request,
            owner=self.owner if local else None,
            progress=queued_event(),
            request_key=key,
            idempotency_key=idempotency_key,
            slots=self._settings.client_max_jobs,
            account=account,
        )
        if local:
            self._launch(row.id, client, request)
        else:
            self._on_enqueued(row.id)
        return row

    async def revise(
        self, row: PlaylistRow, *, revision: Json, request: Json, client: str
    ) -> PlaylistRow:
        """Queue a job making ``revision`` (``{"op": "refine", "text": ...}`` or ``{"op":
        "extend", "count": n}``) to the finished playlist ``row`` at the version it shows,
        with ``request`` as its current request from now on (``current_request``);
        ``versions.VersionConflict`` if it changed meanwhile. Run here when a worker is free,
        else by a worker process."""
        if not self._accepting:
            raise NotAccepting("the service is shutting down")
        local = self._capacity > 0
        queued = await self.repo.versions.begin(
            row.id,
            base=row.version,
            revision=revision,
            request=request,
            owner=self.owner if local else None,
            progress=queued_event(),
        )
        if local:
            self._launch(row.id, client, request)
        else:
            self._on_enqueued(row.id)
        return queued

    def holds(self, id: str) -> bool:
        """Whether the job is queued or running on this instance."""
        return id in self._tasks

    def wake(self) -> None:
        """Sweep for jobs to adopt now rather than at the next heartbeat."""
        self._wake.set()

    async def wait(self, id: str, within: float) -> PlaylistRow | None:
        """The job's final row once it is done or failed here, or ``None`` if it is not
        finished within ``within`` seconds (or runs elsewhere)."""
        task = self._tasks.get(id)
        if task is None:
            return None
        try:
            return await asyncio.wait_for(asyncio.shield(task), within)
        except TimeoutError:
            return None
        except asyncio.CancelledError:
            if _cancelling():
                raise
            return None  # the job was interrupted by a shutdown

    def running(self) -> int:
        return len(self._tasks)

    def live(self, id: str) -> tuple[str, Json] | None:
        """``(status, progress)`` of a job running here: fresher than the stored one."""
        return self._broker.current(id)

    @property
    def _lapsed(self) -> str:
        lease = self._settings.job_lease_s
        return (
            f"the instance making it stopped answering (no heartbeat for {lease:g} s: it "
            "crashed, was killed or lost the database)"
        )

    async def sweep(self) -> int:
        """Adopt unfinished jobs nobody holds; how many were adopted."""
        cutoff = stale_before(self._settings.job_lease_s)
        adopted = 0
        room = self._capacity - len(self._tasks)
        if room <= 0 or not self._accepting:
            return 0
        for id in await self.repo.orphans(stale_before=cutoff, limit=room + len(self._tasks)):
            if id in self._tasks or not self._accepting or adopted >= room:
                continue
            if await self.repo.adopt(
                id, owner=self.owner, stale_before=cutoff, lapsed_note=self._lapsed
            ):
                row = await self.repo.get(id)
                if row is None:
                    continue
                log.info("job_adopted", id=id, attempts=row.attempts, note=row.note)
                self._launch(id, row.client, row.request, resumed=row)
                adopted += 1
        return adopted

    # --- internals ------------------------------------------------------------------------------

    def _launch(
        self, id: str, client: str, request: Json, *, resumed: PlaylistRow | None = None
    ) -> None:
        progress = queued_event() if resumed is None else queued_event(_resumed(resumed))
        self._broker.open(id, status=QUEUED, progress=progress)
        task = asyncio.create_task(self._run(id, client, request), name=f"playlist-{id}")
        self._tasks[id] = task
        task.add_done_callback(lambda _: self._forget(id))

    def _forget(self, id: str) -> None:
        self._tasks.pop(id, None)
        self._unsaved.pop(id, None)
        self._wake.set()  # a slot is free: adopt waiting jobs now

    async def _run(self, id: str, client: str, request: Json) -> PlaylistRow | None:
        last: Json = queued_event()
        revising = False
        try:
            async with self._slots:
                row = await self.repo.start(id, owner=self.owner)
                if row is None:
                    self._broker.close(id, JobEvent("interrupted", {"id": id}))
                    return None
                revising = row.revision is not None
                if row.attempts > self._settings.job_max_attempts:
                    return await self._outcomes.give_up(row, revising)
                what = "changing the playlist" if revising else "making the playlist"
                last = {"stage": "started", "message": what}
                self._broker.status(id, RUNNING)
                self._broker.progress(id, last)

                def on_progress(event: Progress) -> None:
                    nonlocal last
                    if event.stage in ("done", "failed"):
                        return
                    last = event.to_json()
                    self._unsaved[id] = last
                    self._broker.progress(id, last)

                if revising:
                    with self._quota.acting_for(client):
                        revised = await make_revision(self._gateway, self.repo, row, on_progress)
                    final = await self.repo.versions.finish(
                        id,
                        owner=self.owner,
                        playlist=revised.playlist.to_json(),
                        change=revised.change,
                        progress={"stage": DONE, "message": revised.change},
                    )
                    self._outcomes.close(id, final, DONE)
                    return final
                with self._quota.acting_for(client):
                    playlist = await self._make(
                        self._gateway, engine_request(request), on_progress=on_progress
                    )
                result = playlist.to_json()
                done = {"stage": DONE, "message": _done_message(playlist)}
                final = await self.repo.finish(id, owner=self.owner, result=result, progress=done)
                self._outcomes.close(id, final, DONE)
                return final
        except asyncio.CancelledError:
            await self._outcomes.release(id, last)
            raise
        except ReccoBeatsError as exc:
            problem = upstream_problem(exc)
            error = {"kind": problem.code, **problem.to_json()}
            return await self._outcomes.fail(id, error, last, revising)
        except NoSeedsFound as exc:
            return await self._outcomes.fail(
                id, {"kind": "no_seeds", "message": str(exc)}, last, revising
            )
        except ValueError as exc:
            error = {"kind": "invalid_request", "message": str(exc)}
            return await self._outcomes.fail(id, error, last, revising)
        except Exception as exc:
            log.exception("job_crashed", id=id)
            message = f"the playlist could not be made: {type(exc).__name__}: {exc}"
            error = {"kind": "internal_error", "message": message}
            return await self._outcomes.fail(id, error, last, revising)

    async def _maintain(self) -> None:
        interval = min(MAX_MAINTENANCE_INTERVAL_S, self._settings.job_lease_s / 3)
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(interval):  # not wait_for: it can swallow a cancel
                    await self._wake.wait()
            self._wake.clear()
            try:
                unsaved, self._unsaved = self._unsaved, {}
                await self.repo.heartbeat(owner=self.owner, ids=list(self._tasks), progress=unsaved)
                await self.sweep()
            except Exception:
                log.exception("job_maintenance_failed")


def _resumed(row: PlaylistRow) -> str:
    why = row.note or "the service stopped while making it"
    return f"{why}; starting again (attempt {row.attempts + 1})"


def _done_message(playlist: Playlist) -> str:
    return f"{len(playlist.tracks)} tracks, {playlist.upstream_requests} upstream requests"


def _cancelling() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
