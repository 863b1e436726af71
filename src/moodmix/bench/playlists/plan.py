"""What the playlists workload asks: its prompts, its settings, and who asks what when.

    config = PlaylistBenchConfig(profiles=("adaptive",)).quick()
    distinct = asks(config, catalog)         # every distinct prompt, some with a seed track
    rounds = schedule(config, distinct)      # per user, the asks in order (Zipf popularity)

``PROMPTS`` are also the service workload's warm prompts.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from moodmix.engine import PlaylistRequest
from moodmix.settings import Profile
from moodmix.simulator.catalog import Catalog

PROMPTS: tuple[str, ...] = (
    "rainy Sunday, mellow acoustic, nothing sad",
    "workout, high energy hip hop",
    "deep focus for coding, no lyrics",
    "chill lofi beats to study to",
    "happy upbeat pop for a road trip",
    "sad but hopeful indie",
    "late night jazz in a smoky bar",
    "party dance music, very energetic",
    "calm piano for sleep",
    "running at 170 bpm",
    "cooking dinner with friends, feel-good soul",
    "morning coffee, gentle folk",
    "angry metal, very intense",
    "romantic dinner, slow r&b",
    "summer beach vibes, reggae",
    "meditation, ambient, instrumental",
    "commute, upbeat but not intense",
    "90s rock nostalgia",
    "heartbroken, like Adele",
    "Daft Punk vibes for a house party",
)
"""Realistic prompts, most popular first (Zipf rank)."""


SEEDED_PROMPTS = 3
"""How many prompts (ranks 2, 5, 8, ...) also carry explicit seeds from the catalog."""


@dataclass(frozen=True)
class PlaylistBenchConfig:
    profiles: tuple[Profile, ...] = ("legacy", "seed", "adaptive")
    prompts: int = len(PROMPTS)
    users: int = 40
    playlists_per_user: int = 5
    size: int = 30
    warm_repeats: int = 5
    zipf_s: float = 1.1
    upstream_rate_per_min: float = 80.0
    upstream_burst: int = 10
    time_scale: float = 20.0
    seed: int = 0
    catalog_tracks: int = 20_000
    simulator_latency_ms: float = 15.0
    mood_reader: Literal["built-in", "llm"] = "built-in"
    """``llm``: prompts read by a model (the stand-in) over the built-in reader."""
    llm_latency_ms: float = 300.0
    """How long the stand-in takes to answer."""
    llm_fault_share: float = 0.05
    """Share of the stand-in's answers given a fault (malformed, 429, slow, 500)."""

    def __post_init__(self) -> None:
        if not 1 <= self.prompts <= len(PROMPTS):
            raise ValueError(f"prompts must be 1 to {len(PROMPTS)}, got {self.prompts}")
        if self.users < 1 or self.playlists_per_user < 1 or self.size < 1:
            raise ValueError("users, playlists per user and size must be at least 1")
        if self.warm_repeats < 1:
            raise ValueError(f"warm repeats must be at least 1, got {self.warm_repeats}")
        if self.mood_reader not in ("built-in", "llm"):
            raise ValueError(f"mood reader must be built-in or llm, got {self.mood_reader!r}")
        if not 0.0 <= self.llm_fault_share <= 1.0 or not 0.0 <= self.llm_latency_ms <= 60_000:
            raise ValueError("the model's fault share must be 0..1 and its latency 0..60000 ms")

    def quick(self) -> PlaylistBenchConfig:
        """A smoke run of about 15 s."""
        return replace(
            self, prompts=min(self.prompts, 6), users=8, playlists_per_user=3, warm_repeats=3
        )


@dataclass(frozen=True)
class Ask:
    """One playlist a user asks for."""

    prompt: str
    seeds: tuple[str, ...] = ()

    def request(self, size: int) -> PlaylistRequest:
        return PlaylistRequest(self.prompt, seeds=self.seeds, size=size)


def asks(config: PlaylistBenchConfig, catalog: Catalog) -> tuple[Ask, ...]:
    """The distinct prompts, most popular first; a few with seeds sampled from the catalog."""
    rng = random.Random(config.seed)
    ids = catalog.track_ids()
    out = []
    for rank, prompt in enumerate(PROMPTS[: config.prompts]):
        seeded = rank % 3 == 2 and rank // 3 < SEEDED_PROMPTS
        seeds = tuple(rng.sample(list(ids[:2_000]), 2)) if seeded else ()
        out.append(Ask(prompt, seeds))
    return tuple(out)


def schedule(config: PlaylistBenchConfig, distinct: Sequence[Ask]) -> list[list[Ask]]:
    """Per user, the playlists it asks for, in order; Zipf popularity over ``distinct``."""
    rng = random.Random(config.seed + 1)
    weights = [1 / (rank + 1) ** config.zipf_s for rank in range(len(distinct))]
    return [
        rng.choices(list(distinct), weights, k=config.playlists_per_user)
        for _ in range(config.users)
    ]
