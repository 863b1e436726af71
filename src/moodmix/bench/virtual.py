"""Virtual time: an event loop whose clock jumps to the next timer when everything waits.

A day of traffic then runs in as long as the CPU work takes, and one seed gives the same
figures on any machine, however loaded::

    with virtual_runner() as runner:
        run = runner.run(run_bench(config))       # loop.time() moves only by jumps
    gateway = ReccoBeats.from_settings(settings, clock=loop_time, wall_clock=loop_time)

The loop is ``looptime``'s (a well-kept package that exists for this) rather than a subclass of
our own: it patches only the selector, so the standard loop class keeps its scheduling; it keeps
time in integer microseconds, so sums of jumps do not drift between runs; and while a
``run_in_executor`` job (``asyncio.to_thread``) is pending it waits for the thread in real time
instead of jumping past it. Threads it cannot see (aiosqlite's connection thread) would let the
clock run ahead of them, so virtual runs use memory storage. ``noop_cycles=0``: nothing outside
the loop (no sockets: the simulator is reached through ``AppTransport``) can wake it, and ready
callbacks always run before the loop asks the selector to wait, so the jump can be taken at once.

Only code that reads the loop's clock is virtual: every clock in the lookups path is injected
(``moodmix.clock.loop_time``) or is ``loop.time()``; ``time.monotonic()`` and
``time.perf_counter()`` keep real time (the bench's wall figures use them on purpose).
"""

from __future__ import annotations

import asyncio

VIRTUAL_START_S = 1_000_000.0
"""Where the virtual clock starts: far from 0, which some code reads as "never"."""


def virtual_loop() -> asyncio.AbstractEventLoop:
    """A new event loop on virtual time."""
    try:
        import looptime
    except ImportError:  # pragma: no cover - the bench extra is missing
        raise RuntimeError(
            "virtual time needs looptime: pip install 'moodmix[bench]', or use --clock real"
        ) from None
    return looptime.new_event_loop(start=VIRTUAL_START_S, noop_cycles=0)


def virtual_runner() -> asyncio.Runner:
    """An ``asyncio.Runner`` on a virtual-time loop (use it as a context manager)."""
    return asyncio.Runner(loop_factory=virtual_loop)
