"""A slot: the right to send one request, and where its outcome is reported; the lanes
(``Priority``) and the ``Ticket`` that moves a waiting request to the interactive lane.

    async with scheduler.slot(Priority.INTERACTIVE) as slot:
        response = await client.get(url)
        if response.status_code == 429:
            slot.throttled(retry_after=float(response.headers["Retry-After"]))

``throttled(retry_after)`` pauses the whole lane until then and tells the controller,
``succeeded()`` tells it too, ``failed()`` tells nothing (an error that says nothing about
the rate). Leaving the block normally without a report counts as a success; leaving it with
an exception, as a failure; leaving it with ``Unsent`` (the request had nothing to carry after
all) gives the token back.
"""

from __future__ import annotations

import asyncio
import enum
import math
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from moodmix.resilience.scheduler import Scheduler


class Priority(enum.IntEnum):
    """Lanes, served in this order."""

    INTERACTIVE = 0
    BACKGROUND = 1


INTERACTIVE = Priority.INTERACTIVE
BACKGROUND = Priority.BACKGROUND


class OutcomeAlreadyReported(RuntimeError):
    """A slot's outcome can be reported once."""


class Unsent(BaseException):
    """Raised inside a slot whose request was not sent after all: its token is given back.

    A batch call whose ids were all taken by another process's call, say, has nothing left to
    ask when its token comes; raising this leaves the block without spending the token. Like
    ``GeneratorExit`` it is a signal, not an error: no ``except Exception`` (a retry, a
    circuit breaker) mistakes it for a failure.
    """


class Ticket:
    """A background request's claim that can be raised to interactive while it waits.

    When an interactive caller comes to depend on background work (it joined the same
    fetch), ``promote()`` moves that work's waiting request, and every later attempt made
    with the same ticket, into the interactive lane, so it is not starved behind the
    interactive requests it now serves::

        ticket = Ticket(Priority.BACKGROUND)
        async with scheduler.slot(ticket=ticket) as slot: ...   # elsewhere: ticket.promote()
    """

    def __init__(self, priority: Priority = Priority.BACKGROUND) -> None:
        self.priority = priority
        self._scheduler: Scheduler | None = None
        self._waiter: Waiter | None = None

    def promote(self) -> None:
        """Serve this ticket's requests as interactive from now on."""
        if self.priority is Priority.INTERACTIVE:
            return
        self.priority = Priority.INTERACTIVE
        if self._scheduler is not None and self._waiter is not None:
            self._scheduler._promote(self._waiter)


@dataclass(eq=False)
class Waiter:
    priority: Priority
    enqueued: float
    future: asyncio.Future[None]
    granted_at: float = math.nan
    saturated: bool = False
    paced: bool = False
    weight: int = 1


class Slot:
    """The right to send one request; report what the upstream answered on it."""

    def __init__(self, scheduler: Scheduler, priority: Priority, granted_at: float, waited: float):
        self._scheduler = scheduler
        self.priority = priority
        self.granted_at = granted_at
        """Clock time the token and slot were granted (when the request left)."""
        self.waited = waited
        """Seconds spent waiting for them."""
        self.saturated = False
        """Whether the rate held demand back when this slot was granted (see above)."""
        self.paced = False
        """Whether its token came at the rate's pace (the bucket was spent), not from the
        bucket's burst: only then does a 429 on it say the rate is too high."""
        self.weight = 1
        """The budget's tokens this slot stands for as evidence (see above)."""
        self.outcome: str | None = None
        """"succeeded", "throttled", "failed" or "unsent" once reported."""

    def succeeded(self) -> None:
        """The upstream answered (anything but a 429)."""
        self._report("succeeded")
        self._scheduler._on_success(self)

    def throttled(self, retry_after: float) -> None:
        """The upstream answered 429: pause the lane for ``retry_after`` seconds."""
        if not (isinstance(retry_after, int | float) and math.isfinite(retry_after)):
            raise ValueError(f"retry_after must be a finite number of seconds, got {retry_after!r}")
        if retry_after < 0:
            raise ValueError(f"retry_after must be >= 0 seconds, got {retry_after!r}")
        self._report("throttled")
        self._scheduler._on_throttled(self, float(retry_after))

    def failed(self) -> None:
        """The request failed in a way that says nothing about the rate (a 500, a timeout)."""
        self._report("failed")

    def _report(self, outcome: str) -> None:
        if self.outcome is not None:
            raise OutcomeAlreadyReported(f"this slot's outcome was already {self.outcome!r}")
        self.outcome = outcome


class SlotContext(AbstractAsyncContextManager["Slot"]):
    def __init__(self, scheduler: Scheduler, priority: Priority, ticket: Ticket | None) -> None:
        self._scheduler = scheduler
        self._priority = priority
        self._ticket = ticket
        self._slot: Slot | None = None

    async def __aenter__(self) -> Slot:
        self._slot = await self._scheduler._acquire(self._priority, self._ticket)
        return self._slot

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        slot = self._slot
        if slot is None:
            return
        if slot.outcome is None:
            if exc_type is None:
                slot.succeeded()
            elif isinstance(exc, Unsent):
                slot._report("unsent")
                self._scheduler._refund(slot)
            else:
                slot.failed()
        self._scheduler._release()
