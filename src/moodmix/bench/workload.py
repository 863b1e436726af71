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

    catalog = Catalog.build(CatalogSpec(seed=0, tracks=20_000, artists=2_000))
    trace = build_trace(catalog, WorkloadSpec(users=20, hours=24, seed=0))
    trace.sessions[0].stages[0].steps[0].kind          # StepKind.RECOMMEND
    sum(s.lookups for s in trace.steps())              # logical lookups in the trace

Times are real-world seconds; the runner divides them by the time scale. Recommendation results
are computed from the local copy of the simulator's catalog (the simulator is deterministic), so
every step's ids are known before the run and the lower bound can be computed exactly.
"""

from __future__ import annotations

import enum
import math
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from moodmix.bench.arrivals import ArrivalSpec, DailyCycle, arrival_times
from moodmix.bench.popularity import Zipf
from moodmix.simulator.catalog import Catalog

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
    "build_trace",
    "catalog_recommender",
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


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


Recommend = Callable[[tuple[str, ...], Targets], tuple[str, ...]]


def catalog_recommender(catalog: Catalog) -> Recommend:
    """What the simulator answers for seeds and targets (memoised: popular questions repeat)."""
    memo: dict[tuple[tuple[str, ...], Targets], tuple[str, ...]] = {}

    def recommend(seeds: tuple[str, ...], targets: Targets) -> tuple[str, ...]:
        key = (tuple(sorted(seeds)), targets)
        if key not in memo:
            found = catalog.recommend(list(key[0]), RECOMMENDATION_SIZE, targets=dict(targets))
            memo[key] = tuple(str(track["id"]) for track in found or ())
        return memo[key]

    return recommend


Ask = tuple[int, tuple[str, ...]]
"""A mood (its index in ``MOODS``) and seed tracks (Spotify ids)."""


class _SessionMaker:
    def __init__(self, catalog: Catalog, spec: WorkloadSpec) -> None:
        self.spec = spec
        ranked = catalog.popularity_rank()
        self.ranked_sids: Sequence[str] = [catalog.track_spotify_ids()[i] for i in ranked]
        self.ranked_ids: Sequence[str] = [catalog.track_ids()[i] for i in ranked]
        self.unknown: Sequence[str] = catalog.unknown_spotify_ids()
        self.tracks = Zipf(len(self.ranked_sids), spec.zipf)
        self.moods = Zipf(len(MOODS), spec.mood_skew)
        self.unknowns = Zipf(max(1, len(self.unknown)), 1.0)
        self.recommend = catalog_recommender(catalog)
        pools = random.Random(spec.seed ^ 0x5EED)
        popular = range(min(200, len(self.ranked_sids)))
        self.mood_pools = [
            [self.ranked_sids[r] for r in pools.sample(popular, min(spec.mood_pool, len(popular)))]
            for _ in MOODS
        ]
        self.pool_pick = Zipf(max(1, spec.mood_pool), 1.0)
        self.asks_by_user: list[list[Ask]] = []
        self.session_users: list[int] = []
        """The user of every session so far: a returning user is picked from it."""

    def session(self, index: int, start: float, rng: random.Random) -> Session:
        spec = self.spec
        user, (mood, seeds) = self._who(rng)
        stages = self._ask(seeds, mood, 0.0, rng)
        while rng.random() < spec.refine_share:
            other = (mood + 1 + self.moods.draw(rng)) % len(MOODS)
            stages += self._ask(seeds, other, spec.ask_gap_s * rng.uniform(0.5, 1.5), rng)
        for _ in range(_poisson(rng, spec.singles_mean)):
            stages.append(Stage(rng.uniform(2, 10), (self._single(rng),)))
        if self.unknown and rng.random() < spec.unknown_share:
            sid = self.unknown[self.unknowns.draw(rng)]
            step = Step(StepKind.TRACK, (sid,), (sid,), unknown=True)
            stages.insert(rng.randrange(1, len(stages) + 1), Stage(rng.uniform(1, 5), (step,)))
        return Session(index, user, start, MOODS[mood][0], tuple(stages))

    def _who(self, rng: random.Random) -> tuple[int, Ask]:
        """The session's user and what it asks first: a returning user's earlier ask, or a
        fresh one."""
        spec = self.spec
        if self.session_users and rng.random() < spec.return_share:
            user = self.session_users[rng.randrange(len(self.session_users))]
            asks = self.asks_by_user[user]
            if rng.random() < spec.reuse_share:
                ask = asks[rng.randrange(len(asks))]
            else:
                ask = self._fresh(rng)
                asks.append(ask)
        else:
            user = len(self.asks_by_user)
            ask = self._fresh(rng)
            self.asks_by_user.append([ask])
        self.session_users.append(user)
        return user, ask

    def _fresh(self, rng: random.Random) -> Ask:
        mood = self.moods.draw(rng)
        if rng.random() < self.spec.mood_only_share:
            pool = self.mood_pools[mood]
            seeds = tuple(pool[r] for r in self.pool_pick.distinct(rng, 2) if r < len(pool))
        else:
            n_seeds = rng.choices((1, 2, 3), weights=(70, 25, 5))[0]
            seeds = tuple(self.ranked_sids[r] for r in self.tracks.distinct(rng, n_seeds))
        return mood, seeds

    def _ask(
        self, seeds: tuple[str, ...], mood: int, think: float, rng: random.Random
    ) -> list[Stage]:
        targets = MOODS[mood][1]
        results = self.recommend(seeds, targets)
        ask = Step(StepKind.RECOMMEND, seeds, targets=targets, delivers=results)
        stages = [Stage(think, (ask,))]
        follow: list[Step] = []
        if results and rng.random() < self.spec.features_share:
            ids = self._follow_up(results, rng)
            follow.append(Step(StepKind.FEATURES, ids, ids))
        if results and rng.random() < self.spec.details_share:
            ids = self._follow_up(results, rng)
            follow.append(Step(StepKind.TRACKS, ids, ids))
        if follow:
            stages.append(Stage(rng.uniform(1, 4), tuple(follow)))
        return stages

    def _follow_up(self, results: tuple[str, ...], rng: random.Random) -> tuple[str, ...]:
        """Ids a client asks about after a recommendation: all of ``results`` or a random
        subset, sometimes with a few tracks it did not get from the recommendation."""
        spec = self.spec
        if len(results) < 2 or rng.random() < spec.all_share:
            chosen = list(results)
        else:
            kept = sorted(rng.sample(range(len(results)), rng.randint(1, len(results) - 1)))
            chosen = [results[i] for i in kept]
        if rng.random() < spec.foreign_share:
            for rank in self.tracks.distinct(rng, rng.randint(1, max(1, spec.foreign_max))):
                if self.ranked_ids[rank] not in chosen:
                    chosen.append(self.ranked_ids[rank])
        return tuple(chosen)

    def _single(self, rng: random.Random) -> Step:
        rank = self.tracks.draw(rng)
        kind = StepKind.TRACK if rng.random() < 0.6 else StepKind.TRACK_FEATURES
        return Step(kind, (self.ranked_sids[rank],), (self.ranked_ids[rank],))


def build_trace(catalog: Catalog, spec: WorkloadSpec) -> Trace:
    """The trace ``spec`` describes over ``catalog``: same catalog and spec, same trace."""
    rng = random.Random(spec.seed)
    maker = _SessionMaker(catalog, spec)
    starts = arrival_times(spec.arrivals(), rng)
    sessions = tuple(maker.session(i, start, rng) for i, start in enumerate(starts))
    keys = {
        step.recommendation_key()
        for session in sessions
        for stage in session.stages
        for step in stage.steps
        if step.kind is StepKind.RECOMMEND
    }
    return Trace(spec, sessions, catalog.n_tracks, len(keys))
