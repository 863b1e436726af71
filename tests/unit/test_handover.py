"""``Handover`` on the memory locks: one process's batch call carries keys another offered,
taking over their locks; the other finds them carried and reads their values. Each "process"
is a ``Side`` with its own lock holder on one ``LockTable``, on a virtual-time loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from outage import FlakyLocks
from virtual_kit import virtual

from moodmix.clock import loop_time
from moodmix.coordination import HELD, Locks, LockState, LockTable, MemoryLocks
from moodmix.resilience.handover import Handover
from moodmix.resilience.sharedflight import SharedFlight


class Side:
    """One process's locks, handover and shared flight; ``cache`` is the shared one."""

    def __init__(self, locks: Locks, cache: dict[str, str], ttl: float = 10.0) -> None:
        self.locks = locks
        self.claims: list[int] = []
        self.handover: Handover[str] = Handover(
            locks, "k:", ref=lambda key, value: value, ttl=ttl, on_claim=self.claims.append
        )
        self.flight: SharedFlight[str] = SharedFlight(
            locks, "k:", ref=lambda key, value: value, clock=loop_time
        )
        self.cache = cache
        self.asked: list[str] = []

    async def fetch(self, keys: list[str]) -> Mapping[str, str]:
        self.asked += keys
        found = {key: key.upper() for key in keys}
        self.cache.update({value: value for value in found.values()})
        return found

    async def read(self, refs: list[str]) -> Mapping[str, str]:
        return {ref: self.cache[ref] for ref in refs if ref in self.cache}


def test_keys_another_call_carried_are_read_not_fetched() -> None:
    async def scenario() -> None:
        table, cache = LockTable(clock=loop_time), {}
        one, two = Side(MemoryLocks(table), cache), Side(MemoryLocks(table), cache)
        await one.locks.acquire(["k:a", "k:b"], 10.0)
        await one.handover.offer(["a", "b"])
        await two.locks.acquire(["k:c"], 10.0)

        carrier = await two.handover.trade(["c"], room=40)
        assert (carrier.kept, carrier.claimed, carrier.send) == (["c"], ["a", "b"], ["c", "a", "b"])
        await two.handover.settle(carrier, await two.fetch(carrier.send))

        mine = await one.handover.trade(["a", "b"], room=40)
        assert (mine.send, mine.lost) == ([], ["a", "b"])
        assert await one.flight.wait(mine.lost, one.fetch, one.read) == {"a": "A", "b": "B"}
        assert (one.asked, two.asked) == ([], ["c", "a", "b"])
        assert (one.handover.lost, two.handover.claimed) == (2, 2)
        assert (one.claims, two.claims) == ([], [2])

    virtual(scenario())


def test_a_call_claims_no_more_than_its_room() -> None:
    async def scenario() -> None:
        table, cache = LockTable(clock=loop_time), {}
        one, two = Side(MemoryLocks(table), cache), Side(MemoryLocks(table), cache)
        await one.locks.acquire(["k:a", "k:b", "k:c"], 10.0)
        await one.handover.offer(["a", "b", "c"])
        await two.locks.acquire(["k:x"], 10.0)
        carrier = await two.handover.trade(["x"], room=2)
        assert carrier.send == ["x", "a"]
        await two.handover.settle(carrier, {"x": "X", "a": "A"})
        mine = await one.handover.trade(["a", "b", "c"], room=40)
        assert (mine.kept, mine.lost) == (["b", "c"], ["a"])

    virtual(scenario())


def test_keys_a_failed_call_claimed_go_back_to_their_process() -> None:
    async def scenario() -> None:
        table, cache = LockTable(clock=loop_time), {}
        one, two = Side(MemoryLocks(table), cache), Side(MemoryLocks(table), cache)
        await one.locks.acquire(["k:a"], 10.0)
        await one.handover.offer(["a"])
        carrier = await two.handover.trade([], room=40)
        assert carrier.claimed == ["a"]
        await two.handover.settle(carrier, None)  # its request failed

        mine = await one.handover.trade(["a"], room=40)
        assert mine.lost == ["a"]
        assert await one.flight.wait(mine.lost, one.fetch, one.read) == {"a": "A"}
        assert (one.asked, one.flight.takeovers) == (["a"], 1)

    virtual(scenario())


def test_a_claimer_keeps_the_locks_it_took_alive_until_it_settles() -> None:
    async def scenario() -> None:
        ttl = 0.3
        table, cache = LockTable(clock=loop_time), {}
        one, two = Side(MemoryLocks(table), cache), Side(MemoryLocks(table), cache, ttl=ttl)
        await one.locks.acquire(["k:a"], ttl)
        await one.handover.offer(["a"])
        carrier = await two.handover.trade([], room=40)
        await asyncio.sleep(ttl * 10)  # a slow request: the lock outlives its ttl
        assert await one.locks.states(["k:a"]) == {"k:a": HELD}
        await two.handover.settle(carrier, {"a": "A"})
        assert await one.locks.states(["k:a"]) == {"k:a": LockState("done", "A")}
        await asyncio.sleep(ttl * 10)
        assert await one.locks.states(["k:a"]) == {"k:a": LockState("done", "A")}  # done_ttl

    virtual(scenario())


def test_without_the_lock_server_a_call_keeps_its_own_keys() -> None:
    async def scenario() -> None:
        locks = FlakyLocks(MemoryLocks(LockTable(clock=loop_time)))
        side = Side(locks, {})
        locks.down = True
        await side.handover.offer(["a"])
        trade = await side.handover.trade(["a", "b"], room=40)
        assert (trade.send, trade.claimed, trade.lost) == (["a", "b"], [], [])
        await side.handover.settle(trade, {"a": "A", "b": "B"})
        assert locks.failed == 2

    virtual(scenario())
