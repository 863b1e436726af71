"""How the simulator behaves: catalog size, rate limit, latency and faults, validated.

``SimulatorConfig`` is immutable; change it with ``with_changes`` (which validates again)::

    config = SimulatorConfig(rate_per_min=parse_rate("60/min"), burst=5, error_rate=0.02)
    slower = config.with_changes(latency_ms=80)
    parse_rate("2/s")        # 120.0 requests per minute
    describe_errors(exc)     # "burst: Input should be greater than or equal to 1 (got 0)"

Fields that shape the listening socket or the catalog cannot change at runtime
(``RUNTIME_FIELDS`` lists those that can).
"""

from __future__ import annotations

import re
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

_UNITS: Final[dict[str, float]] = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 60.0),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 1.0),
    **dict.fromkeys(("h", "hour", "hours"), 1.0 / 60.0),
}
_RATE = re.compile(r"\s*(?P<count>\d+(?:\.\d+)?)\s*/\s*(?P<unit>[a-z]+)\s*")

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


class SimulatorConfig(BaseModel):
    """Everything the simulator can be told; every bound is checked on construction."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field("127.0.0.1", min_length=1, description="address to listen on")
    port: int = Field(0, ge=0, le=65_535, description="TCP port; 0 picks a free one")
    rate_per_min: float = Field(100.0, gt=0, le=1e9, description="token refill, per client")
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

    def with_changes(self, **changes: Any) -> SimulatorConfig:
        """A validated copy with ``changes`` applied; ``ValidationError`` if any is bad."""
        return SimulatorConfig.model_validate({**self.model_dump(), **changes})

    def runtime_view(self) -> dict[str, Any]:
        """The fields that can change at runtime, plus ``rate`` as text, JSON-ready."""
        view = {name: getattr(self, name) for name in sorted(RUNTIME_FIELDS)}
        view["rate"] = format_rate(self.rate_per_min)
        view["effective_latency_p99_ms"] = self.effective_latency_p99_ms
        return view


def describe_errors(exc: ValidationError) -> str:
    """One line per problem: ``field: what is wrong (got value)``."""
    lines = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "config"
        message = str(error["msg"]).removeprefix("Value error, ")
        got = error.get("input")
        shown = "" if isinstance(got, dict) or got is None else f" (got {got!r})"
        lines.append(f"{where}: {message}{shown}")
    return "; ".join(lines)
