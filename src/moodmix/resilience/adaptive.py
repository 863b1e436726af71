"""An adaptive rate: learns an upstream's unpublished rate limit from its 429 answers.

The AWS SDKs' adaptive mode (a CUBIC curve over a token bucket) and Google's client-side
throttling spend a steady trickle of rejections to track a limit, while ours must keep 429s
under 1% and sit within a few percent of the limit, so the controller is written here::

    control = AdaptiveRate(initial_rate=80 / 60)        # requests per second
    control.on_success(now, saturated=True)             # callers were waiting for tokens
    control.on_throttled(now, retry_after=2.0)          # a 429 (pausing is the caller's job)
    bucket.set_rate(control.rate)                       # apply what was learnt
    other.load_state(control.state())                   # a small dict, e.g. kept in Redis

A 429 says only that a rate was too high, so the controller remembers what each one taught:
the *floor* (the best rate sustained cleanly while demand exceeded it), the *ceiling* (the
lowest rate that drew a 429) and a *proven* rate (what the upstream demonstrably accepted since
its bucket was last seen empty, a lower bound on its limit). The limit lies between floor and
ceiling, and the controller narrows that gap from below, where a probe costs no 429:

* Evidence is counted only while demand exceeds the rate (``saturated``); a success at a rate
  callers did not use proves nothing, so the rate never grows without demand, and a probe is
  abandoned (back to the floor) as soon as demand falls below it.
* A rate is *confirmed* after ``confirm_after`` saturated successes in a row and becomes the
  floor. An upstream with a burst lets a rate above its limit through until that burst runs
  dry, so with ``hidden_burst`` (the burst it is assumed to have) a probe needs at least as
  many successes as would drain it were the limit the floor: ``hidden_burst * probe / (probe
  - floor)``, 135 for an 8% probe over a burst of 10; a probe that is confirmed has then
  outlasted the burst. The next probe is the floor plus a step that starts at ``precision``
  and doubles after each confirmed probe (slow start, fast far from any ceiling); below a
  known ceiling a probe never goes past the geometric middle of floor and ceiling.
* A 429 during a probe makes that rate the ceiling and returns to the floor (or the proven
  rate, if higher). The step falls back to ``precision``, and the floor is held for
  ``confirm_after * 2**failures`` saturated successes (more as the gap narrows) before the next
  probe. Once the gap is within ``precision`` only a re-probe just above the floor is made,
  eight times more rarely, to notice a limit that went up.
* A 429 at the floor itself disproves it (the upstream's burst had hidden an excess): the
  controller falls back to the proven rate. A 429 at or below the proven rate means the limit
  dropped: what was proven is forgotten, the backoff is reset, and with nothing proven the rate
  is cut in half and learnt again.
* Outcomes of requests sent before the rate last changed (``sent_at``) are counted but do not
  move the controller: they answer a question already answered.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from moodmix.clock import Clock, monotonic

_MAX_STEP = 1.0
_CUT = 0.5
_SETTLED_HOLD = 8
_MAX_BACKOFF = 8

StateValue = float | int | bool | None
_STATE_KEYS = (
    "rate",
    "floor",
    "ceiling",
    "proven",
    "step",
    "climbing",
    "evidence",
    "needed",
    "failures",
    "probes",
    "throttles",
)


_RESUME_HALF_LIFE_S = 6 * 3600.0
"""Learnt rates older than this count for half as much when a process resumes from them."""
_CEILING_KEPT_S = 3600.0
"""A 429 older than this says nothing about today's limit: a resumed ceiling is dropped."""


@dataclass(frozen=True)
class Learned:
    """What a controller learnt, to keep across restarts: rates per second (0.0/None: none).

    ``Learned.from_dict(learned.to_dict())`` round-trips through JSON.
    """

    rate: float
    floor: float
    ceiling: float | None

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


def _positive(name: str, value: float) -> float:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


class AdaptiveRate:
    """A small state machine from request outcomes to the rate (per second) to allow."""

    def __init__(
        self,
        initial_rate: float,
        *,
        min_rate: float | None = None,
        max_rate: float | None = None,
        confirm_after: int = 30,
        precision: float = 0.08,
        hidden_burst: int = 0,
        clock: Clock = monotonic,
    ) -> None:
        initial = _positive("initial_rate", initial_rate)
        low = _positive("min_rate", min_rate) if min_rate is not None else initial / 32
        high = _positive("max_rate", max_rate) if max_rate is not None else initial * 32
        if not low <= initial <= high:
            raise ValueError(
                f"initial_rate must lie within [min_rate, max_rate] = [{low!r}, {high!r}], "
                f"got {initial_rate!r}"
            )
        if isinstance(confirm_after, bool) or not isinstance(confirm_after, int):
            raise ValueError(f"confirm_after must be a whole number >= 1, got {confirm_after!r}")
        if confirm_after < 1:
            raise ValueError(f"confirm_after must be a whole number >= 1, got {confirm_after!r}")
        if not (isinstance(precision, int | float) and 0.0 < precision < 1.0):
            raise ValueError(f"precision must be between 0 and 1 (a fraction), got {precision!r}")
        if isinstance(hidden_burst, bool) or not isinstance(hidden_burst, int) or hidden_burst < 0:
            raise ValueError(f"hidden_burst must be a whole number >= 0, got {hidden_burst!r}")
        self._hidden = hidden_burst
        self._min = low
        self._max = high
        self._confirm = confirm_after
        self._precision = float(precision)
        self._clock = clock
        self._rate = initial
        self._floor = 0.0
        self._ceiling = math.inf
        self._step = self._precision
        self._climbing = False
        self._evidence = 0
        self._needed = confirm_after
        self._failures = 0
        self._changed_at = -math.inf
        self._drained_at = math.inf
        self._accepted = 0
        self._proven = 0.0
        self.probes = 0
        """Probes started: rates tried above the floor."""
        self.throttles = 0
        """429s reported, including those that did not move the controller."""

    @property
    def rate(self) -> float:
        """The rate to allow now, in requests per second."""
        return self._rate

    @property
    def clean_rate(self) -> float | None:
        """The best rate sustained cleanly under saturation (the floor), if any."""
        return self._floor or None

    @property
    def throttled_rate(self) -> float | None:
        """The lowest rate that drew a 429 and has not been disproved since (the ceiling)."""
        return None if math.isinf(self._ceiling) else self._ceiling

    @property
    def proven_rate(self) -> float | None:
        """What the upstream demonstrably accepted since its bucket was last seen empty, if any."""
        return self._proven or None

    @property
    def probing(self) -> bool:
        """Whether the current rate is above the floor and not yet confirmed."""
        return self._rate > self._floor

    @property
    def settled(self) -> bool:
        """Whether floor and ceiling are within ``precision`` of each other."""
        return self._floor > 0 and self._ceiling <= self._floor * (1 + self._precision)

    def on_success(
        self,
        now: float | None = None,
        *,
        saturated: bool,
        sent_at: float | None = None,
        weight: int = 1,
    ) -> float:
        """Record an answered request; ``saturated`` says callers were waiting for tokens.

        ``weight`` is how many of the upstream's answers this one stands for (several
        processes drawing from one budget each see only some of them): it counts that many
        times as evidence and towards the proven rate. Returns the rate to allow from now on.
        """
        if isinstance(weight, bool) or not isinstance(weight, int) or weight < 0:
            raise ValueError(f"weight must be a whole number >= 0, got {weight!r}")
        now = self._clock() if now is None else now
        sent = sent_at if sent_at is not None else now
        if sent >= self._drained_at:
            self._accepted += weight
        if sent < self._changed_at:
            return self._rate
        if not saturated:
            self._evidence = 0
            if self._rate > self._floor > 0:
                self._hold(now)
            return self._rate
        self._evidence += weight
        if self._evidence < self._needed:
            return self._rate
        if self._rate > self._floor:
            self._confirm_current()
            if self.settled:
                self._hold(now)
                return self._rate
        self._probe(now)
        return self._rate

    def on_throttled(
        self, now: float | None = None, retry_after: float = 0.0, *, sent_at: float | None = None
    ) -> float:
        """Record a 429 (``retry_after`` seconds, for the record); returns the rate to allow."""
        if not (isinstance(retry_after, int | float) and retry_after >= 0):
            raise ValueError(f"retry_after must be a number of seconds >= 0, got {retry_after!r}")
        now = self._clock() if now is None else now
        self.throttles += 1
        measured = self._measured(now)
        self._drained_at, self._accepted = now, 0
        if (sent_at if sent_at is not None else now) < self._changed_at:
            return self._rate
        failed = self._rate
        dropped = failed <= self._proven
        self._proven = 0.0 if dropped else max(self._proven, measured)
        self._failures = 0 if dropped else self._failures + 1
        self._ceiling = failed
        self._step = self._precision
        floor = max(self._floor, self._proven) if failed > self._floor else self._proven
        floor = min(floor, failed / (1 + self._precision / 2))
        if floor >= max(self._min, failed * _CUT):
            self._floor = floor
            self._hold(now)
        else:
            self._floor = 0.0
            self._climbing = False
            self._set(now, max(failed * _CUT, self._min), self._confirm)
        return self._rate

    def _measured(self, now: float) -> float:
        """A lower bound on the limit: what the upstream accepted since its bucket was empty."""
        window = now - self._drained_at
        if not window > 0:
            return 0.0
        return (self._accepted - 2) / window

    def _confirm_current(self) -> None:
        self._floor = self._rate
        if self._floor >= self._ceiling:
            self._ceiling = math.inf
        elif self._climbing:
            self._step = min(self._step * 2, _MAX_STEP)
        self._failures = 0

    def _probe(self, now: float) -> None:
        if self.settled:
            target = self._floor * (1 + self._precision)
        else:
            target = self._floor * (1 + self._step)
            target = min(target, math.sqrt(self._floor * self._ceiling))
        target = min(target, self._max)
        if target <= self._floor:
            self._hold(now)
            return
        self.probes += 1
        self._climbing = True
        self._set(now, target, self._probe_needed(target))

    def _probe_needed(self, target: float) -> int:
        """Saturated successes to confirm ``target``: enough that, were the limit the floor,
        the upstream's hidden burst would have run dry at the probe's excess."""
        if not self._hidden or self._floor <= 0:
            return self._confirm
        drained = self._hidden * target / (target - self._floor)
        return max(self._confirm, math.ceil(drained))

    def _hold(self, now: float) -> None:
        needed = self._confirm << min(self._failures, _MAX_BACKOFF)
        if self.settled:
            needed *= _SETTLED_HOLD
        elif self._floor > 0:
            gap = self._ceiling / self._floor - 1
            needed = math.ceil(needed * max(1.0, 2 * self._precision / gap))
        self._climbing = False
        self._set(now, self._floor, needed)

    def _set(self, now: float, rate: float, needed: int) -> None:
        if rate != self._rate:
            self._changed_at = now
        self._rate = rate
        self._needed = needed
        self._evidence = 0

    def state(self) -> dict[str, StateValue]:
        """What the controller has learnt, as a small dict of plain (JSON-able) values."""
        return {
            "rate": self._rate,
            "floor": self._floor,
            "ceiling": None if math.isinf(self._ceiling) else self._ceiling,
            "proven": self._proven,
            "step": self._step,
            "climbing": self._climbing,
            "evidence": self._evidence,
            "needed": self._needed,
            "failures": self._failures,
            "probes": self.probes,
            "throttles": self.throttles,
        }

    def load_state(self, state: Mapping[str, StateValue], now: float | None = None) -> None:
        """Take over a dict from ``state()``; outcomes of requests sent before ``now`` will be
        counted but not move the controller."""
        missing = [key for key in _STATE_KEYS if key not in state]
        if missing:
            raise ValueError(f"state lacks {missing}; pass a dict made by AdaptiveRate.state()")
        rate = _positive("state['rate']", _number(state, "rate"))
        floor, proven = _number(state, "floor"), _number(state, "proven")
        ceiling = state["ceiling"]
        ceiling = (
            math.inf
            if ceiling is None
            else _positive("state['ceiling']", _number(state, "ceiling"))
        )
        step = _positive("state['step']", _number(state, "step"))
        climbing = state["climbing"]
        if not isinstance(climbing, bool):
            raise ValueError(f"state['climbing'] must be true or false, got {climbing!r}")
        if not (0 <= floor <= rate and proven >= 0):
            raise ValueError(
                f"state must have 0 <= floor <= rate and proven >= 0, got floor={floor!r}, "
                f"rate={rate!r}, proven={proven!r}"
            )
        counts = [_count(state, key) for key in ("evidence", "needed", "failures")]
        self._rate = min(max(rate, self._min), self._max)
        self._floor, self._ceiling, self._proven = min(floor, self._rate), ceiling, proven
        self._step, self._climbing = min(step, _MAX_STEP), climbing
        self._evidence, self._needed, self._failures = counts
        self.probes, self.throttles = _count(state, "probes"), _count(state, "throttles")
        self._changed_at = self._clock() if now is None else now
        self._drained_at, self._accepted = math.inf, 0

    def learned(self) -> Learned:
        """The rate, floor and ceiling, to keep (with the time) for a later ``resume``."""
        ceiling = None if math.isinf(self._ceiling) else self._ceiling
        return Learned(rate=self._rate, floor=self._floor, ceiling=ceiling)

    def resume(self, learned: Learned, age_s: float, now: float | None = None) -> None:
        """Start from what an earlier controller learnt ``age_s`` seconds ago.

        The floor (or, with none, the rate) counts for less as it ages, by half every
        ``_RESUME_HALF_LIFE_S``; a ceiling older than ``_CEILING_KEPT_S`` is dropped.
        """
        if not (isinstance(age_s, int | float) and math.isfinite(age_s) and age_s >= 0):
            raise ValueError(f"age_s must be a number of seconds >= 0, got {age_s!r}")
        now = self._clock() if now is None else now
        trust = 0.5 ** (age_s / _RESUME_HALF_LIFE_S)
        base = learned.floor or learned.rate
        rate = min(max(base * trust, self._min), self._max)
        self._floor = rate if learned.floor else 0.0
        ceiling = learned.ceiling if age_s < _CEILING_KEPT_S else None
        self._ceiling = ceiling if ceiling is not None and ceiling > rate else math.inf
        self._proven, self._failures, self._step, self._climbing = 0.0, 0, self._precision, False
        self._drained_at, self._accepted = math.inf, 0
        self._changed_at = now
        self._rate, self._needed, self._evidence = rate, self._confirm, 0

    def __repr__(self) -> str:
        return (
            f"AdaptiveRate(rate={self._rate * 60:.1f}/min, clean={self._floor * 60:.1f}/min, "
            f"throttled={self._ceiling * 60:.1f}/min, probes={self.probes})"
        )


def _number(state: Mapping[str, StateValue], key: str) -> float:
    value = state[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"state[{key!r}] must be a finite number, got {value!r}")
    return float(value)


def _count(state: Mapping[str, StateValue], key: str) -> int:
    value = state[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"state[{key!r}] must be a whole number >= 0, got {value!r}")
    return value
