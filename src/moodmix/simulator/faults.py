"""Latency and faults, drawn from one seeded RNG so a run can be repeated.

::

    rng = random.Random(7)
    latency = LatencyModel(median_ms=40, p99_ms=160, rng=rng)
    await asyncio.sleep(latency.sample())              # seconds; 0.0 when the median is 0
    faults = FaultInjector(FaultRates(error=0.01, drop=0.005), rng=rng)
    kind = faults.draw()                               # FaultKind.ERROR ... or None
    body = corrupt_body(b'{"content": []}', rng)       # truncated, or the wrong types
    body = drop_items(b'{"content": [{"id": "a"}, {"id": "b"}]}', rng)   # some items left out
    body = add_items(b'{"content": [{"id": "a"}]}', rng)   # items nobody asked for

Latency is lognormal: the median and 99th percentile fix its two parameters. One uniform
draw per request picks at most one fault, so the shares are exact and never overlap.
"""

from __future__ import annotations

import enum
import math
import random
import uuid
from dataclasses import dataclass
from typing import Any, Final

import orjson

_Z99: Final = 2.3263478740408408
"""The standard normal's 99th percentile."""


class LatencyModel:
    """Lognormal latency with a given median and 99th percentile, in milliseconds."""

    def __init__(self, median_ms: float, p99_ms: float | None = None, *, rng: random.Random):
        if median_ms < 0:
            raise ValueError(f"median_ms must be 0 or more, got {median_ms!r}")
        p99 = 4 * median_ms if p99_ms is None else p99_ms
        if p99 < median_ms:
            raise ValueError(f"p99_ms ({p99!r}) must be at least median_ms ({median_ms!r})")
        self.median_ms = median_ms
        self.p99_ms = p99
        self._rng = rng
        self._mu = math.log(median_ms) if median_ms > 0 else 0.0
        self._sigma = math.log(p99 / median_ms) / _Z99 if median_ms > 0 else 0.0

    def sample(self) -> float:
        """One latency in seconds (``0.0`` when the model is off)."""
        if self.median_ms <= 0:
            return 0.0
        if self._sigma == 0:
            return self.median_ms / 1000.0
        return self._rng.lognormvariate(self._mu, self._sigma) / 1000.0


class FaultKind(enum.Enum):
    ERROR = "error"
    """500 with a JSON error body."""
    TIMEOUT = "timeout"
    """Held for ``timeout_hold_s``, then 504."""
    MALFORMED = "malformed"
    """200 whose body is truncated or carries the wrong types."""
    DROP = "drop"
    """The connection is closed without a response."""
    THROTTLE = "throttle"
    """429 with ``Retry-After: throttle_retry_after_s`` although the client kept its rate."""
    PARTIAL = "partial"
    """A 200 batch answer (``content`` list) with some of the items left out."""
    EXTRA = "extra"
    """A 200 batch answer with items nobody asked for: a duplicate, or a copy under new ids."""


BODY_FAULTS: Final = frozenset({FaultKind.MALFORMED, FaultKind.PARTIAL, FaultKind.EXTRA})
"""Faults applied to the handler's 200 answer rather than instead of it."""


@dataclass(frozen=True, slots=True)
class FaultRates:
    """The share of requests for each fault kind; each 0-1, at most 1 together."""

    error: float = 0.0
    timeout: float = 0.0
    malformed: float = 0.0
    drop: float = 0.0
    throttle: float = 0.0
    partial: float = 0.0
    extra: float = 0.0

    def __post_init__(self) -> None:
        for kind in FaultKind:
            share = getattr(self, kind.value)
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"{kind.value} rate must be between 0 and 1, got {share!r}")
        if self.total > 1.0 + 1e-9:
            raise ValueError(f"fault rates add up to {self.total:g}; at most 1 is allowed")

    @property
    def total(self) -> float:
        return float(sum(getattr(self, kind.value) for kind in FaultKind))


class FaultInjector:
    """Draws at most one fault per request at the configured rates."""

    def __init__(self, rates: FaultRates, *, rng: random.Random) -> None:
        self.rates = rates
        self._rng = rng

    def draw(self) -> FaultKind | None:
        """The fault for this request, or ``None``; uses no randomness when all rates are 0."""
        rates = self.rates
        if rates.total <= 0:
            return None
        point = self._rng.random()
        for kind in FaultKind:
            share: float = getattr(rates, kind.value)
            if point < share:
                return kind
            point -= share
        return None


_NOT_A_NUMBER: Final = "oops"
_NOT_A_STRING: Final = 12_345


def corrupt_body(body: bytes, rng: random.Random) -> bytes:
    """A body no client should accept: cut short, or valid JSON with the wrong types.

    Wrong types are ``"content": "oops"`` for a list, or one field of an item changed from
    number to text (``"durationMs": "oops"``) or from text to number (``"id": 12345``).
    """
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        payload = None
    if not isinstance(payload, dict) or not payload or rng.random() < 0.5:
        return _truncate(body, rng)
    return orjson.dumps(_wrong_types(payload, rng))


def _truncate(body: bytes, rng: random.Random) -> bytes:
    if len(body) < 2:
        return b"{"
    return body[: rng.randrange(1, len(body))]


def _wrong_types(payload: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    content = payload.get("content")
    if isinstance(content, list):
        items = [item for item in content if isinstance(item, dict) and item]
        if not items or rng.random() < 0.5:
            return {**payload, "content": _NOT_A_NUMBER}
        index = content.index(rng.choice(items))
        return {
            **payload,
            "content": [*content[:index], _retype(content[index], rng), *content[index + 1 :]],
        }
    return _retype(payload, rng)


def _retype(item: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    numeric = sorted(
        key
        for key, value in item.items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    )
    if numeric:
        return {**item, rng.choice(numeric): _NOT_A_NUMBER}
    textual = sorted(key for key, value in item.items() if isinstance(value, str))
    if textual:
        return {**item, rng.choice(textual): _NOT_A_STRING}
    return {**item, "id": _NOT_A_STRING}


def drop_items(body: bytes, rng: random.Random) -> bytes:
    """A batch answer with at least one and at most half (rounded up) of its items left out.

    Bodies without a non-empty ``content`` list come back unchanged.
    """
    payload = _batch(body)
    if payload is None:
        return body
    content: list[Any] = payload["content"]
    leave_out = rng.randint(1, (len(content) + 1) // 2)
    gone = set(rng.sample(range(len(content)), leave_out))
    kept = [item for index, item in enumerate(content) if index not in gone]
    return orjson.dumps({**payload, "content": kept})


def add_items(body: bytes, rng: random.Random) -> bytes:
    """A batch answer with one to three items nobody asked for.

    Each is either a duplicate of an item already there or a copy of one under a fresh
    ReccoBeats id and Spotify link (valid, but not what was asked). Bodies without a
    non-empty ``content`` list come back unchanged.
    """
    payload = _batch(body)
    if payload is None:
        return body
    content: list[Any] = list(payload["content"])
    for _ in range(rng.randint(1, 3)):
        original = rng.choice(payload["content"])
        extra = dict(original) if rng.random() < 0.5 else _renamed(original, rng)
        content.insert(rng.randrange(len(content) + 1), extra)
    return orjson.dumps({**payload, "content": content})


def _batch(body: bytes) -> dict[str, Any] | None:
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(payload, dict):
        return None
    content = payload.get("content")
    if not isinstance(content, list) or not content:
        return None
    if not all(isinstance(item, dict) for item in content):
        return None
    return payload


_ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _renamed(item: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """``item`` under a new random UUID and, when it has a Spotify link, a new Spotify id."""
    renamed = dict(item)
    renamed["id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    href = item.get("href")
    if isinstance(href, str) and "/" in href:
        spotify_id = "".join(rng.choice(_ALPHABET) for _ in range(22))
        renamed["href"] = f"{href.rsplit('/', 1)[0]}/{spotify_id}"
    return renamed
