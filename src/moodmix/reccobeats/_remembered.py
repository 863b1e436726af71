"""``RememberedRate``: what the adaptive rate learnt, kept in L2 so a restart starts from it.

A restarted gateway starts from the rate, floor and ceiling its controller last held,
discounted by their age (``AdaptiveRate.resume``), not from the profile's rate. They are one
record per upstream (``key``) in the gateway's L2 storage (the SQLite file, or Redis in
shared mode), with the wall-clock second they were saved (``wall_clock``: the gateway's, the
clock the storage expires entries on, as for the cache; virtual time ages them too)::

    remembered = RememberedRate(storage, controller, upstream=settings.reccobeats_url,
                                apply=scheduler.limiter.set_rate, wall_clock=time.time)
    await remembered.ready()    # before the first request: load and resume (once; cheap after)
    ...                         # in the background: saved when it changed, at most every 5 s
    await remembered.aclose()   # and once more on the way out

The record is saved when what the controller learnt changed (checked every ``every``
seconds, so never more often), at least every ``REFRESH_S`` seconds while it holds anything
(so its age says when a controller last held it, even after a crash), and at ``aclose``;
never while a request waits. A controller still at its starting point saves nothing, so a
gateway that learnt nothing does not overwrite what an earlier one learnt.

Nothing here fails a request: a storage that cannot be read or written within
``IO_TIMEOUT_S`` logs ``learned_rate_unavailable`` at warning (once until it answers again)
and the gateway goes on, from the profile's rate or with what it has. A record that cannot
be read logs ``learned_rate_unreadable`` and is ignored; the next save overwrites it.

With a shared ``budget`` the processes of a deployment already share the controller's live
state through it, and it is dropped soon after the last process stops beating
(``coordination.STATE_KEPT_S``). A process that finds a live state that knows something
takes it (through ``StateSync``, as before) and resumes nothing; one that finds none, or
only what a fresh controller would hold (a process of the same restart published its own),
resumes from the record and publishes the result for the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Callable
from typing import Final

import orjson
import structlog

from moodmix.clock import Clock, wall
from moodmix.coordination import Budget, SharedUnavailable
from moodmix.resilience.adaptive import AdaptiveRate, Learned
from moodmix.store import Storage, StorageUnavailable, Stored

log = structlog.get_logger("moodmix.ratelimit")

KEPT_S = 24 * 3600.0
"""A record not saved again for this long is dropped by the storage: by then it is so
discounted that the profile's rate is as good a start."""

_KEY = "adaptive-rate:"


REFRESH_S: Final = 60.0
"""A record that holds anything is saved at least this often, so its age says when a
controller last held it."""
IO_TIMEOUT_S: Final = 2.0
"""Seconds a read or write of the record may take before the gateway goes on without it."""


class RememberedRate:
    """Loads ``controller``'s learnt state from ``storage`` once and keeps it saved there."""

    def __init__(
        self,
        storage: Storage,
        controller: AdaptiveRate,
        *,
        upstream: str,
        apply: Callable[[float], None],
        wall_clock: Clock = wall,
        budget: Budget | None = None,
        every: float = 5.0,
    ) -> None:
        if not upstream:
            raise ValueError("upstream must name the upstream (its base URL), got ''")
        if not (isinstance(every, int | float) and 0 < every < math.inf):
            raise ValueError(f"every must be a number of seconds > 0, got {every!r}")
        self.key = _KEY + upstream.rstrip("/")
        """The record's key in the storage: one per upstream base URL."""
        self._storage = storage
        self._controller = controller
        self._apply = apply
        self._wall = wall_clock
        self._budget = budget
        self._every = float(every)
        self._refresh = REFRESH_S
        self._timeout = IO_TIMEOUT_S
        self._initial = controller.learned()
        self._fresh = orjson.loads(orjson.dumps(controller.state()))
        self._saved = self._initial
        self._saved_at = -math.inf
        self._failing = False
        self._ready = False
        self._loading: asyncio.Task[None] | None = None
        self._keeper: asyncio.Task[None] | None = None
        self._closed = False
        self.resumed: tuple[Learned, float] | None = None
        """What was resumed from and its age in seconds, once loaded (``None``: nothing)."""

    async def ready(self) -> None:
        """Load and resume once (every caller waits for that one load), then keep saving."""
        if self._ready:
            return
        if self._loading is None:
            self._loading = asyncio.get_running_loop().create_task(
                self._start(), name="learned-rate-load"
            )
        await asyncio.shield(self._loading)

    async def aclose(self) -> None:
        """Stop saving in the background, and save once more if anything was learnt."""
        if self._closed:
            return
        self._closed = True
        for task in (self._loading, self._keeper):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        learned = self._controller.learned()
        if self._ready and learned != self._initial:
            await self._save(learned)

    # --- internals ------------------------------------------------------------------------------

    async def _start(self) -> None:
        try:
            await self._load()
        finally:
            self._ready = True
        if not self._closed:
            self._keeper = asyncio.get_running_loop().create_task(
                self._keep(), name="learned-rate-save"
            )

    async def _load(self) -> None:
        if self._budget is not None and await self._shared_state_known():
            log.debug("learned_rate_shared", key=self.key)
            return
        try:
            async with asyncio.timeout(self._timeout):
                found = await self._storage.get_many([self.key])
        except (StorageUnavailable, TimeoutError, OSError) as exc:
            self._unavailable("load", exc)
            return
        stored = found.get(self.key)
        if stored is None:
            return
        try:
            learned, saved_at = decode(stored.value)
        except ValueError as exc:
            log.warning("learned_rate_unreadable", key=self.key, error=str(exc))
            return
        age = max(0.0, self._wall() - saved_at)
        self._controller.resume(learned, age_s=age)
        self._apply(self._controller.rate)
        self.resumed = (learned, age)
        self._saved, self._saved_at = self._controller.learned(), saved_at
        if self._budget is not None:
            await self._publish()
        log.info(
            "learned_rate_resumed",
            rate_per_min=round(self._controller.rate * 60, 2),
            saved_rate_per_min=round(learned.rate * 60, 2),
            saved_floor_per_min=round(learned.floor * 60, 2),
            saved_ceiling_per_min=None
            if learned.ceiling is None
            else round(learned.ceiling * 60, 2),
            age_s=round(age, 1),
        )

    async def _shared_state_known(self) -> bool:
        """Whether the deployment's processes share a state that knows something: one a fresh
        controller would not have (``False`` if the budget cannot say: the record is the
        better start then)."""
        assert self._budget is not None
        try:
            async with asyncio.timeout(self._timeout):
                _, state = await self._budget.load()
        except (SharedUnavailable, TimeoutError):
            return False
        return state is not None and state != self._fresh

    async def _publish(self) -> None:
        """Make the resumed state the deployment's, whether or not this process's bucket has
        synced yet (another process's may have published a fresh one meanwhile)."""
        assert self._budget is not None
        try:
            async with asyncio.timeout(self._timeout):
                await self._budget.publish(self._controller.state())
        except (SharedUnavailable, TimeoutError) as exc:
            self._unavailable("publish", exc)

    async def _keep(self) -> None:
        while not self._closed:
            await asyncio.sleep(self._every)
            learned = self._controller.learned()
            if learned == self._initial:
                continue
            if learned != self._saved or self._wall() - self._saved_at >= self._refresh:
                await self._save(learned)

    async def _save(self, learned: Learned) -> None:
        now = self._wall()
        record = Stored(encode(learned, saved_at=now), expires_at=now + KEPT_S)
        try:
            async with asyncio.timeout(self._timeout):
                await self._storage.set_many({self.key: record})
        except (StorageUnavailable, TimeoutError, OSError) as exc:
            self._unavailable("save", exc)
            return
        self._saved, self._saved_at, self._failing = learned, now, False

    def _unavailable(self, doing: str, exc: BaseException) -> None:
        if not self._failing:
            log.warning(
                "learned_rate_unavailable",
                doing=doing,
                key=self.key,
                error=str(exc) or type(exc).__name__,
            )
        self._failing = True


def encode(learned: Learned, *, saved_at: float) -> bytes:
    """The stored record: ``learned`` (per second) and the wall-clock second it was saved."""
    return orjson.dumps({**learned.to_dict(), "saved_at": saved_at})


def decode(raw: bytes) -> tuple[Learned, float]:
    """The inverse of ``encode``; ``ValueError`` saying what is wrong with ``raw``."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"the record is not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError(f"the record must be a JSON object, got {type(data).__name__}")
    saved_at = data.get("saved_at")
    if isinstance(saved_at, bool) or not isinstance(saved_at, int | float):
        raise ValueError(f"the record's 'saved_at' must be a number, got {saved_at!r}")
    if not math.isfinite(saved_at):
        raise ValueError(f"the record's 'saved_at' must be finite, got {saved_at!r}")
    return Learned.from_dict(data), float(saved_at)
