"""Replays the trace's sessions against one gateway, timing every logical operation.

::

    replay = Replay(gateway, TimeScale(30))
    await replay.session(trace.sessions[0])     # stages in order, think times scaled
    replay.calls                                # one Call per gateway call: ms, hit, timeout
    replay.waits                                # per session: ms waited for data, timeout
    replay.lookups, replay.errors, replay.issued, replay.completed

A session's steps are fixed by the trace, so a failed call does not change what comes next:
every profile is offered the same work. A "not found" for an id ReccoBeats does not know is the
right answer, not an error. A call cancelled (at the run's deadline) is recorded as a timeout
with the time it waited, so the worst waits are never dropped from the figures; a call is a
hit when none of its cache lookups missed (``store.tally_lookups``). Times are the loop's
clock converted to the trace's real-world milliseconds.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from moodmix.bench.scaling import TimeScale
from moodmix.bench.workload import Session, Step, StepKind, TimedStep
from moodmix.reccobeats.errors import NotFound, ReccoBeatsError
from moodmix.reccobeats.gateway import ReccoBeats
from moodmix.store import tally_lookups


@dataclass(frozen=True, slots=True)
class Call:
    """One gateway call: how long it took (real-world ms), whether every lookup it made was
    answered from the cache, and whether it was cancelled still waiting."""

    ms: float
    wall_ms: float
    hit: bool
    timeout: bool = False


@dataclass(frozen=True, slots=True)
class Wait:
    """What one session waited for data (real-world ms), and whether it was cut off."""

    ms: float
    timeout: bool = False


class Replay:
    """What one profile did with the trace so far."""

    def __init__(self, gateway: ReccoBeats, scale: TimeScale) -> None:
        self.gateway = gateway
        self.scale = scale
        self.calls: list[Call] = []
        self.lookups = 0
        self.issued: list[TimedStep] = []
        """Steps started, at their nominal times (for the lower bound of what was asked)."""
        self.completed: list[TimedStep] = []
        """Steps whose call returned (for the lower bound of what was done)."""
        self.waits: list[Wait] = []
        """Per session: what it waited for data, in real-world ms."""
        self.errors: Counter[str] = Counter()
        self.mismatches = 0
        """Answers that differed from what the trace expected: a recommendation other than
        the trace's, or a batch lookup of known tracks that left one out (should stay 0)."""
        self.started = 0
        self.finished = 0

    @property
    def latencies_ms(self) -> list[float]:
        """Wall-clock milliseconds of every call, timeouts included."""
        return [c.wall_ms for c in self.calls]

    async def session(self, session: Session) -> None:
        """The session's stages in order; what it waited for data (its time less its own
        think time) goes to ``waits``, as a timeout if it is cancelled first."""
        self.started += 1
        loop = asyncio.get_running_loop()
        began, thought = loop.time(), 0.0
        thinking: float | None = None

        def waited(*, timeout: bool = False) -> Wait:
            still = loop.time() - thinking if thinking is not None else 0.0
            wall = loop.time() - began - thought - still
            return Wait(self.scale.real(wall) * 1_000, timeout)

        at = session.start_s
        try:
            for index, stage in enumerate(session.stages):
                if stage.think_s > 0:
                    thinking = loop.time()
                    await asyncio.sleep(self.scale.wall(stage.think_s))
                    thought += loop.time() - thinking
                    thinking = None
                at += stage.think_s
                timed = [TimedStep(at, session.index, index, step) for step in stage.steps]
                self.issued += timed
                await asyncio.gather(*(self._timed(t) for t in timed))
        except asyncio.CancelledError:
            self.waits.append(waited(timeout=True))
            raise
        self.waits.append(waited())
        self.finished += 1

    async def _timed(self, timed: TimedStep) -> None:
        step = timed.step
        self.lookups += step.lookups
        loop = asyncio.get_running_loop()
        started = loop.time()

        def call(*, hit: bool, timeout: bool = False) -> Call:
            wall = loop.time() - started
            return Call(self.scale.real(wall) * 1_000, wall * 1_000, hit, timeout)

        with tally_lookups() as tally:
            try:
                await self._call(step)
            except NotFound:
                if not step.unknown:
                    self.errors["NotFound"] += 1
            except ReccoBeatsError as exc:
                self.errors[type(exc).__name__] += 1
            except asyncio.CancelledError:
                self.calls.append(call(hit=False, timeout=True))
                raise
        self.calls.append(call(hit=tally.missed == 0))
        self.completed.append(timed)

    async def _call(self, step: Step) -> None:
        gw = self.gateway
        if step.kind is StepKind.RECOMMEND:
            tracks = await gw.get_recommendations(
                list(step.ids), size=step.size, targets=dict(step.targets)
            )
            if tuple(t.id for t in tracks) != step.delivers:
                self.mismatches += 1
        elif step.kind is StepKind.TRACKS:
            self._check_complete(step, await gw.get_tracks(list(step.ids)))
        elif step.kind is StepKind.FEATURES:
            self._check_complete(step, await gw.get_audio_features(list(step.ids)))
        elif step.kind is StepKind.TRACK:
            await gw.get_track(step.ids[0])
        else:
            await gw.get_track_audio_features(step.ids[0])

    def _check_complete(self, step: Step, answer: Sequence[object]) -> None:
        """A batch lookup of known tracks must answer every one of them."""
        if not step.unknown and len(answer) != len(set(step.ids)):
            self.mismatches += 1
