"""Job events through a Redis stream: a late follower starts from the newest state and misses
nothing after it; a finished job's stream answers at once; Redis down raises
``EventsUnavailable`` for the follower and loses nothing but events for the publisher."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from shared_kit import URL, drop_prefix, unique_prefix

from moodmix.service.events import EventsUnavailable, JobEvent, RedisEvents

pytestmark = pytest.mark.redis

REFUSED_URL = "redis://127.0.0.1:1/0"


@pytest.fixture
async def events() -> AsyncIterator[RedisEvents]:
    prefix = unique_prefix()
    events = RedisEvents(URL, prefix=prefix, block_s=0.05)
    yield events
    await events.aclose()
    await drop_prefix(prefix)


async def flushed(events: RedisEvents) -> None:
    assert await events.flush(10)


async def test_a_late_follower_starts_from_the_newest_state_then_gets_the_rest(
    events: RedisEvents,
) -> None:
    events.publish("j", JobEvent("state", {}), {"status": "queued", "progress": {"stage": "q"}})
    events.publish(
        "j",
        JobEvent("progress", {"stage": "mood"}),
        {"status": "running", "progress": {"stage": "mood"}},
    )
    await flushed(events)
    got: list[JobEvent] = []
    async with contextlib.aclosing(events.follow("j", snapshot={})) as stream:
        async for event in stream:
            if event is None:
                if len(got) == 1:
                    events.publish(
                        "j",
                        JobEvent("progress", {"stage": "seeds"}),
                        {"status": "running", "progress": {"stage": "seeds"}},
                    )
                    events.publish(
                        "j",
                        JobEvent("done", {"id": "j", "playlist": {"tracks": []}}),
                        {"status": "done", "progress": {"stage": "done"}},
                    )
                continue
            got.append(event)
    assert [(e.kind, e.data) for e in got] == [
        ("state", {"id": "j", "status": "running", "progress": {"stage": "mood"}}),
        ("progress", {"stage": "seeds"}),
        ("done", {"id": "j", "playlist": {"tracks": []}}),
    ]


async def test_a_finished_stream_answers_state_and_result_at_once(events: RedisEvents) -> None:
    events.publish("f", JobEvent("done", {"id": "f"}), {"status": "done", "progress": {}})
    await flushed(events)
    got = [event async for event in events.follow("f", snapshot={})]
    assert [e.kind if e else None for e in got] == ["state", "done"]


async def test_an_earlier_jobs_end_does_not_end_a_newer_job_under_the_same_id(
    events: RedisEvents,
) -> None:
    events.publish("g", JobEvent("done", {"id": "g", "version": 1}), {"status": "done"})
    await flushed(events)
    follower = events.follow("g", snapshot={"id": "g", "status": "queued", "progress": None})
    first = await anext(follower)
    assert first is not None
    assert (first.kind, first.data["status"]) == ("state", "queued")
    events.publish("g", JobEvent("done", {"id": "g", "version": 2}), {"status": "done"})
    await flushed(events)
    rest = [event async for event in follower if event is not None]
    assert [(e.kind, e.data["version"]) for e in rest] == [("done", 2)]


async def test_redis_down_raises_for_followers_and_drops_for_publishers() -> None:
    events = RedisEvents(REFUSED_URL, timeout=0.5)
    try:
        events.publish("j", JobEvent("progress", {}), {"status": "running", "progress": {}})
        await flushed(events)
        assert events.dropped == 1
        with pytest.raises(EventsUnavailable, match="cannot read job events from Redis"):
            async for _ in events.follow("j", snapshot={}):
                pass
    finally:
        await events.aclose()
