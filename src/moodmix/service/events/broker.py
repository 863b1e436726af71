"""Live events of the playlists this instance is making, for Server-Sent Events.

The job runner publishes; each SSE client subscribes and first gets the job's current state,
then every event after it, in order, ending with ``done`` or ``failed``::

    broker = EventBroker()
    broker.open("k3J9x", status="queued", progress={"stage": "queued", ...})
    broker.progress("k3J9x", {"stage": "mood", "message": "reading the mood"})
    subscription = broker.subscribe("k3J9x")     # None once the job is over or elsewhere
    subscription.snapshot                         # JobEvent("state", {...}) : the state now
    async for event in subscription:              # progress ..., then done | failed
        ...
    broker.close("k3J9x", JobEvent("done", {...}))

Events carry a sequence number per job; the snapshot has the number of the last event it
includes, so nothing is missed or repeated between the snapshot and the live events.

``EventBroker(mirror=...)`` also hands every event, with the job's state after it, to a
callable (``redis.RedisEvents.publish``), so other instances can follow the job.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Final

Json = dict[str, Any]

TERMINAL: Final = frozenset({"done", "failed", "interrupted"})
"""Kinds that end a stream: ``interrupted`` when this instance shuts down mid-job."""

Mirror = Callable[[str, "JobEvent", Json], None]
"""``mirror(id, event, state)``: ``state`` is ``{"status", "progress"}`` after ``event``."""


@dataclass(frozen=True, slots=True)
class JobEvent:
    """``kind``: ``state``, ``progress``, ``done``, ``failed`` or ``interrupted``."""

    kind: str
    data: Json
    seq: int = 0


@dataclass
class _Channel:
    status: str
    progress: Json
    seq: int = 0
    subscribers: set[asyncio.Queue[JobEvent]] = field(default_factory=set)


class Subscription:
    """The state of a job when subscribed, then its live events until a terminal one."""

    def __init__(
        self, broker: EventBroker, id: str, snapshot: JobEvent, queue: asyncio.Queue[JobEvent]
    ) -> None:
        self._broker = broker
        self._id = id
        self._queue = queue
        self.snapshot = snapshot

    def __aiter__(self) -> AsyncIterator[JobEvent]:
        return self._events()

    async def _events(self) -> AsyncIterator[JobEvent]:
        try:
            while True:
                event = await self._queue.get()
                yield event
                if event.kind in TERMINAL:
                    return
        finally:
            self.close()

    def close(self) -> None:
        self._broker._unsubscribe(self._id, self._queue)


class EventBroker:
    """Per-job state and subscribers, on one event loop."""

    def __init__(self, *, mirror: Mirror | None = None) -> None:
        self._channels: dict[str, _Channel] = {}
        self._mirror = mirror

    def open(self, id: str, *, status: str, progress: Json) -> None:
        """Start (or restart) publishing for ``id``."""
        channel = self._channels.get(id)
        if channel is None:
            channel = self._channels[id] = _Channel(status, progress)
            self._mirrored(id, JobEvent("state", self._state(id, channel)), channel)
        else:
            channel.status, channel.progress = status, progress
            self._send(id, channel, "state", self._state(id, channel))

    def status(self, id: str, status: str) -> None:
        channel = self._channels.get(id)
        if channel is not None:
            channel.status = status

    def progress(self, id: str, progress: Json) -> None:
        """Publish a progress event (``Progress.to_json()`` or the service's own)."""
        channel = self._channels.get(id)
        if channel is not None:
            channel.progress = progress
            self._send(id, channel, "progress", progress)

    def current(self, id: str) -> tuple[str, Json] | None:
        """``(status, progress)`` of a job published here, or ``None``."""
        channel = self._channels.get(id)
        return None if channel is None else (channel.status, channel.progress)

    def close(self, id: str, final: JobEvent) -> None:
        """Send the terminal event and forget the job."""
        channel = self._channels.pop(id, None)
        if channel is not None:
            if final.kind != "interrupted":
                channel.status = final.kind
                channel.progress = final.data.get("progress") or channel.progress
            elif "message" in final.data:
                channel.status = final.data.get("status", channel.status)
                channel.progress = {
                    k: v for k, v in final.data.items() if k not in ("id", "status")
                }
            self._send(id, channel, final.kind, final.data)

    def subscribe(self, id: str) -> Subscription | None:
        """A subscription to ``id``'s events, or ``None`` if it is not published here."""
        channel = self._channels.get(id)
        if channel is None:
            return None
        queue: asyncio.Queue[JobEvent] = asyncio.Queue()
        channel.subscribers.add(queue)
        snapshot = JobEvent("state", self._state(id, channel), channel.seq)
        return Subscription(self, id, snapshot, queue)

    def subscribers(self, id: str) -> int:
        channel = self._channels.get(id)
        return 0 if channel is None else len(channel.subscribers)

    def __len__(self) -> int:
        return len(self._channels)

    def _unsubscribe(self, id: str, queue: asyncio.Queue[JobEvent]) -> None:
        channel = self._channels.get(id)
        if channel is not None:
            channel.subscribers.discard(queue)

    @staticmethod
    def _state(id: str, channel: _Channel) -> Json:
        return {"id": id, "status": channel.status, "progress": channel.progress}

    def _send(self, id: str, channel: _Channel, kind: str, data: Json) -> None:
        channel.seq += 1
        event = JobEvent(kind, data, channel.seq)
        for queue in channel.subscribers:
            queue.put_nowait(event)
        self._mirrored(id, event, channel)

    def _mirrored(self, id: str, event: JobEvent, channel: _Channel) -> None:
        if self._mirror is not None:
            self._mirror(id, event, {"status": channel.status, "progress": channel.progress})
