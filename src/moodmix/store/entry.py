"""What a cached entry is: its kind's ``CachePolicy``, the times its windows close, and the
``Lookup`` that answers for it.

    policy = CachePolicy(ttl=7200, stale_while_revalidate=720, stale_if_error=86_400)
    entry = Entry(track, stored_at=now, policy=policy)
    entry.fresh_lookup(now + 60, "l1")   # Lookup(state=FRESH, value=track, tier="l1", age=60, ...)
    MISS.hit                             # False

Fresh for ``ttl`` seconds after it was stored, then stale-but-revalidatable for
``stale_while_revalidate`` more, then servable only on upstream error for ``stale_if_error``
more, and never returned after that.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Any, Literal

Tier = Literal["l1", "l2"]


class State(enum.StrEnum):
    """What a lookup found."""

    FRESH = "fresh"
    STALE = "stale"
    MISS = "miss"


@dataclass(frozen=True, slots=True)
class CachePolicy:
    """How long entries of one kind live, in seconds: fresh, then stale windows."""

    ttl: float
    stale_while_revalidate: float = 0.0
    stale_if_error: float = 0.0

    def __post_init__(self) -> None:
        for name in ("ttl", "stale_while_revalidate", "stale_if_error"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value < 0
            ):
                raise ValueError(f"{name} must be a finite number of seconds >= 0, got {value!r}")


@dataclass(frozen=True, slots=True)
class Lookup:
    """The answer to a lookup.

    ``age`` is seconds since the value was stored; ``fresh_for`` is seconds until it turns
    stale (0 unless fresh), which a warming layer can use to refresh hot keys in time.
    """

    state: State
    value: Any = None
    tier: Tier | None = None
    age: float = 0.0
    fresh_for: float = 0.0

    @property
    def hit(self) -> bool:
        """Whether a value was found (fresh or stale)."""
        return self.state is not State.MISS

    @property
    def fresh(self) -> bool:
        return self.state is State.FRESH

    @property
    def stale(self) -> bool:
        return self.state is State.STALE


MISS = Lookup(State.MISS)


class Entry:
    """A value with the times its windows close, from its policy."""

    __slots__ = ("error_until", "fresh_until", "revalidate_until", "stored_at", "value")

    def __init__(self, value: Any, stored_at: float, policy: CachePolicy) -> None:
        self.value = value
        self.stored_at = stored_at
        self.fresh_until = stored_at + policy.ttl
        self.revalidate_until = self.fresh_until + policy.stale_while_revalidate
        self.error_until = self.revalidate_until + policy.stale_if_error

    def fresh_lookup(self, now: float, tier: Tier) -> Lookup:
        return Lookup(State.FRESH, self.value, tier, now - self.stored_at, self.fresh_until - now)

    def stale_lookup(self, now: float, tier: Tier) -> Lookup:
        return Lookup(State.STALE, self.value, tier, now - self.stored_at, 0.0)
