"""``Handover``: one process's batch call carries ids another process was about to batch.

Each process packs its own misses into batch calls (``LateBatcher``), so three processes
sharing one quota send three part-filled calls where one process would send one full one,
and every extra call is a request the quota pays for. In shared mode a process therefore
offers the keys it holds the fetch locks of (``SharedFlight``) as it queues them, and any
process's batch call, when its token comes, takes its own keys back out of the offer and
fills its spare room with keys others offered, taking over their locks. It hands over the
locks ``SharedFlight`` takes, so no library can do it; it is written here::

    handover = Handover(RedisLocks(redis), "track:", ref=lambda key, track: track.id)
    await handover.offer(["a", "b"])            # ours, queued: another call may carry them
    trade = await handover.trade(queued, room=40)   # when this call's token comes
    trade.send                                  # what this call asks for (may be empty)
    trade.lost                                  # ours another call carries: wait for them
    await handover.settle(trade, found)         # mark what it carried done (None: failed)

A key changes holder in the same atomic step that takes it out of the offer, so exactly one
call carries it. The new holder keeps the lock alive while it fetches and marks it done for
``done_ttl`` seconds, long enough for the old holder to look when its own token comes (it
reads the value from the shared cache as ``SharedFlight.wait`` does); a failed call frees
the keys it claimed, and the old holder's wait takes them back over. No token is spent on
a handover: only calls that were leaving anyway carry others' keys, and a call left with
nothing to send gives its token back (``Unsent``). If the server fails, every process keeps
its own keys.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from moodmix.coordination import Locks, SharedUnavailable
from moodmix.resilience.sharedflight import LockKeeper
from moodmix.resilience.tokenbucket import Sleep

V = TypeVar("V")


@dataclass(eq=False)
class Trade:
    """One batch call's share of the keys: ``kept`` (its own), ``claimed`` (others', now its
    own to fetch) and ``lost`` (its own, carried by another process's call)."""

    kept: list[str]
    claimed: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    _keeper: LockKeeper | None = field(default=None, repr=False)

    @property
    def send(self) -> list[str]:
        """The keys this call asks the upstream for."""
        return self.kept + self.claimed


class Handover(Generic[V]):
    """Offers a process's queued keys to other processes' batch calls, and claims theirs."""

    def __init__(
        self,
        locks: Locks,
        namespace: str,
        *,
        ref: Callable[[str, V], str],
        ttl: float = 10.0,
        done_ttl: float = 60.0,
        sleep: Sleep = asyncio.sleep,
        on_claim: Callable[[int], None] | None = None,
    ) -> None:
        if not (ttl > 0 and done_ttl > 0):
            raise ValueError(f"ttl and done_ttl must be > 0 s, got {ttl!r} and {done_ttl!r}")
        self._locks = locks
        self._ns = namespace
        self._ref = ref
        self._ttl = ttl
        self._done_ttl = done_ttl
        self._sleep = sleep
        self._on_claim = on_claim
        self.claimed = 0
        """Keys this process's calls carried for other processes."""
        self.lost = 0
        """Keys of this process that other processes' calls carried."""

    async def offer(self, keys: list[str]) -> None:
        """Offer held ``keys`` that are about to wait in this process's batch queue."""
        with contextlib.suppress(SharedUnavailable):
            await self._locks.offer(self._ns, [self._ns + k for k in keys])

    async def trade(self, keys: list[str], *, room: int) -> Trade:
        """This call's keys when its token comes: ``keys`` it still holds, plus others'
        offered keys up to ``room`` in all."""
        cut = len(self._ns)
        try:
            traded = await self._locks.trade(
                self._ns, [self._ns + k for k in keys], room=room, ttl=self._ttl
            )
        except SharedUnavailable:
            return Trade(list(keys))
        kept = {name[cut:] for name in traded.kept}
        trade = Trade(
            [k for k in keys if k in kept],
            [name[cut:] for name in traded.claimed],
            [k for k in keys if k not in kept],
        )
        self.claimed += len(trade.claimed)
        self.lost += len(trade.lost)
        if trade.claimed:
            if self._on_claim is not None:
                self._on_claim(len(trade.claimed))
            names = [self._ns + k for k in trade.claimed]
            trade._keeper = LockKeeper(self._locks, names, self._ttl, sleep=self._sleep)
        return trade

    async def settle(self, trade: Trade, found: Mapping[str, V] | None) -> None:
        """Mark the keys ``trade`` claimed done with where their values are, or free them
        for their old holder to fetch if the call failed (``found`` is ``None``)."""
        if trade._keeper is not None:
            trade._keeper.stop()
        if not trade.claimed:
            return
        names = [self._ns + k for k in trade.claimed]
        with contextlib.suppress(SharedUnavailable):
            if found is None:
                await self._locks.abandon(names)
                return
            results = {
                self._ns + k: (self._ref(k, found[k]) if k in found else None)
                for k in trade.claimed
            }
            await self._locks.release(results, done_ttl=self._done_ttl)
