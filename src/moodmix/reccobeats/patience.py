"""How long a caller will wait for ReccoBeats, carried in a context variable.

A person waiting on an HTTP answer should not sit through a 60-second ``Retry-After``: with
``patience`` the gateway answers ``RateLimited(retry_after=<honest wait>)`` at once when
quota (a lane paused by a 429, a long queue) or a retry's wait would end past the deadline,
and the service turns that into a 503 with ``Retry-After``. Background work and playlist jobs
set no patience and wait as long as it takes::

    with patience(10.0):
        tracks = await rb.get_tracks(ids)   # or RateLimited, within about 10 s
    remaining()                             # None outside ``patience``

A context variable rather than an argument: the deadline belongs to the person asking, and
it reaches the layer that waits (``_upstream``) through every layer between, unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from moodmix.clock import monotonic

_DEADLINE: ContextVar[float | None] = ContextVar("moodmix_upstream_deadline", default=None)


@contextmanager
def patience(seconds: float) -> Iterator[None]:
    """Within the block, give up on waits for the upstream that end more than ``seconds``
    from now (a nested, longer patience keeps the outer, earlier deadline)."""
    if not seconds >= 0:
        raise ValueError(f"patience must be 0 or more seconds, got {seconds!r}")
    deadline = monotonic() + seconds
    outer = _DEADLINE.get()
    token = _DEADLINE.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def remaining() -> float | None:
    """Seconds left before the current deadline (may be negative), ``None`` if there is none."""
    deadline = _DEADLINE.get()
    return None if deadline is None else deadline - monotonic()
