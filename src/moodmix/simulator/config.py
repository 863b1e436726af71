"""How the simulator behaves: catalog size, rate limit, latency and faults, validated.

``SimulatorConfig`` is immutable; change it with ``with_changes`` (which validates again)::

    config = SimulatorConfig(rate_per_min=parse_rate("60/min"), burst=5, error_rate=0.02)
    slower = config.with_changes(latency_ms=80)
    parse_rate("2/s")        # 120.0 requests per minute
    describe_errors(exc)     # "burst: Input should be greater than or equal to 1 (got 0)"
    moving = config.with_changes(rate_schedule="0:80/min,600:40/min,1200:150/min")
    moving.rate_schedule[1]  # RateStep(at_s=600.0, rate_per_min=40.0)

A rate schedule's offsets are seconds since the simulator started (on its clock: when a
server starts listening; a ``SimulatorState`` used directly, at its first request or change),
also for a schedule set later through ``PATCH /_admin/config``; before the first step,
``rate_per_min`` holds.

Fields that shape the listening socket or the catalog cannot change at runtime
(``RUNTIME_FIELDS`` lists those that can).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any, Final, NamedTuple

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

_UNITS: Final[dict[str, float]] = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 60.0),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 1.0),
    **dict.fromkeys(("h", "hour", "hours"), 1.0 / 60.0),
}
_RATE = re.compile(r"\s*(?P<count>\d+(?:\.\d+)?)\s*/\s*(?P<unit>[a-z]+)\s*")
_OFFSET = re.compile(r"\s*(?P<at_s>[-+]?\d+(?:\.\d+)?)\s*")
_MAX_RATE_PER_MIN: Final = 1e9
MAX_RATE_STEPS: Final = 1_000
"""The most steps a rate schedule may have."""
_SCHEDULE_FORM: Final = (
    "OFFSET:RATE[,OFFSET:RATE...] with OFFSET in seconds since the simulator started, "
    "e.g. '0:80/min,600:40/min,1200:150/min'"
)

FAULT_FIELDS: Final[tuple[str, ...]] = (
    "error_rate",
    "timeout_rate",
    "malformed_rate",
    "drop_rate",
    "throttle_rate",
    "partial_rate",
    "extra_rate",
)
"""The per-request fault shares; each is 0-1 and together they are at most 1."""

RUNTIME_FIELDS: Final[frozenset[str]] = frozenset(
    {
        "rate_per_min",
        "rate_schedule",
        "burst",
        "penalty_after",
        "penalty_s",
        "retry_after_resolution",
        "latency_ms",
        "latency_p99_ms",
        "timeout_hold_s",
        "throttle_retry_after_s",
        *FAULT_FIELDS,
    }
)
"""Fields ``PATCH /_admin/config`` may change on a running simulator."""


def parse_rate(text: str) -> float:
    """``"60/min"``, ``"2/s"``, ``"1000/hour"`` -> requests per minute; ``ValueError`` if not."""
    match = _RATE.fullmatch(text.lower()) if isinstance(text, str) else None
    unit = match["unit"] if match else ""
    if match is None or unit not in _UNITS:
        raise ValueError(
            f"rate {text!r} is not COUNT/UNIT, e.g. '60/min', '2/s' or '1000/hour' "
            "(units: s, min, hour)"
        )
    per_min = float(match["count"]) * _UNITS[unit]
    if per_min <= 0:
        raise ValueError(f"rate {text!r} must be more than zero")
    return per_min


def format_rate(per_min: float) -> str:
    """The inverse of ``parse_rate``, in requests per minute: ``60.0`` -> ``"60/min"``."""
    return f"{per_min:g}/min"


class RateStep(NamedTuple):
    """From ``at_s`` seconds after the simulator started, the limit is ``rate_per_min``."""

    at_s: float
    rate_per_min: float


def parse_rate_schedule(text: str) -> tuple[RateStep, ...]:
    """``"0:80/min,600:40/min"`` -> ``(RateStep(0, 80), RateStep(600, 40))``; ``""`` -> ``()``.

    Each step is ``OFFSET:RATE``: seconds since the simulator started, and a rate as
    ``parse_rate`` reads it. ``ValueError`` naming the bad step and the expected form if not.
    """
    if not isinstance(text, str):
        raise ValueError(f"a rate schedule is text, {_SCHEDULE_FORM}; got {text!r}")
    if not text.strip():
        return ()
    steps = []
    for number, part in enumerate(text.split(","), start=1):
        offset, colon, rate = part.partition(":")
        match = _OFFSET.fullmatch(offset)
        if not colon or match is None:
            raise ValueError(
                f"rate schedule step {number} {part.strip()!r} is not OFFSET:RATE; "
                f"expected {_SCHEDULE_FORM}"
            )
        try:
            per_min = parse_rate(rate)
        except ValueError as exc:
            raise ValueError(f"rate schedule step {number} {part.strip()!r}: {exc}") from None
        steps.append(RateStep(float(match["at_s"]), per_min))
    return check_rate_schedule(steps)


def rate_in_force(base_per_min: float, schedule: Sequence[RateStep], elapsed_s: float) -> float:
    """The limit ``elapsed_s`` seconds in: the last step at or before it, else ``base``."""
    per_min = base_per_min
    for step in schedule:
        if step.at_s > elapsed_s:
            break
        per_min = step.rate_per_min
    return per_min


def format_rate_schedule(steps: Sequence[RateStep]) -> str:
    """The inverse of ``parse_rate_schedule``: ``"0:80/min,600:40/min"``."""
    return ",".join(f"{_number(at_s)}:{_number(per_min)}/min" for at_s, per_min in steps)


def check_rate_schedule(steps: Sequence[RateStep]) -> tuple[RateStep, ...]:
    """``steps`` as a tuple if they make a schedule, else ``ValueError`` naming the bad step:
    offsets at least 0 and strictly increasing, rates more than 0, at most ``MAX_RATE_STEPS``."""
    if len(steps) > MAX_RATE_STEPS:
        raise ValueError(
            f"a rate schedule has at most {MAX_RATE_STEPS:,} steps, this one {len(steps):,}"
        )
    previous: RateStep | None = None
    for number, step in enumerate(steps, start=1):
        where = f"rate schedule step {number} ({format_rate_schedule([step])})"
        if not (math.isfinite(step.at_s) and step.at_s >= 0):
            raise ValueError(f"{where}: the offset must be 0 or more seconds")
        if previous is not None and step.at_s <= previous.at_s:
            raise ValueError(
                f"{where}: offsets must increase strictly, and step {number - 1} is at "
                f"{_number(previous.at_s)} s"
            )
        if not (math.isfinite(step.rate_per_min) and 0 < step.rate_per_min <= _MAX_RATE_PER_MIN):
            raise ValueError(f"{where}: the rate must be more than 0 and at most 1e9/min")
        previous = step
    return tuple(steps)


def _steps(value: Any) -> tuple[RateStep, ...]:
    """A schedule from text, or from a list of ``{"at_s": 600, "rate_per_min": 40}`` (or
    ``"rate": "40/min"``) objects or ``[600, 40]`` / ``[600, "40/min"]`` pairs."""
    if isinstance(value, str):
        return parse_rate_schedule(value)
    if not isinstance(value, list | tuple):
        raise ValueError(
            f"a rate schedule is text ({_SCHEDULE_FORM}) or a list of "
            '{"at_s": seconds, "rate_per_min": number} objects'
        )
    return check_rate_schedule([_step(number, item) for number, item in enumerate(value, 1)])


def _step(number: int, item: Any) -> RateStep:
    at_s: Any
    rate: Any
    if isinstance(item, dict) and set(item) in ({"at_s", "rate_per_min"}, {"at_s", "rate"}):
        at_s, rate = item["at_s"], item.get("rate_per_min", item.get("rate"))
    elif isinstance(item, list | tuple) and len(item) == 2:
        at_s, rate = item
    else:
        at_s = rate = None
    if isinstance(rate, str):
        try:
            rate = parse_rate(rate)
        except ValueError as exc:
            raise ValueError(f"rate schedule step {number}: {exc}") from None
    if not (_is_number(at_s) and _is_number(rate)):
        raise ValueError(
            f"rate schedule step {number} is {item!r}; expected "
            '{"at_s": seconds, "rate_per_min": number} (or "rate": "40/min")'
        )
    return RateStep(float(at_s), float(rate))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: float) -> str:
    """``600.0`` -> ``"600"``, ``0.5`` -> ``"0.5"``: short, and read back exactly."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


class SimulatorConfig(BaseModel):
    """Everything the simulator can be told; every bound is checked on construction."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field("127.0.0.1", min_length=1, description="address to listen on")
    port: int = Field(0, ge=0, le=65_535, description="TCP port; 0 picks a free one")
    rate_per_min: float = Field(100.0, gt=0, le=1e9, description="token refill, per client")
    rate_schedule: tuple[RateStep, ...] = Field(
        (),
        description="steps (at_s, rate_per_min): from at_s seconds after the simulator "
        "started (also when set at runtime), the refill is rate_per_min; before the first "
        "step, and with no steps, rate_per_min holds",
    )
    burst: int = Field(10, ge=1, le=1_000_000, description="token bucket size, per client")
    penalty_after: int = Field(
        0, ge=0, le=1_000_000, description="requests inside a Retry-After window before a block"
    )
    penalty_s: float = Field(60.0, gt=0, le=86_400, description="how long a penalty block lasts")
    retry_after_resolution: float = Field(
        1.0, gt=0, le=60, description="Retry-After is rounded up to a multiple of this"
    )
    latency_ms: float = Field(0.0, ge=0, le=600_000, description="median added latency")
    latency_p99_ms: float | None = Field(
        None, ge=0, le=600_000, description="99th percentile latency; default 4 x median"
    )
    error_rate: float = Field(0.0, ge=0, le=1, description="share answered 500")
    timeout_rate: float = Field(0.0, ge=0, le=1, description="share held, then answered 504")
    malformed_rate: float = Field(0.0, ge=0, le=1, description="share with a broken 200 body")
    drop_rate: float = Field(0.0, ge=0, le=1, description="share whose connection is closed")
    throttle_rate: float = Field(0.0, ge=0, le=1, description="share answered 429 regardless")
    partial_rate: float = Field(0.0, ge=0, le=1, description="share of batches missing items")
    extra_rate: float = Field(0.0, ge=0, le=1, description="share of batches with extra items")
    timeout_hold_s: float = Field(30.0, gt=0, le=3_600, description="how long a timeout holds")
    throttle_retry_after_s: float = Field(
        60.0, gt=0, le=86_400, description="the Retry-After of an injected 429"
    )
    seed: int = Field(0, description="seeds the catalog and every random choice")
    tracks: int = Field(50_000, ge=10, le=5_000_000, description="catalog size in tracks")
    artists: int = Field(5_000, ge=1, le=1_000_000, description="catalog size in artists")

    @field_validator("rate_schedule", mode="before")
    @classmethod
    def _rate_schedule(cls, value: Any) -> tuple[RateStep, ...]:
        return _steps(value)

    @model_validator(mode="after")
    def _consistent(self) -> SimulatorConfig:
        total = sum(getattr(self, name) for name in FAULT_FIELDS)
        if total > 1 + 1e-9:
            raise ValueError(
                f"{' + '.join(FAULT_FIELDS)} is {total:g}; the shares must add up to at most 1"
            )
        if self.latency_p99_ms is not None and self.latency_p99_ms < self.latency_ms:
            raise ValueError(
                f"latency_p99_ms ({self.latency_p99_ms:g}) must be at least "
                f"latency_ms ({self.latency_ms:g})"
            )
        if self.artists > self.tracks:
            raise ValueError(
                f"artists ({self.artists}) must not exceed tracks ({self.tracks}): "
                "every artist needs a track"
            )
        return self

    @property
    def effective_latency_p99_ms(self) -> float:
        """``latency_p99_ms``, or four times the median when it was not given."""
        return self.latency_p99_ms if self.latency_p99_ms is not None else 4 * self.latency_ms

    @property
    def rate_per_s(self) -> float:
        return self.rate_per_min / 60.0

    def rate_at(self, elapsed_s: float) -> float:
        """The limit in requests per minute ``elapsed_s`` seconds after the simulator started."""
        return rate_in_force(self.rate_per_min, self.rate_schedule, elapsed_s)

    def with_changes(self, **changes: Any) -> SimulatorConfig:
        """A validated copy with ``changes`` applied; ``ValidationError`` if any is bad."""
        return SimulatorConfig.model_validate({**self.model_dump(), **changes})

    def runtime_view(self) -> dict[str, Any]:
        """The fields that can change at runtime, plus ``rate`` as text, JSON-ready."""
        view = {name: getattr(self, name) for name in sorted(RUNTIME_FIELDS)}
        view["rate"] = format_rate(self.rate_per_min)
        view["rate_schedule"] = [step._asdict() for step in self.rate_schedule]
        view["rate_schedule_text"] = format_rate_schedule(self.rate_schedule)
        view["effective_latency_p99_ms"] = self.effective_latency_p99_ms
        return view


def describe_errors(exc: ValidationError) -> str:
    """One line per problem: ``field: what is wrong (got value)``."""
    lines = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "config"
        message = str(error["msg"]).removeprefix("Value error, ")
        got = error.get("input")
        shown = "" if isinstance(got, dict) or got is None else f" (got {_shorten(repr(got))})"
        lines.append(f"{where}: {message}{shown}")
    return "; ".join(lines)


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
