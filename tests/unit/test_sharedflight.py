"""``SharedFlight`` on the memory locks: several flights in one event loop stand for several
processes, each with its own lock holder on one ``LockTable``. Each test runs on a
virtual-time loop (``virtual_kit``): polls, renewals and expiry take no real time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest
from outage import FlakyLocks
from virtual_kit import virtual

from moodmix.clock import loop_time
from moodmix.coordination import HELD, Locks, LockState, LockTable, MemoryLocks
from moodmix.resilience.sharedflight import FlightTimes, SharedFlight


class Upstream:
    """A fetch that counts what it was asked, and a shared 'cache' the fetch fills."""

    def __init__(self, delay: float = 0.0) -> None:
        self.asked: list[str] = []
        self.cache: dict[str, str] = {}
        self.delay = delay

    async def fetch(self, keys: list[str]) -> Mapping[str, str]:
        self.asked += keys
        await asyncio.sleep(self.delay)
        found = {key: key.upper() for key in keys if not key.startswith("none")}
        self.cache.update({value: value for value in found.values()})
        return found

    async def read(self, refs: list[str]) -> Mapping[str, str]:
        return {ref: self.cache[ref] for ref in refs if ref in self.cache}


def flight(locks: Locks, **times: Any) -> SharedFlight[str]:
    return SharedFlight(
        locks, "kind:", ref=lambda key, value: value, times=FlightTimes(**times), clock=loop_time
    )


def test_flights_asking_together_fetch_each_key_once() -> None:
    async def scenario() -> None:
        table = LockTable(clock=loop_time)
        upstream = Upstream(delay=0.2)
        flights = [flight(MemoryLocks(table)) for _ in range(4)]
        answers = await asyncio.gather(
            flights[0].do_many(["a", "b", "none-1"], upstream.fetch, upstream.read),
            *(
                f.do_many(["b", "a", "c", "none-1"], upstream.fetch, upstream.read)
                for f in flights[1:]
            ),
        )
        assert answers[0] == {"a": "A", "b": "B"}
        assert all(answer == {"a": "A", "b": "B", "c": "C"} for answer in answers[1:])
        assert sorted(upstream.asked) == ["a", "b", "c", "none-1"]
        assert sum(f.joins for f in flights) == 3 * 3 + 2  # a, b, none-1 thrice; c twice
        assert sum(f.takeovers for f in flights) == 0

    virtual(scenario())


def test_a_dead_holder_s_lock_expires_and_a_waiter_takes_over() -> None:
    async def scenario() -> None:
        table = LockTable(clock=loop_time)
        dead = MemoryLocks(table)
        assert await dead.acquire(["kind:k"], 1.0) == {"kind:k"}  # and never renews it
        upstream = Upstream()
        waiter = flight(MemoryLocks(table), max_wait=30.0)
        start = loop_time()
        assert await waiter.do_many(["k"], upstream.fetch, upstream.read) == {"k": "K"}
        assert 1.0 <= loop_time() - start < 2.0  # once the lock expired, not at max_wait
        assert upstream.asked == ["k"]
        assert (waiter.joins, waiter.takeovers) == (1, 1)

    virtual(scenario())


def test_a_holder_keeps_its_locks_alive_while_it_fetches() -> None:
    async def scenario() -> None:
        table = LockTable(clock=loop_time)
        slow, waiting = Upstream(delay=3.0), Upstream()
        holder = flight(MemoryLocks(table), ttl=0.5)
        waiter = flight(MemoryLocks(table), ttl=0.5)
        fetching = asyncio.create_task(holder.do_many(["k"], slow.fetch, slow.read))
        await asyncio.sleep(0.01)
        answer = await waiter.do_many(["k"], waiting.fetch, slow.read)  # reads the shared cache
        assert answer == {"k": "K"}
        assert await fetching == {"k": "K"}
        assert (waiting.asked, waiter.takeovers) == ([], 0)

    virtual(scenario())


def test_a_failed_fetch_frees_its_keys_for_the_next_flight() -> None:
    async def scenario() -> None:
        table = LockTable(clock=loop_time)
        first, second = flight(MemoryLocks(table)), flight(MemoryLocks(table))
        upstream = Upstream()
        fetching = asyncio.Event()

        async def failing(keys: list[str]) -> Mapping[str, str]:
            fetching.set()  # the lock is held once the fetch starts
            await asyncio.sleep(0.1)
            raise RuntimeError("upstream down")

        failing_task = asyncio.create_task(first.do_many(["x"], failing, upstream.read))
        await fetching.wait()
        assert await MemoryLocks(table).states(["kind:x"]) == {"kind:x": HELD}
        start = loop_time()
        answered = await second.do_many(["x"], upstream.fetch, upstream.read)
        with pytest.raises(RuntimeError, match="upstream down"):
            await failing_task
        assert answered == {"x": "X"}
        assert second.takeovers == 1
        assert loop_time() - start < 1.0  # freed at once, not when its lock would expire

    virtual(scenario())


def test_a_failed_fetch_stops_the_wait_for_keys_another_flight_holds() -> None:
    async def scenario() -> None:
        table = LockTable(clock=loop_time)
        assert await MemoryLocks(table).acquire(["kind:theirs"], 30.0) == {"kind:theirs"}
        mine = flight(MemoryLocks(table), max_wait=30.0)
        upstream = Upstream()
        before = asyncio.all_tasks()

        async def failing(keys: list[str]) -> Mapping[str, str]:
            await asyncio.sleep(0.2)  # the wait for "theirs" is polling by now
            raise RuntimeError("upstream down")

        with pytest.raises(RuntimeError, match="upstream down"):
            await mine.do_many(["ours", "theirs"], failing, upstream.read)
        left = {t for t in asyncio.all_tasks() - before if not t.done()}
        assert left == set()  # no waiter still polling for "theirs"
        assert upstream.asked == []

    virtual(scenario())


def test_a_waiter_fetches_for_itself_after_max_wait() -> None:
    async def scenario() -> None:
        table = LockTable(clock=loop_time)
        stuck = MemoryLocks(table)
        await stuck.acquire(["kind:k"], 60.0)  # held by a holder that never finishes
        upstream = Upstream()
        waiter = flight(MemoryLocks(table), max_wait=5.0, poll_max=0.5)
        start = loop_time()
        assert await waiter.do_many(["k"], upstream.fetch, upstream.read) == {"k": "K"}
        assert 5.0 <= loop_time() - start < 6.0
        assert (upstream.asked, waiter.takeovers) == (["k"], 0)

    virtual(scenario())


def test_a_key_done_without_a_value_is_not_fetched_again_and_one_out_of_reach_is() -> None:
    async def scenario() -> None:
        table = LockTable(clock=loop_time)
        other = MemoryLocks(table)
        await other.acquire(["kind:none-1", "kind:gone"], 10.0)
        await other.release({"kind:none-1": None, "kind:gone": "GONE"}, done_ttl=5.0)
        upstream = Upstream()  # its cache does not hold "GONE"
        waiter = flight(MemoryLocks(table))
        assert await waiter.do_many(["none-1", "gone"], upstream.fetch, upstream.read) == {
            "gone": "GONE"
        }
        assert upstream.asked == ["gone"]
        assert await other.states(["kind:gone"]) == {"kind:gone": LockState("done", "GONE")}

    virtual(scenario())


def test_without_the_lock_server_every_flight_fetches_for_itself() -> None:
    async def scenario() -> None:
        locks = FlakyLocks(MemoryLocks(LockTable(clock=loop_time)))
        upstream = Upstream()
        one, two = flight(locks), flight(locks)
        locks.down = True
        answers = await asyncio.gather(
            one.do_many(["a"], upstream.fetch, upstream.read),
            two.do_many(["a"], upstream.fetch, upstream.read),
        )
        assert answers == [{"a": "A"}, {"a": "A"}]
        assert upstream.asked == ["a", "a"]

        locks.down = False  # back: joined again
        upstream.asked.clear()
        await asyncio.gather(
            one.do_many(["b"], upstream.fetch, upstream.read),
            two.do_many(["b"], upstream.fetch, upstream.read),
        )
        assert upstream.asked == ["b"]

    virtual(scenario())


def test_a_lock_server_lost_while_waiting_ends_the_wait_with_a_fetch_of_its_own() -> None:
    async def scenario() -> None:
        table = LockTable(clock=loop_time)
        await MemoryLocks(table).acquire(["kind:k"], 60.0)
        locks = FlakyLocks(MemoryLocks(table))
        upstream = Upstream()
        waiter = flight(locks, max_wait=30.0)
        start = loop_time()
        waiting = asyncio.create_task(waiter.do_many(["k"], upstream.fetch, upstream.read))
        await asyncio.sleep(1.0)
        locks.down = True
        assert await waiting == {"k": "K"}
        assert loop_time() - start < 2.0  # at the next poll, not at max_wait
        assert upstream.asked == ["k"]

    virtual(scenario())
