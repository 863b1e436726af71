"""The benchmark's request trace: seeded, open-loop, identical for every profile.

Virtual users start sessions in bursts. A session picks a mood (Zipf over ``MOODS``) and either
gives only the mood (the engine seeds it with two tracks from the mood's small pool of popular
tracks) or one to three seed tracks of its own, drawn with Zipf-like popularity over the
catalog's popularity rank. It asks for 20 recommendations, then for the audio features and
track details of the results in two batch calls, sometimes asks again with another mood, and
makes a few single-track lookups by Spotify id (now and then of an id ReccoBeats does not
know)::

    catalog = Catalog.build(CatalogSpec(seed=0, tracks=20_000, artists=2_000))
    trace = build_trace(catalog, WorkloadSpec(users=450, duration_s=1_000, seed=0))
    trace.sessions[0].stages[0].steps[0].kind          # StepKind.RECOMMEND
    sum(s.lookups for s in trace.steps())              # logical lookups in the trace

Times are real-world seconds; the runner divides them by the time scale. Recommendation results
are computed from the local copy of the simulator's catalog (the simulator is deterministic), so
every step's ids are known before the run and the lower bound can be computed exactly.
"""

from __future__ import annotations

import bisect
import enum
import itertools
import math
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from moodmix.simulator.catalog import Catalog

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
    """The shape of the trace; every figure is in real-world seconds."""

    users: int = 450
    duration_s: float = 1_000.0
    seed: int = 0
    session_gap_s: float = 300.0
    """Mean time between one user's sessions: ``users / session_gap_s`` sessions per second."""
    seed_skew: float = 1.05
    mood_skew: float = 1.0
    burst_share: float = 0.35
    """Share of sessions that arrive in big bursts (a link shared, a show on air)."""
    burst_size: int = 30
    burst_spread_s: float = 10.0
    group_size: float = 3.0
    """Mean size of the small groups the other sessions arrive in."""
    group_spread_s: float = 2.0
    mood_only_share: float = 0.5
    """Share of sessions that give only a mood: the engine seeds them from the mood's own pool."""
    mood_pool: int = 6
    """Popular tracks per mood the engine seeds mood-only sessions from (two at a time)."""
    refine_share: float = 0.3
    """Share of sessions that ask again with another mood."""
    singles_mean: float = 1.0
    """Mean single-track lookups per session."""
    unknown_share: float = 0.05
    """Share of sessions that look up an id ReccoBeats does not know."""

    def __post_init__(self) -> None:
        if self.users < 1:
            raise ValueError(f"users must be at least 1, got {self.users}")
        if not self.duration_s > 0:
            raise ValueError(f"duration_s must be more than 0, got {self.duration_s}")
        for name in ("burst_share", "mood_only_share", "refine_share", "unknown_share"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be within 0-1, got {getattr(self, name)}")

    @property
    def session_rate(self) -> float:
        """Sessions per real-world second."""
        return self.users / self.session_gap_s


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
            for stage_index, (at, stage) in enumerate(_stage_times(session))
            for step in stage.steps
        ]
        timed.sort(key=lambda t: (t.at_s, t.session, t.stage))
        return iter(timed)

    @property
    def logical_lookups(self) -> int:
        return sum(t.step.lookups for t in self.steps())


def _stage_times(session: Session) -> Iterator[tuple[float, Stage]]:
    at = session.start_s
    for stage in session.stages:
        at += stage.think_s
        yield at, stage


class Zipf:
    """Ranks 0..n-1 drawn with probability proportional to ``1 / (rank + 1) ** skew``."""

    def __init__(self, n: int, skew: float) -> None:
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        self._cumulative = list(itertools.accumulate((r + 1) ** -skew for r in range(n)))
        self.n = n

    def draw(self, rng: random.Random) -> int:
        total = self._cumulative[-1]
        return min(bisect.bisect_right(self._cumulative, rng.random() * total), self.n - 1)

    def distinct(self, rng: random.Random, k: int) -> list[int]:
        """``k`` different ranks (or all ``n`` if fewer)."""
        picked: dict[int, None] = {}
        while len(picked) < min(k, self.n):
            picked.setdefault(self.draw(rng))
        return list(picked)


def arrival_times(spec: WorkloadSpec, rng: random.Random) -> list[float]:
    """Session start times in ``[0, duration_s)``: small groups plus a few big bursts."""
    expected = spec.session_rate * spec.duration_s
    times: list[float] = []
    bursts = round(expected * spec.burst_share / spec.burst_size)
    for _ in range(bursts):
        centre = rng.uniform(0, spec.duration_s)
        size = max(1, round(rng.gauss(spec.burst_size, spec.burst_size / 4)))
        times += [centre + rng.uniform(0, spec.burst_spread_s) for _ in range(size)]
    group_rate = expected * (1 - spec.burst_share) / spec.group_size / spec.duration_s
    at = rng.expovariate(group_rate) if group_rate > 0 else math.inf
    while at < spec.duration_s:
        size = 1 + _geometric(rng, spec.group_size - 1)
        times += [at + rng.uniform(0, spec.group_spread_s) for _ in range(size)]
        at += rng.expovariate(group_rate)
    return sorted(t for t in times if t < spec.duration_s)


def _geometric(rng: random.Random, mean: float) -> int:
    """A count >= 0 with the given mean."""
    if mean <= 0:
        return 0
    p = 1 / (1 + mean)
    return int(math.log(1 - rng.random()) / math.log(1 - p))


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


class _SessionMaker:
    def __init__(self, catalog: Catalog, spec: WorkloadSpec) -> None:
        self.spec = spec
        ranked = catalog.popularity_rank()
        self.ranked_sids: Sequence[str] = [catalog.track_spotify_ids()[i] for i in ranked]
        self.ranked_ids: Sequence[str] = [catalog.track_ids()[i] for i in ranked]
        self.unknown: Sequence[str] = catalog.unknown_spotify_ids()
        self.tracks = Zipf(len(self.ranked_sids), spec.seed_skew)
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

    def session(self, index: int, start: float, rng: random.Random) -> Session:
        spec = self.spec
        mood = self.moods.draw(rng)
        if rng.random() < spec.mood_only_share:
            pool = self.mood_pools[mood]
            seeds = tuple(pool[r] for r in self.pool_pick.distinct(rng, 2) if r < len(pool))
        else:
            n_seeds = rng.choices((1, 2, 3), weights=(70, 25, 5))[0]
            seeds = tuple(self.ranked_sids[r] for r in self.tracks.distinct(rng, n_seeds))
        stages = self._ask(seeds, mood, 0.0, rng)
        if rng.random() < spec.refine_share:
            other = (mood + 1 + self.moods.draw(rng)) % len(MOODS)
            stages += self._ask(seeds, other, rng.uniform(5, 20), rng)
        for _ in range(_poisson(rng, spec.singles_mean)):
            stages.append(Stage(rng.uniform(2, 10), (self._single(rng),)))
        if self.unknown and rng.random() < spec.unknown_share:
            sid = self.unknown[self.unknowns.draw(rng)]
            step = Step(StepKind.TRACK, (sid,), (sid,), unknown=True)
            stages.insert(rng.randrange(1, len(stages) + 1), Stage(rng.uniform(1, 5), (step,)))
        return Session(index, rng.randrange(spec.users), start, MOODS[mood][0], tuple(stages))

    def _ask(
        self, seeds: tuple[str, ...], mood: int, think: float, rng: random.Random
    ) -> list[Stage]:
        targets = MOODS[mood][1]
        results = self.recommend(seeds, targets)
        ask = Step(StepKind.RECOMMEND, seeds, targets=targets, delivers=results)
        stages = [Stage(think, (ask,))]
        if results:
            stages.append(
                Stage(
                    rng.uniform(1, 4),
                    (
                        Step(StepKind.FEATURES, results, results),
                        Step(StepKind.TRACKS, results, results),
                    ),
                )
            )
        return stages

    def _single(self, rng: random.Random) -> Step:
        rank = self.tracks.draw(rng)
        kind = StepKind.TRACK if rng.random() < 0.6 else StepKind.TRACK_FEATURES
        return Step(kind, (self.ranked_sids[rank],), (self.ranked_ids[rank],))


def build_trace(catalog: Catalog, spec: WorkloadSpec) -> Trace:
    """The trace ``spec`` describes over ``catalog``: same catalog and spec, same trace."""
    rng = random.Random(spec.seed)
    maker = _SessionMaker(catalog, spec)
    starts = arrival_times(spec, rng)
    sessions = tuple(maker.session(i, start, rng) for i, start in enumerate(starts))
    keys = {
        step.recommendation_key()
        for session in sessions
        for stage in session.stages
        for step in stage.steps
        if step.kind is StepKind.RECOMMEND
    }
    return Trace(spec, sessions, catalog.n_tracks, len(keys))
