"""The event broker: a subscriber gets the state first, then every later event in order."""

from __future__ import annotations

from moodmix.service.events import EventBroker, JobEvent


async def test_late_subscriber_gets_current_state_then_live_events() -> None:
    broker = EventBroker()
    broker.open("j", status="queued", progress={"stage": "queued", "message": "waiting"})
    broker.status("j", "running")
    broker.progress("j", {"stage": "mood", "message": "reading"})
    subscription = broker.subscribe("j")
    assert subscription is not None
    assert subscription.snapshot.kind == "state"
    assert subscription.snapshot.data == {
        "id": "j",
        "status": "running",
        "progress": {"stage": "mood", "message": "reading"},
    }
    broker.progress("j", {"stage": "seeds", "message": "choosing"})
    broker.close("j", JobEvent("done", {"id": "j"}))
    events = [event async for event in subscription]
    assert [(e.kind, e.seq) for e in events] == [("progress", 2), ("done", 3)]
    assert subscription.snapshot.seq == 1
    assert broker.subscribe("j") is None


async def test_unsubscribed_queues_are_dropped() -> None:
    broker = EventBroker()
    broker.open("j", status="queued", progress={})
    subscription = broker.subscribe("j")
    assert subscription is not None
    assert broker.subscribers("j") == 1
    subscription.close()
    assert broker.subscribers("j") == 0


async def test_reopening_sends_the_new_state_to_subscribers() -> None:
    broker = EventBroker()
    broker.open("j", status="running", progress={"stage": "mood"})
    subscription = broker.subscribe("j")
    assert subscription is not None
    broker.open("j", status="queued", progress={"stage": "queued"})
    broker.close("j", JobEvent("failed", {}))
    kinds = [event.kind async for event in subscription]
    assert kinds == ["state", "failed"]


def test_the_mirror_gets_every_event_with_the_state_after_it() -> None:
    mirrored: list[tuple[str, str, dict[str, object]]] = []
    broker = EventBroker(mirror=lambda id, event, state: mirrored.append((id, event.kind, state)))
    broker.open("j", status="queued", progress={"stage": "queued"})
    broker.status("j", "running")
    broker.progress("j", {"stage": "mood"})
    broker.close("j", JobEvent("done", {"id": "j", "progress": {"stage": "done"}}))
    assert mirrored == [
        ("j", "state", {"status": "queued", "progress": {"stage": "queued"}}),
        ("j", "progress", {"status": "running", "progress": {"stage": "mood"}}),
        ("j", "done", {"status": "done", "progress": {"stage": "done"}}),
    ]


def test_a_release_is_mirrored_as_queued_with_its_note() -> None:
    mirrored: list[dict[str, object]] = []
    broker = EventBroker(mirror=lambda id, event, state: mirrored.append(state))
    broker.open("j", status="running", progress={"stage": "mood"})
    released = {"stage": "queued", "message": "interrupted by a shutdown"}
    broker.close("j", JobEvent("interrupted", {"id": "j", "status": "queued", **released}))
    assert mirrored[-1] == {"status": "queued", "progress": released}
