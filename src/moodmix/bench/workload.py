"""The benchmark's request trace: seeded, open-loop, identical for every profile.

A day of sessions (``bench/arrivals.py``: a night trough, an evening peak four times busier,
bursts). A session belongs to a user; most users come back, and a returning user mostly asks
again with a mood and seeds of an earlier session. A session picks a mood (Zipf over
``MOODS``) and either gives only the mood (the engine seeds it with two tracks from the mood's
small pool of popular tracks) or one to three seed tracks of its own, drawn with Zipf
popularity (exponent ``zipf``) over the catalog's popularity rank. It asks for 20
recommendations; after each, the client may ask the track details of some of them and,
independently, their audio features (a random subset, sometimes all, sometimes with tracks
it did not get from the recommendation); it may ask again with another mood, and it makes
a few single-track lookups by Spotify id (now and then of an id ReccoBeats does not know)::

    trace = build_trace(catalog, WorkloadSpec(users=20, hours=24, seed=0))   # tracemaker
    trace.sessions[0].stages[0].steps[0].kind          # StepKind.RECOMMEND
    sum(s.lookups for s in trace.steps())              # logical lookups in the trace

Times are real-world seconds; the runner divides them by the time scale. Recommendation results
are computed from the local copy of the simulator's catalog (the simulator is deterministic), so
every step's ids are known before the run and the lower bound can be computed exactly.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field

from moodmix.bench.arrivals import ArrivalSpec, DailyCycle
from moodmix.bench.popularity import Zipf

__all__ = [
    "ITEM_KIND",
    "MOODS",
    "RECOMMENDATION_SIZE",
    "Session",
    "Stage",
    "Step",
    "StepKind",
    "TimedStep",
    "Trace",
    "WorkloadSpec",
    "Zipf",
]


Targets = tuple[tuple[str, float], ...]


MOODS: tuple[tuple[str, Targets], ...] = (
    ("chill", (("acousticness", 0.6), ("energy", 0.3), ("valence", 0.6))),
    ("workout", (("danceability", 0.8), ("energy", 0.9), ("tempo", 140.0))),
    ("focus", (("energy", 0.4), ("instrumentalness", 0.8), ("speechiness", 0.05))),
    ("party", (("danceability", 0.9), ("energy", 0.85), ("valence", 0.8))),
    ("rainy sunday", (("acousticness", 0.8), ("energy", 0.25), ("valence", 0.4))),
    ("heartbreak", (("energy", 0.3), ("valence", 0.15))),
    ("road trip", (("energy", 0.7), ("valence", 0.75))),
    ("sleep", (("acousticness", 0.9), ("energy", 0.1), ("instrumentalness", 0.7))),
)
"""Moods as recommendation targets, most popular first."""


RECOMMENDATION_SIZE = 20


class StepKind(enum.Enum):
    """What a step asks the gateway."""

    RECOMMEND = "recommend"
    TRACKS = "tracks"
    """``get_tracks(ids)``: a batch of track details."""
    FEATURES = "features"
    """``get_audio_features(ids)``: a batch of audio features."""
    TRACK = "track"
    """``get_track(id)``: one track."""
    TRACK_FEATURES = "track_features"
    """``get_track_audio_features(id)``: the features of one track."""


ITEM_KIND: dict[StepKind, str] = {
    StepKind.TRACKS: "track",
    StepKind.TRACK: "track",
    StepKind.FEATURES: "features",
    StepKind.TRACK_FEATURES: "features",
}
"""The cached kind of item each lookup step asks for."""


@dataclass(frozen=True, slots=True)
class Step:
    """One call to the gateway.

    ``ids`` are what is passed (seeds for a recommendation). ``items`` name what is asked for
    independently of the id form: the ReccoBeats id of a known track, or the Spotify id as asked
    of one ReccoBeats does not know. ``delivers`` are the tracks a recommendation returns.
    """

    kind: StepKind
    ids: tuple[str, ...]
    items: tuple[str, ...] = ()
    targets: Targets = ()
    size: int = RECOMMENDATION_SIZE
    delivers: tuple[str, ...] = ()
    unknown: bool = False
    """Asks only for ids ReccoBeats does not know (the answer is "not found")."""

    @property
    def lookups(self) -> int:
        """Logical lookups: items asked for, or 1 for a recommendation request."""
        return 1 if self.kind is StepKind.RECOMMEND else len(self.ids)

    def recommendation_key(self) -> tuple[tuple[str, ...], Targets, int]:
        """What makes two recommendation requests the same question."""
        return tuple(sorted(set(self.ids))), self.targets, self.size


@dataclass(frozen=True, slots=True)
class Stage:
    """Steps a session runs at once, after thinking ``think_s`` since its last stage ended."""

    think_s: float
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Session:
    index: int
    user: int
    start_s: float
    mood: str
    stages: tuple[Stage, ...]


@dataclass(frozen=True, slots=True)
class TimedStep:
    """A step at its nominal time: the session's start plus the think times before it."""

    at_s: float
    session: int
    stage: int
    step: Step


@dataclass(frozen=True)
class WorkloadSpec:
    """The shape of the trace; every time is in real-world seconds."""

    users: int = 20
    """Sessions in flight at the evening peak: sets the arrival rate (``peak_rate``)."""
    hours: float = 24.0
    """Real-world hours of arrivals."""
    seed: int = 0
    zipf: float = 1.05
    """Exponent of the Zipf popularity of seed tracks and of tracks looked up on their own."""
    peak_to_trough: float = 4.0
    """Arrivals at the evening peak over arrivals at the night trough."""
    start_hour: float = 0.0
    """The hour of the day at the trace's start."""
    burst_share: float = 0.2
    """Share of sessions that arrive in big bursts (a link shared, a show on air)."""
    burst_size: int = 20
    burst_spread_s: float = 10.0
    group_size: float = 2.0
    """Mean size of the small groups the other sessions arrive in."""
    group_spread_s: float = 2.0
    return_share: float = 0.6
    """Share of sessions (once anyone came) by a user who came before, picked in proportion
    to their sessions so far."""
    reuse_share: float = 0.75
    """Chance a returning user asks with a mood and seeds of one of their earlier sessions."""
    mood_skew: float = 1.0
    mood_only_share: float = 0.5
    """Share of new asks that give only a mood: the engine seeds them from the mood's pool."""
    mood_pool: int = 6
    """Popular tracks per mood the engine seeds mood-only sessions from (two at a time)."""
    refine_share: float = 0.3
    """Chance, after each ask, that the session asks again with another mood."""
    ask_gap_s: float = 30.0
    """Mean think time before asking again (uniform over half to one and a half of it)."""
    details_share: float = 0.7
    """Chance a recommendation is followed by a track-details batch."""
    features_share: float = 0.6
    """Chance, independently, that it is followed by an audio-features batch."""
    all_share: float = 0.25
    """Chance a follow-up batch asks for all the recommended tracks (else a random subset)."""
    foreign_share: float = 0.3
    """Chance a follow-up batch also asks for tracks the recommendation did not return."""
    foreign_max: int = 4
    """At most this many such tracks (uniform from 1), drawn with Zipf popularity."""
    singles_mean: float = 1.0
    """Mean single-track lookups per session."""
    unknown_share: float = 0.05
    """Share of sessions that look up an id ReccoBeats does not know."""

    def __post_init__(self) -> None:
        if self.users < 1:
            raise ValueError(f"users must be at least 1, got {self.users}")
        if not self.hours > 0:
            raise ValueError(f"hours must be more than 0, got {self.hours:g}")
        if self.zipf < 0:
            raise ValueError(f"the Zipf exponent must be at least 0, got {self.zipf:g}")
        for name in (
            "burst_share",
            "return_share",
            "reuse_share",
            "mood_only_share",
            "details_share",
            "features_share",
            "all_share",
            "foreign_share",
            "unknown_share",
        ):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be within 0-1, got {getattr(self, name)}")
        if not 0 <= self.refine_share < 1:
            raise ValueError(
                f"refine_share must be within 0-1 (1 excluded), got {self.refine_share}"
            )
        DailyCycle(self.peak_to_trough, self.start_hour)  # refuses impossible values

    @property
    def duration_s(self) -> float:
        """Real-world seconds of arrivals."""
        return self.hours * 3_600

    @property
    def cold_s(self) -> float:
        """The cold phase: the first hour, or the first third of a shorter trace."""
        return min(3_600.0, self.duration_s / 3)

    @property
    def cycle(self) -> DailyCycle:
        return DailyCycle(self.peak_to_trough, self.start_hour)

    @property
    def mean_session_s(self) -> float:
        """Expected real-world seconds from a session's start to its last stage."""
        asks = 1 / (1 - self.refine_share)
        follow = 1 - (1 - self.details_share) * (1 - self.features_share)
        return max(
            1.0,
            asks * follow * 2.5
            + (asks - 1) * self.ask_gap_s
            + self.singles_mean * 6.0
            + self.unknown_share * 3.0,
        )

    @property
    def peak_rate(self) -> float:
        """Sessions per real-world second at the evening peak: ``users`` in flight."""
        return self.users / self.mean_session_s

    def arrivals(self) -> ArrivalSpec:
        return ArrivalSpec(
            peak_rate=self.peak_rate,
            duration_s=self.duration_s,
            cycle=self.cycle,
            burst_share=self.burst_share,
            burst_size=self.burst_size,
            burst_spread_s=self.burst_spread_s,
            group_size=self.group_size,
            group_spread_s=self.group_spread_s,
        )


@dataclass(frozen=True)
class Trace:
    spec: WorkloadSpec
    sessions: tuple[Session, ...]
    catalog_tracks: int = 0
    recommendation_keys: int = field(default=0, compare=False)

    def steps(self) -> Iterator[TimedStep]:
        """Every step at its nominal time, in time order."""
        timed = [
            TimedStep(at, session.index, stage_index, step)
            for session in self.sessions
            for stage_index, (at, stage) in enumerate(stage_times(session))
            for step in stage.steps
        ]
        timed.sort(key=lambda t: (t.at_s, t.session, t.stage))
        return iter(timed)

    @property
    def logical_lookups(self) -> int:
        return sum(t.step.lookups for t in self.steps())


def stage_times(session: Session) -> Iterator[tuple[float, Stage]]:
    """Each stage of ``session`` at its nominal time."""
    at = session.start_s
    for stage in session.stages:
        at += stage.think_s
        yield at, stage


def nominal_end(session: Session) -> float:
    """When the session's last stage starts, had nothing to wait for."""
    return session.start_s + sum(stage.think_s for stage in session.stages)
