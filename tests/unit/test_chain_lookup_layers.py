"""The layers above the batcher, each alone over a fake next layer: registry, cache,
stale-if-error, single-flight in this process and across processes."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from chain_fakes import RID, SID, FakeNext, cache, count, metrics, registry, track

from moodmix.clock import ManualClock
from moodmix.reccobeats._background import BackgroundTasks
from moodmix.reccobeats._cached import Cached
from moodmix.reccobeats._crossflight import CrossFlight
from moodmix.reccobeats._flight import Flight
from moodmix.reccobeats._resolve import Resolve
from moodmix.reccobeats._stale import StaleOnError
from moodmix.reccobeats.errors import UpstreamUnavailable
from moodmix.reccobeats.ids import is_spotify_id
from moodmix.resilience.scheduler import Priority

FG, BG = Priority.INTERACTIVE, Priority.BACKGROUND
OTHER_SID = "7ouMYWpwJ422jRcDASZB7P"


# --- Resolve (the id registry) ------------------------------------------------------------------


async def test_resolve_asks_by_reccobeats_id_and_answers_by_the_id_asked() -> None:
    clock = ManualClock()
    ids = registry(clock)
    await ids.learn_many({SID: RID})
    await ids.mark_missing([OTHER_SID])
    item = track(RID, SID)
    nxt = FakeNext({RID: item, "22222222-x": track("22222222-x")})
    m = metrics()
    found = await Resolve(nxt, ids, m).fetch_many([SID, OTHER_SID, "22222222-x"], FG)
    assert found == {SID: item, "22222222-x": nxt.values["22222222-x"]}
    assert nxt.asked == [(["22222222-x", RID], FG)]  # the missing id is never asked for
    assert count(m.registry_lookups, answered="yes") == 2


async def test_resolve_passes_spotify_ids_it_cannot_place_as_they_are() -> None:
    item = track(RID, SID)
    nxt = FakeNext({SID: item})
    m = metrics()
    found = await Resolve(nxt, registry(ManualClock()), m).fetch_many([SID], FG)
    assert found == {SID: item}
    assert nxt.asked == [([SID], FG)]
    assert count(m.registry_lookups, answered="no") == 1


# --- Cached -----------------------------------------------------------------------------------


def cached(nxt: FakeNext, store: Any, background: BackgroundTasks, **kw: Any) -> Cached[Any]:
    return Cached(nxt, store, "track", metrics(), background, **kw)


async def test_cache_answers_hits_and_passes_only_misses_on() -> None:
    clock = ManualClock()
    store = cache(clock)
    hit, miss = track(RID), track("33333333-x")
    await store.put_many("track", {RID: hit})
    nxt = FakeNext({"33333333-x": miss})
    layer = cached(nxt, store, BackgroundTasks())
    assert await layer.fetch_many([RID, "33333333-x"], FG) == {RID: hit, "33333333-x": miss}
    assert nxt.asked == [(["33333333-x"], FG)]
    assert nxt.promoted == [["33333333-x"]]  # interactive misses promote background work


async def test_cache_skips_keys_that_are_not_cache_keys_and_promotes_nothing_in_background() -> (
    None
):
    clock = ManualClock()
    store = cache(clock)
    nxt = FakeNext({SID: track(RID, SID)})
    layer = cached(nxt, store, BackgroundTasks(), is_key=lambda k: not is_spotify_id(k))
    assert SID in await layer.fetch_many([SID], BG)
    assert store.stats().kinds["track"].lookups == 0
    assert nxt.promoted == []


async def test_cache_serves_a_stale_hit_and_refreshes_it_in_the_background() -> None:
    clock = ManualClock()
    store = cache(clock, ttl=10, swr=10)
    old, new = track(RID), track(RID)
    await store.put_many("track", {RID: old})
    clock.advance(15)
    nxt = FakeNext({RID: new})
    background = BackgroundTasks()
    layer = cached(nxt, store, background)
    assert (await layer.fetch_many([RID], FG))[RID] is old
    await asyncio.sleep(0)
    assert nxt.asked == [([RID], BG)]
    await background.aclose()


async def test_cache_leaves_a_stale_hit_alone_while_it_is_being_fetched() -> None:
    clock = ManualClock()
    store = cache(clock, ttl=10, swr=10)
    await store.put_many("track", {RID: track(RID)})
    clock.advance(15)
    nxt = FakeNext()
    background = BackgroundTasks()
    layer = cached(nxt, store, background, busy=lambda key: True)
    await layer.fetch_many([RID], FG)
    assert len(background) == 0
    assert nxt.asked == []


async def test_cache_sends_revalidation_where_it_is_told() -> None:
    clock = ManualClock()
    store = cache(clock, ttl=10, swr=10)
    await store.put_many("track", {RID: track(RID)})
    clock.advance(15)
    nxt, fresh = FakeNext(), FakeNext({RID: track(RID)})
    background = BackgroundTasks()
    await cached(nxt, store, background, revalidate=fresh).fetch_many([RID], FG)
    await asyncio.sleep(0)
    assert (nxt.asked, fresh.asked) == ([], [([RID], BG)])


# --- StaleOnError -----------------------------------------------------------------------------


async def test_stale_values_answer_an_error_when_every_key_has_one() -> None:
    clock = ManualClock()
    store = cache(clock, ttl=10, sie=100)
    old = track(RID)
    await store.put_many("track", {RID: old})
    clock.advance(50)
    nxt = FakeNext()
    nxt.error = UpstreamUnavailable("down")
    layer = StaleOnError(nxt, store, "track")
    assert await layer.fetch_many([RID], FG) == {RID: old}
    with pytest.raises(UpstreamUnavailable):
        await layer.fetch_many([RID, "44444444-x"], FG)  # one key has no stale value


# --- Flight (this process) --------------------------------------------------------------------


async def test_flight_joins_concurrent_fetches_of_the_same_key() -> None:
    nxt = FakeNext({"a": 1, "b": 2})
    nxt.gate = asyncio.Event()
    m = metrics()
    flight = Flight(nxt, "track", m)
    first = asyncio.create_task(flight.fetch_many(["a"], FG))
    await asyncio.sleep(0)
    assert flight.busy("a")
    assert not flight.busy("b")
    second = asyncio.create_task(flight.fetch_many(["a", "b"], FG))
    await asyncio.sleep(0)
    nxt.gate.set()
    assert await first == {"a": 1}
    assert await second == {"a": 1, "b": 2}
    assert [keys for keys, _ in nxt.asked] == [["a"], ["b"]]
    assert count(m.dedup_joins, kind="track") == 1
    await flight.aclose()
    assert nxt.closed


# --- CrossFlight (all processes) --------------------------------------------------------------


class FakeSharedFlight:
    """Holds the lock of ``ours``; others' keys are read from the shared cache."""

    def __init__(self, ours: set[str]) -> None:
        self.ours = ours

    async def do_many(self, keys: list[str], fetch: Any, read: Any) -> dict[str, Any]:
        found = dict(await fetch([k for k in keys if k in self.ours]))
        found.update(await read([k for k in keys if k not in self.ours]))
        return found


async def test_cross_flight_fetches_what_this_process_holds_and_reads_the_rest() -> None:
    clock = ManualClock()
    store = cache(clock)
    theirs = track("55555555-x")
    await store.put_many("track", {"55555555-x": theirs})
    nxt = FakeNext({RID: track(RID)})
    layer = CrossFlight(nxt, FakeSharedFlight({RID}), store, "track")  # type: ignore[arg-type]
    found = await layer.fetch_many([RID, "55555555-x"], FG)
    assert found["55555555-x"] == theirs
    assert RID in found
    assert nxt.asked == [([RID], FG)]
    assert store.stats().kinds["track"].lookups == 0  # reading another's result is no lookup
