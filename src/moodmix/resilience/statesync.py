"""``StateSync``: one adaptive controller's state, shared through a ``Budget``.

Every process's controller should hold what any of them learnt, so a 429 seen by one slows
all. The state is published when this process changes the rate, and loaded when the
version a draw or heartbeat reports is not one this process saw or wrote::

    sync = StateSync(budget, controller, on_lost=bucket_goes_local)
    if await sync.sync(draw.version):       # another process changed it: take its rate
        limiter.set_rate(controller.rate)
    await sync.publish()                    # this process changed the rate: tell the others

A budget that has no state yet gets this process's (what it learnt becomes the budget's),
and so does one whose state this controller cannot read. ``load`` failing raises
``SharedUnavailable`` to the caller; ``publish`` failing calls ``on_lost`` instead.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog

from moodmix.coordination import Budget, SharedUnavailable
from moodmix.resilience.adaptive import AdaptiveRate

log = structlog.get_logger("moodmix.shared")


class StateSync:
    """Keeps ``controller`` and the budget's shared state in step (no-op without one)."""

    def __init__(
        self,
        budget: Budget,
        controller: AdaptiveRate | None,
        *,
        on_lost: Callable[[SharedUnavailable], None],
    ) -> None:
        self._budget = budget
        self._controller = controller
        self._on_lost = on_lost
        self._written: set[int] = set()
        self.version = -1
        """The version of the shared state this process last saw or wrote."""
        self.synced = False
        """Whether this process has loaded the shared state at least once."""

    async def sync(self, version: int) -> bool:
        """Load the shared state if ``version`` is another process's change; ``True`` when
        the controller took it (its rate is the shared one now)."""
        if version == self.version and self.synced:
            return False
        if version in self._written:
            self.version = version
            return False
        current, state = await self._budget.load()
        self.version = current
        self.synced = True
        if self._controller is None:
            return False
        if state is None:  # a fresh server: what this process learnt becomes the budget's
            await self.publish()
            return False
        try:
            self._controller.load_state(state)
        except ValueError as exc:
            log.warning("shared_state_unreadable", error=str(exc))
            await self.publish()
            return False
        return True

    async def publish(self) -> None:
        """Store the controller's state for every process."""
        if self._controller is None:
            return
        try:
            version = await self._budget.publish(self._controller.state())
        except SharedUnavailable as exc:
            self._on_lost(exc)
            return
        self._written.add(version)
        self.version = version
