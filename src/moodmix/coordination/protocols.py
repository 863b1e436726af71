"""What the shared layers need of a coordination server, as two small protocols.

Several processes act as one when they draw from one rate budget (``Budget``, used by
``SharedBucket``) and take per-key fetch locks (``Locks``, used by ``SharedFlight``, and
handed from one holder to another by ``Handover``). Two backends keep these promises:
``MemoryBudget`` and ``MemoryLocks`` (one process) and ``RedisBudget`` and ``RedisLocks``
(every process on a Redis server); anything else that keeps them atomically will do::

    draw = await budget.draw(rate=1.33, burst=1)     # Draw(wait=0.0, version=7, run=12): granted
    mine = await locks.acquire(["track:a", "track:b"], ttl=10.0)   # {"track:a"}: ours to fetch
    await locks.release({"track:a": "a"}, done_ttl=5.0)            # done; the value is under "a"
    (await locks.states(["track:b"]))["track:b"]                   # LockState("held")
    await locks.offer("track:", ["track:c"])           # held, but another holder may carry it
    await locks.trade("track:", ["track:d"], room=40, ttl=10.0)    # Traded(kept, claimed)

Every method raises ``SharedUnavailable`` when the server cannot be reached; callers then
fall back to what they can do alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from moodmix.resilience.adaptive import StateValue

STATE_KEPT_S = 60.0
"""The shared controller state lives this long after the last publish or heartbeat: as long
as the deployment does, and not much longer. A deployment restarted after its processes all
stopped starts from what each process remembered (discounted by its age), not from a state
the budget kept undiscounted however old."""


class SharedUnavailable(Exception):
    """The coordination server cannot be reached or answered with an error.

    Processes keep working alone (local limiter at their share of the rate, own fetches)
    and go back to shared mode by themselves once the server answers again.
    """


@dataclass(frozen=True, slots=True)
class Draw:
    """The budget's answer to a draw: granted when ``wait`` is 0, else seconds to wait.

    ``version`` counts changes of the shared limiter state (``Budget.publish``). ``run``
    counts the tokens the budget has handed out back to back, to any process, as
    ``TokenBucket.run`` does: while it grows, all processes together use the whole rate.
    ``handed_out`` counts every token it handed out (while its keys live).

    ``drained`` says how many seconds ago the budget was last paused (a 429: the upstream's
    bucket was empty then; ``None`` if not while its keys lived) and ``since_drained`` how
    many tokens it handed out since, refunds taken back: what the upstream accepted from
    all processes together since it was last empty, plus the 429s still to come back.

    ``stale`` says the draw was refused because its taker had not seen the shared state's
    latest version (``Budget.draw(version=...)``): it would have drawn at a rate another
    process has since changed. It loads the state and draws again.
    """

    wait: float
    version: int
    run: int = 0
    handed_out: int = 0
    since_drained: int = 0
    drained: float | None = None
    stale: bool = False

    @property
    def granted(self) -> bool:
        return self.wait <= 0 and not self.stale


@dataclass(frozen=True, slots=True)
class Presence:
    """How many processes beat within their time to live, and the shared state's version."""

    live: int
    version: int


class Budget(Protocol):
    """One rate budget for every process, kept atomically on a server."""

    async def draw(
        self, rate: float, burst: int, *, backlog: bool = True, version: int | None = None
    ) -> Draw:
        """Take one token if the budget has one at ``rate`` per second and ``burst``;
        ``backlog``: others wait behind its taker (without, the token ends the run);
        ``version``: the shared state's version the taker's ``rate`` comes from: if another
        was published since, nothing is taken and the answer is ``stale``."""
        ...

    async def refund(self, rate: float) -> None:
        """Give back a token that was drawn but not used."""
        ...

    async def pause(self, seconds: float, rate: float, burst: int) -> None:
        """No token for anyone for ``seconds`` (a Retry-After), then at most one."""
        ...

    async def publish(self, state: Mapping[str, StateValue]) -> int:
        """Store the adaptive controller's state for all; returns the new version."""
        ...

    async def load(self) -> tuple[int, dict[str, StateValue] | None]:
        """The current version and state (``None`` if nobody published one yet, or nobody
        published or beat for ``STATE_KEPT_S``)."""
        ...

    async def beat(self, member: str, ttl: float) -> Presence:
        """Say ``member`` is alive for ``ttl`` seconds; count who else is. Keeps the shared
        state for ``STATE_KEPT_S`` more."""
        ...

    async def leave(self, member: str) -> None:
        """``member`` stops drawing (a clean shutdown)."""
        ...


class Window(Protocol):
    """Requests counted over a rolling window per key, for every process: how Spotify
    limits an app (its requests in the last 30 seconds, whichever process sent them)."""

    async def admit(self, key: str, limit: int, seconds: float) -> float:
        """Count one request under ``key`` and return 0.0 if fewer than ``limit`` were
        counted in the last ``seconds`` and no pause holds; else count nothing and return
        the seconds until one leaves the window (or the pause ends)."""
        ...

    async def pause(self, key: str, seconds: float) -> None:
        """Admit nothing under ``key`` for ``seconds`` (a Retry-After), for every process."""
        ...

    async def aclose(self) -> None:
        """Let go of the connection, if the window owns one."""
        ...


@dataclass(frozen=True, slots=True)
class LockState:
    """A fetch lock: ``free`` (nobody fetches), ``held`` (someone is fetching) or ``done``
    (fetched a moment ago: the value is under ``ref``; ``None``: the upstream had none)."""

    status: Literal["free", "held", "done"]
    ref: str | None = None


FREE = LockState("free")
HELD = LockState("held")


@dataclass(frozen=True, slots=True)
class Traded:
    """What a ``trade`` left its caller: its own keys still held (``kept``; the rest went to
    other holders) and the keys it took over from others (``claimed``)."""

    kept: list[str]
    claimed: list[str]


class Locks(Protocol):
    """Per-key fetch locks with expiry, owned by one holder each."""

    async def acquire(self, keys: Sequence[str], ttl: float) -> set[str]:
        """Take every free key for ``ttl`` seconds; returns the keys now held by us."""
        ...

    async def extend(self, keys: Sequence[str], ttl: float) -> None:
        """Keep holding our keys for ``ttl`` seconds more."""
        ...

    async def release(self, results: Mapping[str, str | None], *, done_ttl: float) -> None:
        """Mark our keys done for ``done_ttl`` seconds, each with where its value is."""
        ...

    async def abandon(self, keys: Sequence[str]) -> None:
        """Free our keys without a result (the fetch failed): another may take them."""
        ...

    async def states(self, keys: Sequence[str]) -> dict[str, LockState]:
        """Each key's lock state."""
        ...

    async def offer(self, pool: str, keys: Sequence[str]) -> None:
        """Put our held ``keys`` up in ``pool`` for another holder to take over by ``trade``
        (keys we do not hold are left out)."""
        ...

    async def trade(self, pool: str, keys: Sequence[str], *, room: int, ttl: float) -> Traded:
        """Take our ``keys`` back out of ``pool`` and, up to ``room`` keys in all, take over
        keys others offered there (oldest first; held by us for ``ttl`` seconds), atomically."""
        ...
