"""What an adaptive rate learnt, in the two forms it travels in: ``Learned`` to keep across
restarts (aged by its wall-clock age), ``SharedState`` to hand to the other processes.

    saved = control.learned().to_dict()              # JSON, with the time it was saved
    control.resume(Learned.from_dict(saved), age_s=1800)
    Learned(rate=1.5, floor=1.4, ceiling=1.6).aged(7200)   # floor 1.4 x 0.79, ceiling gone
    SharedState.parse(control.state())               # checked, or ValueError naming the field
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

StateValue = float | int | bool | None
"""One value of ``AdaptiveRate.state()``: plain, JSON-able."""

RESUME_HALF_LIFE_S: Final = 6 * 3600.0
"""Learnt rates older than this count for half as much when a process resumes from them."""
CEILING_KEPT_S: Final = 3600.0
"""A 429 older than this says nothing about today's limit: a resumed ceiling is dropped."""

_STATE_KEYS: Final = (
    "rate",
    "floor",
    "ceiling",
    "step",
    "evidence",
    "needed",
    "failures",
    "checks",
    "burst",
    "probes",
    "throttles",
)


@dataclass(frozen=True)
class Learned:
    """What a controller learnt, to keep across restarts: rates per second (0.0/None: none).

    ``Learned.from_dict(learned.to_dict())`` round-trips through JSON.
    """

    rate: float
    floor: float
    ceiling: float | None

    def aged(self, age_s: float) -> Learned:
        """What is left of it ``age_s`` seconds later: the floor (or, with none, the rate)
        halves every ``RESUME_HALF_LIFE_S``; a ceiling older than ``CEILING_KEPT_S`` is gone."""
        if not (isinstance(age_s, int | float) and math.isfinite(age_s) and age_s >= 0):
            raise ValueError(f"age_s must be a number of seconds >= 0, got {age_s!r}")
        trust = 0.5 ** (age_s / RESUME_HALF_LIFE_S)
        return Learned(
            rate=self.rate * trust,
            floor=self.floor * trust,
            ceiling=self.ceiling if age_s < CEILING_KEPT_S else None,
        )

    def to_dict(self) -> dict[str, float | None]:
        return {"rate": self.rate, "floor": self.floor, "ceiling": self.ceiling}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Learned:
        """The inverse of ``to_dict``; ``ValueError`` naming the field if one is off."""
        values: dict[str, float | None] = {}
        for key in ("rate", "floor", "ceiling"):
            value = data.get(key)
            if value is None and key == "ceiling":
                values[key] = None
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"learned {key!r} must be a number, got {value!r}")
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"learned {key!r} must be a finite number >= 0, got {value!r}")
            values[key] = float(value)
        rate, floor = values["rate"], values["floor"]
        assert rate is not None
        assert floor is not None
        if rate <= 0:
            raise ValueError(f"learned 'rate' must be more than 0, got {rate!r}")
        return cls(rate=rate, floor=floor, ceiling=values["ceiling"])


@dataclass(frozen=True)
class SharedState:
    """``AdaptiveRate.state()`` checked: rates per second (``ceiling`` infinite when none)."""

    rate: float
    floor: float
    ceiling: float
    step: float
    burst: float
    evidence: int
    needed: int
    failures: int
    checks: int
    probes: int
    throttles: int
    watch: float = 0.0
    """Seconds left of the watch after a cut (0.0: none; a state from before it has none)."""
    quiet: float = 0.0
    """Seconds since the last 429 or check, while watching."""

    def readings(self, hidden: float) -> list[float]:
        """The burst as a reading of the upstream's, or none if it is the ``hidden`` burst
        assumed before any probe failed: kept as one, the assumption would outweigh every
        real reading of the next few failed probes."""
        return [] if self.burst == hidden else [self.burst]

    @classmethod
    def parse(cls, state: Mapping[str, StateValue]) -> SharedState:
        """``state`` checked field by field; ``ValueError`` naming the first that is off."""
        missing = [key for key in _STATE_KEYS if key not in state]
        if missing:
            raise ValueError(f"state lacks {missing}; pass a dict made by AdaptiveRate.state()")
        rate = positive("state['rate']", _number(state, "rate"))
        floor = _number(state, "floor")
        if not 0 <= floor <= rate:
            raise ValueError(
                f"state must have 0 <= floor <= rate, got floor={floor!r}, rate={rate!r}"
            )
        ceiling = (
            math.inf
            if state["ceiling"] is None
            else positive("state['ceiling']", _number(state, "ceiling"))
        )
        return cls(
            rate=rate,
            floor=floor,
            ceiling=ceiling,
            step=positive("state['step']", _number(state, "step")),
            burst=positive("state['burst']", _number(state, "burst")),
            evidence=_count(state, "evidence"),
            needed=_count(state, "needed"),
            failures=_count(state, "failures"),
            checks=_count(state, "checks"),
            probes=_count(state, "probes"),
            throttles=_count(state, "throttles"),
            watch=_seconds(state, "watch"),
            quiet=_seconds(state, "quiet"),
        )


def positive(name: str, value: float) -> float:
    """``value`` as a float if it is a finite number above 0; ``ValueError`` naming it if not."""
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def _number(state: Mapping[str, StateValue], key: str) -> float:
    value = state[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"state[{key!r}] must be a finite number, got {value!r}")
    return float(value)


def _seconds(state: Mapping[str, StateValue], key: str) -> float:
    """An optional number of seconds >= 0 (0.0 when absent)."""
    value = state.get(key, 0.0)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"state[{key!r}] must be a number of seconds, got {value!r}")
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"state[{key!r}] must be a finite number >= 0, got {value!r}")
    return float(value)


def _count(state: Mapping[str, StateValue], key: str) -> int:
    value = state[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"state[{key!r}] must be a whole number >= 0, got {value!r}")
    return value
