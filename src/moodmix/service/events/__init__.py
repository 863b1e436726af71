"""A playlist job's live events, from whichever instance runs it, for Server-Sent Events.

    broker = EventBroker(mirror=RedisEvents(url).publish)   # this instance's jobs
    feed = JobFeed(broker, repo, remote=RedisEvents(url))   # any instance's jobs
    async for event in feed.follow("k3J9x"):                # state, progress..., done | failed
        ...

``broker`` holds this instance's jobs, ``redis`` a stream per job for the others, ``db``
reads a job's stored progress when Redis cannot help, and ``feed`` picks the best source.
"""

from moodmix.service.events.broker import TERMINAL, EventBroker, JobEvent
from moodmix.service.events.feed import JobFeed, until_set
from moodmix.service.events.redis import EventsUnavailable, RedisEvents

__all__ = [
    "TERMINAL",
    "EventBroker",
    "EventsUnavailable",
    "JobEvent",
    "JobFeed",
    "RedisEvents",
    "until_set",
]
