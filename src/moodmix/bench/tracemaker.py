"""Draws a trace from its spec and the simulator's catalog: the sessions ``workload`` describes.

    catalog = Catalog.build(CatalogSpec(seed=0, tracks=20_000, artists=2_000))
    trace = build_trace(catalog, WorkloadSpec(users=20, hours=24, seed=0))
    len(trace.sessions), trace.sessions[0].user

The same catalog and spec give the same trace, so every profile replays the same requests;
``catalog_recommender`` answers recommendations as the simulator will.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

from moodmix.bench.arrivals import arrival_times
from moodmix.bench.popularity import Zipf
from moodmix.bench.workload import (
    MOODS,
    RECOMMENDATION_SIZE,
    Session,
    Stage,
    Step,
    StepKind,
    Targets,
    Trace,
    WorkloadSpec,
)
from moodmix.simulator.catalog import Catalog

Recommend = Callable[[tuple[str, ...], Targets], tuple[str, ...]]

Ask = tuple[int, tuple[str, ...]]
"""A mood (its index in ``MOODS``) and seed tracks (Spotify ids)."""


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


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
