"""What instances share through Redis when ``MOODMIX_REDIS_URL`` is set: job events and
wake-ups for workers. Without it, each part is absent and instances share only the database::

    sharing = Sharing.from_settings(settings)
    broker = EventBroker(mirror=sharing.mirror)           # events also go to Redis
    runner = JobRunner(..., on_enqueued=sharing.enqueued)  # workers hear of queued jobs
    sharing.start(runner)                                  # this instance hears of them too
    await sharing.aclose()

Redis being down never fails a request: events are dropped (followers read the database)
and workers find queued jobs on their next sweep.
"""

from __future__ import annotations

from dataclasses import dataclass

from moodmix.service.events import JobEvent, RedisEvents
from moodmix.service.jobs import JobRunner
from moodmix.service.wakeup import JobWakeup
from moodmix.settings import Settings


@dataclass
class Sharing:
    """The Redis parts, or ``None`` each when instances share only the database."""

    events: RedisEvents | None = None
    wakeup: JobWakeup | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Sharing:
        url = settings.redis_url
        if url is None:
            return cls()
        prefix = settings.redis_prefix
        return cls(
            events=RedisEvents(url, prefix=prefix, retention_s=settings.events_retention_s),
            wakeup=JobWakeup(url, prefix=prefix),
        )

    def mirror(self, id: str, event: JobEvent, state: dict[str, object]) -> None:
        if self.events is not None:
            self.events.publish(id, event, state)

    def enqueued(self, id: str) -> None:
        if self.wakeup is not None:
            self.wakeup.notify(id)

    def start(self, runner: JobRunner, *, workers: int) -> None:
        """Let ``runner`` adopt queued jobs as soon as they are announced (if it runs any)."""
        if self.wakeup is not None and workers > 0:
            self.wakeup.listen(runner.wake)

    async def aclose(self) -> None:
        try:
            if self.wakeup is not None:
                await self.wakeup.aclose()
        finally:
            if self.events is not None:
                await self.events.aclose()
