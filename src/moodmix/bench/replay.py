"""Replays the trace's sessions against one gateway, timing every logical operation.

::

    replay = Replay(gateway, TimeScale(30))
    await replay.session(trace.sessions[0])     # stages in order, think times scaled
    replay.latencies_ms                         # one entry per gateway call
    replay.lookups, replay.errors, replay.issued

A session's steps are fixed by the trace, so a failed call does not change what comes next:
every profile is offered the same work. A "not found" for an id ReccoBeats does not know is the
right answer, not an error.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence

from moodmix.bench.scaling import TimeScale
from moodmix.bench.workload import Session, Step, StepKind, TimedStep
from moodmix.reccobeats.errors import NotFound, ReccoBeatsError
from moodmix.reccobeats.gateway import ReccoBeats


class Replay:
    """What one profile did with the trace so far."""

    def __init__(self, gateway: ReccoBeats, scale: TimeScale) -> None:
        self.gateway = gateway
        self.scale = scale
        self.latencies_ms: list[float] = []
        self.lookups = 0
        self.issued: list[TimedStep] = []
        """Steps started, at their nominal times (for the lower bound of what was asked)."""
        self.errors: Counter[str] = Counter()
        self.mismatches = 0
        """Answers that differed from what the trace expected: a recommendation other than
        the trace's, or a batch lookup of known tracks that left one out (should stay 0)."""
        self.started = 0
        self.finished = 0

    async def session(self, session: Session) -> None:
        self.started += 1
        at = session.start_s
        for index, stage in enumerate(session.stages):
            if stage.think_s > 0:
                await asyncio.sleep(self.scale.wall(stage.think_s))
            at += stage.think_s
            for step in stage.steps:
                self.issued.append(TimedStep(at, session.index, index, step))
            await asyncio.gather(*(self._timed(step) for step in stage.steps))
        self.finished += 1

    async def _timed(self, step: Step) -> None:
        self.lookups += step.lookups
        clock = asyncio.get_running_loop().time
        started = clock()
        try:
            await self._call(step)
        except NotFound:
            if not step.unknown:
                self.errors["NotFound"] += 1
        except ReccoBeatsError as exc:
            self.errors[type(exc).__name__] += 1
        self.latencies_ms.append((clock() - started) * 1_000)

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
