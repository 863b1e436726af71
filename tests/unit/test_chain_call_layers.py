"""The layers from the batcher down, each alone over a fake next layer: batching, chunks,
the handover, storing answers, and the upstream call itself."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

import pytest
from chain_fakes import RID, SID, FakeNext, FakeSender, cache, count, metrics, registry, track

from moodmix.clock import ManualClock
from moodmix.reccobeats._batched import Batched
from moodmix.reccobeats._calls import ItemCall, RequestCall
from moodmix.reccobeats._chain import Batch
from moodmix.reccobeats._chunked import Capped, Chunked
from moodmix.reccobeats._handover import Traded
from moodmix.reccobeats._offer import Offer
from moodmix.reccobeats._stored import StoredItems, StoredRequests
from moodmix.reccobeats._upstream import Upstream, UpstreamPolicy
from moodmix.reccobeats.errors import UpstreamUnavailable
from moodmix.reccobeats.models import Track
from moodmix.resilience.breaker import CircuitBreaker, Trip
from moodmix.resilience.handover import Trade
from moodmix.resilience.retry import RetryPolicy
from moodmix.resilience.scheduler import Priority, Scheduler, Ticket
from moodmix.resilience.tokenbucket import TokenBucket

FG, BG = Priority.INTERACTIVE, Priority.BACKGROUND


# --- Batched ----------------------------------------------------------------------------------


async def test_batched_sends_callers_keys_together_when_the_call_may_leave() -> None:
    sender = FakeSender({"a": 1, "b": 2, "c": 3})
    sender.gate = asyncio.Event()
    batched = Batched(sender, max_batch=40, max_senders=1, window=0.0)
    one = asyncio.create_task(batched.fetch_many(["a", "b"], FG))
    two = asyncio.create_task(batched.fetch_many(["c", "x"], FG))
    await asyncio.sleep(0)
    sender.gate.set()
    assert (await one, await two) == ({"a": 1, "b": 2}, {"c": 3})
    assert sender.sent == [(["a", "b", "c", "x"], FG, None)]


async def test_batched_background_calls_wait_with_a_ticket_an_interactive_need_promotes() -> None:
    gate, sender, batched, waiting = await waiting_for_a_slot(BG)
    assert batched._background_tickets
    batched.promote(["zzz"])  # a key it does not hold: nothing moves
    assert not promoted(batched)
    batched.promote(["a"])
    assert promoted(batched)
    gate.set()
    assert await waiting == {"a": 1}
    [(_, priority, ticket)] = sender.sent
    assert priority is BG
    assert isinstance(ticket, Ticket)
    assert ticket.priority is FG
    await batched.aclose()


async def test_batched_sends_nothing_when_every_key_left_before_its_slot_came() -> None:
    gate, sender, batched, waiting = await waiting_for_a_slot(FG)
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    gate.set()
    for _ in range(5):
        await asyncio.sleep(0)
    assert sender.holds == 1  # the call's slot came (in the real chain, its token goes back)
    assert sender.sent == []
    await batched.aclose()


async def waiting_for_a_slot(
    priority: Priority,
) -> tuple[asyncio.Event, FakeSender, Batched[Any], asyncio.Task[dict[str, Any]]]:
    """A batcher whose one caller (of "a") waits for its call's slot until ``gate`` is set."""
    sender = FakeSender({"a": 1})
    sender.gate = gate = asyncio.Event()
    batched: Batched[Any] = Batched(sender, max_batch=40, max_senders=1, window=0.0)
    waiting = asyncio.create_task(batched.fetch_many(["a"], priority))
    for _ in range(3):
        await asyncio.sleep(0)
    return gate, sender, batched, waiting


def promoted(batched: Batched[Any]) -> bool:
    return all(t.priority is FG for t in batched._background_tickets)


# --- Chunked and Capped -----------------------------------------------------------------------


async def test_chunked_splits_keys_into_calls_of_at_most_max_batch() -> None:
    sender = FakeSender({k: k.upper() for k in "abcde"})
    found = await Chunked(sender, max_batch=2).fetch_many(list("abcde"), FG)
    assert found == {k: k.upper() for k in "abcde"}
    assert [keys for keys, _, _ in sender.sent] == [["a", "b"], ["c", "d"], ["e"]]
    assert all(ticket is None for _, _, ticket in sender.sent)


async def test_chunked_background_chunks_are_promoted_by_key() -> None:
    sender = FakeSender({"a": 1})
    sender.gate = asyncio.Event()
    chunked = Chunked(sender, max_batch=40)
    waiting = asyncio.create_task(chunked.fetch_many(["a"], BG))
    for _ in range(3):
        await asyncio.sleep(0)
    chunked.promote(["a"])
    sender.gate.set()
    assert await waiting == {"a": 1}
    [(_, _, ticket)] = sender.sent
    assert ticket is not None
    assert ticket.priority is FG


async def test_capped_lets_at_most_limit_interactive_calls_through_at_once() -> None:
    inside = 0
    most = 0

    class Slow(FakeSender):
        async def send(self, batch: Batch) -> Any:
            nonlocal inside, most
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0)
            inside -= 1
            return await super().send(batch)

    capped = Capped(Slow(), limit=2)
    await asyncio.gather(*(capped.send(Batch([str(i)], FG)) for i in range(5)))
    assert most == 2
    most = 0
    await asyncio.gather(*(capped.send(Batch([str(i)], BG, Ticket())) for i in range(5)))
    assert most == 5  # background calls wait for quota, not for a place here


# --- Offer and Traded (the handover) ----------------------------------------------------------


class FakeHandover:
    def __init__(self, lost: list[str], claimed: list[str]) -> None:
        self.offered: list[list[str]] = []
        self.settled: list[tuple[Trade, Any]] = []
        self._lost, self._claimed = lost, claimed

    async def offer(self, keys: list[str]) -> None:
        self.offered.append(list(keys))

    async def trade(self, keys: list[str], *, room: int) -> Trade:
        kept = [k for k in keys if k not in self._lost]
        return Trade(kept, list(self._claimed), [k for k in keys if k in self._lost])

    async def settle(self, trade: Trade, found: Any) -> None:
        self.settled.append((trade, None if found is None else dict(found)))


class FakeWait:
    def __init__(self) -> None:
        self.waited: list[list[str]] = []

    async def wait(self, keys: list[str], fetch: Any, read: Any) -> dict[str, Any]:
        self.waited.append(list(keys))
        return dict(await fetch(keys))


async def test_offer_offers_keys_before_they_queue() -> None:
    handover = FakeHandover([], [])
    nxt = FakeNext({"a": 1})
    assert await Offer(nxt, handover).fetch_many(["a"], FG) == {"a": 1}  # type: ignore[arg-type]
    assert handover.offered == [["a"]]
    assert nxt.asked == [(["a"], FG)]


async def test_traded_sends_its_own_and_claimed_keys_and_waits_for_lost_ones() -> None:
    handover = FakeHandover(lost=["b"], claimed=["z"])
    sender = FakeSender({"a": 1, "b": 2, "z": 26})
    fallback = FakeNext({"b": 2})
    wait = FakeWait()
    traded = Traded(sender, handover, wait, fallback, cache(ManualClock()), "track", 40)  # type: ignore[arg-type]
    found = await traded.send(Batch(["a", "b"], FG))
    assert found == {"a": 1, "z": 26, "b": 2}
    assert sender.sent == [(["a", "z"], FG, None)]
    [(_trade, settled)] = handover.settled
    assert settled == {"a": 1, "z": 26}
    assert wait.waited == [["b"]]
    assert fallback.asked == [(["b"], FG)]


async def test_traded_with_nothing_left_to_send_gives_its_slot_back_before_waiting() -> None:
    handover = FakeHandover(lost=["a"], claimed=[])
    sender = FakeSender()
    up = upstream(FakeClient([]), ManualClock())
    granted_while_waiting: list[int] = []

    class Waiting(FakeWait):
        async def wait(self, keys: list[str], fetch: Any, read: Any) -> dict[str, Any]:
            granted_while_waiting.append(up.scheduler.stats.granted)
            return await super().wait(keys, fetch, read)

    fallback = FakeNext({"a": 1})
    traded = Traded(sender, handover, Waiting(), fallback, cache(ManualClock()), "track", 40)  # type: ignore[arg-type]
    async with up.hold(FG, None) as held:
        found = await traded.send(Batch(["a"], FG, held=held))
    assert found == {"a": 1}
    assert sender.sent == []
    assert granted_while_waiting == [0]  # its token went back before the wait for "a"


async def test_traded_frees_claimed_keys_when_the_call_fails() -> None:
    handover = FakeHandover(lost=[], claimed=["z"])

    class Failing(FakeSender):
        async def send(self, batch: Batch) -> Any:
            raise RuntimeError("boom")

    traded = Traded(Failing(), handover, FakeWait(), FakeNext(), cache(ManualClock()), "track", 40)  # type: ignore[arg-type]
    with contextlib.suppress(RuntimeError):
        await traded.send(Batch(["a"], FG))
    [(_, settled)] = handover.settled
    assert settled is None


# --- StoredItems and StoredRequests ----------------------------------------------------------


class EveryItem(FakeSender):
    """Answers as ``ItemCall`` does: every item, by ReccoBeats id and by Spotify id."""

    async def send(self, batch: Batch) -> Any:
        await super().send(batch)
        return dict(self.values)


async def test_stored_items_cache_by_id_learn_spotify_ids_and_mark_the_missing() -> None:
    clock = ManualClock()
    store, ids = cache(clock), registry(clock)
    item = track(RID, SID)
    missing = "7ouMYWpwJ422jRcDASZB7P"
    sender = EveryItem({SID: item, RID: item})
    found = await StoredItems(sender, store, ids, "track").send(Batch([SID, missing], FG))
    assert found == {SID: item}
    assert await store.peek_many("track", [RID]) == {RID: item}
    resolution = await ids.resolve_many([SID, missing])
    assert resolution.known == {SID: RID}
    assert resolution.missing == [missing]


async def test_stored_requests_cache_each_answer_under_its_key() -> None:
    store = cache(ManualClock())
    nxt = FakeNext({"k": ["answer"]})
    assert await StoredRequests(nxt, store, "track").fetch_many(["k"], FG) == {"k": ["answer"]}
    assert await store.peek_many("track", ["k"]) == {"k": ["answer"]}


# --- ItemCall and RequestCall -----------------------------------------------------------------


class FakeClient:
    def __init__(self, items: list[Track]) -> None:
        self.items = items
        self.asked: list[list[str]] = []

    async def get_tracks(self, ids: Sequence[str]) -> list[Track]:
        self.asked.append(list(ids))
        return self.items


def upstream(client: FakeClient, clock: ManualClock) -> Upstream:
    scheduler = Scheduler(TokenBucket(100.0, 10, clock=clock), 4, clock=clock)
    return Upstream(
        client,  # type: ignore[arg-type]
        scheduler,
        policy=UpstreamPolicy(RetryPolicy(1)),
        metrics=metrics(),
        clock=clock,
    )


async def test_item_call_answers_every_item_by_reccobeats_and_spotify_id() -> None:
    item, extra = track(RID, SID), track("66666666-x")
    client = FakeClient([item, extra])
    m = metrics()
    call = ItemCall(upstream(client, ManualClock()), lambda c, ids: c.get_tracks(ids), "track", m)
    found = await call.send(Batch([SID], FG))
    assert found == {RID: item, "66666666-x": extra, SID: item}
    assert client.asked == [[SID]]
    assert m.batch_size.labels(kind="track")._sum.get() == 1


async def test_a_call_sent_in_a_held_slot_takes_no_second_token() -> None:
    client = FakeClient([track(RID)])
    scheduler = Scheduler(TokenBucket(0.001, 1), 4)  # one token now, the next in 1,000 s
    up = Upstream(
        client,  # type: ignore[arg-type]
        scheduler,
        policy=UpstreamPolicy(RetryPolicy(1)),
        metrics=metrics(),
    )
    call = ItemCall(up, lambda c, ids: c.get_tracks(ids), "track", metrics())
    async with call.hold(FG, None) as held:
        assert held.slot.granted_at >= 0
        found = await asyncio.wait_for(call.send(Batch([RID], FG, held=held)), 1.0)
    assert list(found) == [RID]
    assert client.asked == [[RID]]
    assert scheduler.stats.granted == 1


async def test_a_held_slot_nothing_was_sent_in_gives_its_token_back() -> None:
    client = FakeClient([])
    up = upstream(client, ManualClock())
    async with up.hold(FG, None) as held:
        assert up.scheduler.stats.granted == 1
    assert held.used
    assert up.scheduler.stats.granted == 0
    assert client.asked == []
    with contextlib.suppress(RuntimeError):  # a failure before anything was sent: back too
        async with up.hold(FG, None):
            raise RuntimeError("chosen keys could not be traded")
    assert up.scheduler.stats.granted == 0


async def test_request_call_asks_the_way_it_was_told() -> None:
    client = FakeClient([track(RID)])
    calls: RequestCall[list[Track]] = RequestCall(upstream(client, ManualClock()))
    assert not calls.knows("k")
    with calls.asking("k", lambda c: c.get_tracks(["x"])):
        found = await calls.fetch_many(["k"], FG)
    assert found == {"k": client.items}
    assert client.asked == [["x"]]
    assert calls.knows("k")  # remembered for warming
    assert count(metrics().lookups, kind="track") == 0


# --- Upstream: the breaker inside the scheduler slot -----------------------------------------


class FailingClient:
    """Fails its first call as ReccoBeats failing would; counts what reaches it."""

    def __init__(self) -> None:
        self.calls = 0

    async def get_tracks(self, ids: Sequence[str]) -> list[Track]:
        self.calls += 1
        raise UpstreamUnavailable("down on purpose")


async def test_a_call_the_breaker_refuses_in_its_slot_gives_its_token_back() -> None:
    breaker = CircuitBreaker(Trip(failure_ratio=None, consecutive_failures=1, reset_timeout=60))
    scheduler = Scheduler(TokenBucket(20.0, 1), 4)  # one token now, the next in 50 ms
    client = FailingClient()
    up = Upstream(
        client,  # type: ignore[arg-type]
        scheduler,
        policy=UpstreamPolicy(RetryPolicy(1), breaker=breaker),
        metrics=metrics(),
    )
    first = asyncio.create_task(up.call(lambda c: c.get_tracks(["a"])))
    second = asyncio.create_task(up.call(lambda c: c.get_tracks(["b"])))  # waits for a token
    results = await asyncio.gather(first, second, return_exceptions=True)
    assert all(isinstance(r, UpstreamUnavailable) for r in results)
    assert client.calls == 1  # the first opened the breaker; the second never left
    assert scheduler.stats.granted == 1  # the refused one's token went back
    assert breaker.stats.rejected == 1


async def test_an_open_breaker_refuses_before_the_call_waits_for_a_token() -> None:
    breaker = CircuitBreaker(Trip(failure_ratio=None, consecutive_failures=1, reset_timeout=60))
    breaker.record_failure()  # open for a minute
    scheduler = Scheduler(TokenBucket(0.001, 1), 4)
    client = FailingClient()
    up = Upstream(
        client,  # type: ignore[arg-type]
        scheduler,
        policy=UpstreamPolicy(RetryPolicy(1), breaker=breaker),
        metrics=metrics(),
    )
    with pytest.raises(UpstreamUnavailable) as refused:
        await asyncio.wait_for(up.call(lambda c: c.get_tracks(["a"])), 1.0)
    assert refused.value.retry_after is not None
    assert refused.value.retry_after > 50
    assert scheduler.stats.granted == 0
    assert client.calls == 0
