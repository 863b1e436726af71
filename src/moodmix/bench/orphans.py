"""Tasks still running on the loop after every gateway of a scenario was closed.

A gateway should leave nothing behind when it closes; the benchmark cancels whatever did stay
and says what it found, so a leak shows in the report instead of hanging the process::

    leftovers = await drain_orphans(keep={lag_task})
    leftovers.tasks             # how many were still running
    leftovers.errors            # {"InvalidStateError": 2}: raised when cancelled
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Set
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Orphans:
    tasks: int = 0
    errors: dict[str, int] = field(default_factory=dict)


async def drain_orphans(keep: Set[asyncio.Task[object]] = frozenset()) -> Orphans:
    """Cancel every task but the current one and ``keep``; wait for them to end."""
    current = asyncio.current_task()
    found = [t for t in asyncio.all_tasks() if t is not current and t not in keep]
    for task in found:
        task.cancel()
    outcomes = await asyncio.gather(*found, return_exceptions=True)
    errors = Counter(
        type(outcome).__name__
        for outcome in outcomes
        if isinstance(outcome, BaseException) and not isinstance(outcome, asyncio.CancelledError)
    )
    return Orphans(len(found), dict(errors))
