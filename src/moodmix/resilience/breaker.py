"""Circuit breaker: stop calling an upstream that is failing, probe it now and then.

aiobreaker, pybreaker and purgatory read the wall clock themselves and trip on a failure count
only, so this one takes an injected clock and a failure-ratio window::

    breaker = CircuitBreaker(Trip(failure_ratio=0.5, min_calls=10, window=30.0, reset_timeout=5.0))
    async with breaker.call():           # raises CircuitOpen(retry_after=...) while open
        response = await client.get(url)
    if breaker.allow(): ...               # or by hand: then record_success() / record_failure()
    print(breaker.state, breaker.retry_after(), breaker.stats.opened)

``Trip`` holds the rules' numbers. CLOSED lets every call through and trips to OPEN when,
over the last ``window`` seconds, at least ``min_calls`` calls ended and ``failure_ratio``
of them failed, or when ``consecutive_failures`` calls in a row failed (either rule may be
switched off with None).
OPEN refuses calls for the current reset timeout, then turns HALF_OPEN, which lets up to
``half_open_probes`` calls through at once: a success closes the breaker, a failure opens it
again with the reset timeout multiplied by ``backoff_factor`` (up to ``max_reset_timeout``).
A probe that reports nothing for a whole reset timeout is presumed lost and its slot freed;
outcomes reported while OPEN (calls let through before it opened) change nothing.

Which errors are failures is the caller's choice (``is_failure``); an error that is not a
failure (a 404, say) shows the upstream answering and counts as a success. Cancellation
counts as neither. The window keeps 10 buckets, so an outcome is forgotten between
``0.9 * window`` and ``window`` seconds after it was recorded.
"""

from __future__ import annotations

import enum
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from moodmix.clock import Clock, monotonic

_BUCKETS = 10


class State(enum.Enum):
    """The breaker's state."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitOpen(Exception):
    """The breaker refused the call; it may let one through in ``retry_after`` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"circuit open; retry in {retry_after:.3f} s")
        self.retry_after = retry_after


@dataclass
class BreakerStats:
    """Counters since the breaker was made."""

    allowed: int = 0
    rejected: int = 0
    successes: int = 0
    failures: int = 0
    opened: int = 0


StateListener = Callable[[State, State], None]


def _every_error(exc: BaseException) -> bool:
    return True


class _Window:
    """How many calls, and failures among them, ended in the last ``span`` seconds."""

    def __init__(self, span: float, clock: Clock) -> None:
        self._width = span / _BUCKETS
        self._clock = clock
        self._buckets: deque[list[int]] = deque()
        self.calls = 0
        self.failures = 0

    def add(self, failed: bool) -> None:
        index = self._expire()
        if not self._buckets or self._buckets[-1][0] != index:
            self._buckets.append([index, 0, 0])
        bucket = self._buckets[-1]
        bucket[1] += 1
        self.calls += 1
        if failed:
            bucket[2] += 1
            self.failures += 1

    def counts(self) -> tuple[int, int]:
        self._expire()
        return self.calls, self.failures

    def clear(self) -> None:
        self._buckets.clear()
        self.calls = self.failures = 0

    def _expire(self) -> int:
        index = math.floor(self._clock() / self._width)
        while self._buckets and self._buckets[0][0] <= index - _BUCKETS:
            _, calls, failures = self._buckets.popleft()
            self.calls -= calls
            self.failures -= failures
        return index


@dataclass(frozen=True)
class Trip:
    """When the breaker opens and how it probes again (see the module docstring)."""

    failure_ratio: float | None = 0.5
    min_calls: int = 10
    window: float = 30.0
    consecutive_failures: int | None = 5
    reset_timeout: float = 5.0
    max_reset_timeout: float = 120.0
    backoff_factor: float = 2.0
    half_open_probes: int = 1

    def __post_init__(self) -> None:
        failure_ratio, consecutive_failures = self.failure_ratio, self.consecutive_failures
        reset_timeout, max_reset_timeout = self.reset_timeout, self.max_reset_timeout
        if failure_ratio is None and consecutive_failures is None:
            raise ValueError("failure_ratio and consecutive_failures cannot both be None")
        if failure_ratio is not None and not 0.0 < failure_ratio <= 1.0:
            raise ValueError(f"failure_ratio must be in (0, 1] or None, got {failure_ratio!r}")
        if self.min_calls < 1:
            raise ValueError(f"min_calls must be at least 1, got {self.min_calls!r}")
        if not self.window > 0:
            raise ValueError(f"window must be a positive number of seconds, got {self.window!r}")
        if consecutive_failures is not None and consecutive_failures < 1:
            raise ValueError(
                f"consecutive_failures must be at least 1 or None, got {consecutive_failures!r}"
            )
        if not reset_timeout > 0:
            raise ValueError(f"reset_timeout must be positive seconds, got {reset_timeout!r}")
        if not max_reset_timeout >= reset_timeout:
            raise ValueError(
                f"max_reset_timeout must be at least reset_timeout ({reset_timeout!r}), "
                f"got {max_reset_timeout!r}"
            )
        if not self.backoff_factor >= 1.0:
            raise ValueError(f"backoff_factor must be at least 1, got {self.backoff_factor!r}")
        if self.half_open_probes < 1:
            raise ValueError(f"half_open_probes must be at least 1, got {self.half_open_probes!r}")


class CircuitBreaker:
    """Closed, open or half-open; see the module docstring for the rules."""

    def __init__(
        self,
        trip: Trip | None = None,
        *,
        is_failure: Callable[[BaseException], bool] = _every_error,
        on_state_change: StateListener | None = None,
        clock: Clock = monotonic,
    ) -> None:
        trip = trip or Trip()
        self._failure_ratio = trip.failure_ratio
        self._min_calls = trip.min_calls
        self._consecutive_limit = trip.consecutive_failures
        self._base_timeout = trip.reset_timeout
        self._max_timeout = trip.max_reset_timeout
        self._backoff = trip.backoff_factor
        self._max_probes = trip.half_open_probes
        self._is_failure = is_failure
        self._on_state_change = on_state_change
        self._clock = clock
        self._window = _Window(trip.window, clock)
        self._state = State.CLOSED
        self._timeout = trip.reset_timeout
        self._opened_until = 0.0
        self._consecutive = 0
        self._probes = 0
        self._probe_deadline = 0.0
        self.stats = BreakerStats()

    @property
    def state(self) -> State:
        """The current state (an elapsed OPEN turns HALF_OPEN when read)."""
        self._refresh()
        return self._state

    @property
    def reset_timeout(self) -> float:
        """How long the breaker stays open the next (or current) time it opens."""
        return self._timeout

    def retry_after(self) -> float:
        """Seconds until a call may be let through; 0.0 if one may be now."""
        self._refresh()
        now = self._clock()
        if self._state is State.OPEN:
            return max(0.0, self._opened_until - now)
        if self._state is State.HALF_OPEN and self._probes >= self._max_probes:
            return max(0.0, self._probe_deadline - now)
        return 0.0

    def refusing(self) -> float:
        """Seconds from now during which every call is refused (0.0: one may try), counting a
        refusal when there are any: a check before a call waits for anything, taking no trial
        call of a half-open breaker (``allow`` does that)."""
        wait = self.retry_after()
        if wait > 0:
            self.stats.rejected += 1
        return wait

    def allow(self) -> bool:
        """Whether a call may go now; a True in HALF_OPEN takes a probe slot."""
        self._refresh()
        if self._state is State.CLOSED:
            self.stats.allowed += 1
            return True
        if self._state is State.HALF_OPEN:
            now = self._clock()
            if self._probes >= self._max_probes and now >= self._probe_deadline:
                self._probes = 0
            if self._probes < self._max_probes:
                self._probes += 1
                self._probe_deadline = now + self._timeout
                self.stats.allowed += 1
                return True
        self.stats.rejected += 1
        return False

    def record_success(self) -> None:
        """Report that an allowed call succeeded."""
        self.stats.successes += 1
        self._refresh()
        if self._state is State.HALF_OPEN:
            self._timeout = self._base_timeout
            self._close()
        elif self._state is State.CLOSED:
            self._consecutive = 0
            self._window.add(failed=False)

    def record_failure(self) -> None:
        """Report that an allowed call failed."""
        self.stats.failures += 1
        self._refresh()
        if self._state is State.HALF_OPEN:
            self._timeout = min(self._timeout * self._backoff, self._max_timeout)
            self._open()
        elif self._state is State.CLOSED:
            self._consecutive += 1
            self._window.add(failed=True)
            if self._tripped():
                self._open()

    def release(self) -> None:
        """Report that an allowed call ended without saying anything about the upstream."""
        if self._state is State.HALF_OPEN and self._probes > 0:
            self._probes -= 1

    def record_error(self, exc: BaseException) -> None:
        """Report an allowed call that raised ``exc``, classified by ``is_failure``."""
        if not isinstance(exc, Exception):
            self.release()
        elif self._is_failure(exc):
            self.record_failure()
        else:
            self.record_success()

    def call(self) -> _Guard:
        """``async with breaker.call():`` admits the block or raises ``CircuitOpen``."""
        return _Guard(self)

    def _tripped(self) -> bool:
        if self._consecutive_limit is not None and self._consecutive >= self._consecutive_limit:
            return True
        if self._failure_ratio is None:
            return False
        calls, failures = self._window.counts()
        return calls >= self._min_calls and failures >= self._failure_ratio * calls

    def _refresh(self) -> None:
        if self._state is State.OPEN and self._clock() >= self._opened_until:
            self._probes = 0
            self._change(State.HALF_OPEN)

    def _open(self) -> None:
        self._opened_until = self._clock() + self._timeout
        self._probes = 0
        self.stats.opened += 1
        self._change(State.OPEN)

    def _close(self) -> None:
        self._window.clear()
        self._consecutive = 0
        self._probes = 0
        self._change(State.CLOSED)

    def _change(self, new: State) -> None:
        old, self._state = self._state, new
        if self._on_state_change is not None and old is not new:
            self._on_state_change(old, new)


class _Guard:
    """The async context manager behind ``CircuitBreaker.call()``."""

    def __init__(self, breaker: CircuitBreaker) -> None:
        self._breaker = breaker

    async def __aenter__(self) -> None:
        if not self._breaker.allow():
            raise CircuitOpen(self._breaker.retry_after())

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc is None:
            self._breaker.record_success()
        else:
            self._breaker.record_error(exc)
