"""What the service workload asks: its settings and its prompts.

    config = ServiceBenchConfig(profile="adaptive").quick()
    cold_prompts(config.cold_clients, seed=config.seed)   # a distinct prompt per cold client

The warm phase reuses the playlists workload's ``PROMPTS``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any

from moodmix.bench.playlists import PROMPTS
from moodmix.settings import Profile

Json = dict[str, Any]


SCENES = (
    "rainy Sunday",
    "late night drive",
    "morning run",
    "house party",
    "study session",
    "summer road trip",
    "winter evening by the fire",
    "gym workout",
    "dinner with friends",
    "sunset at the beach",
)


FEELS = ("mellow", "upbeat", "dreamy", "dark", "euphoric", "nostalgic", "calm", "angry", "hopeful")


GENRES = (
    "acoustic",
    "synthwave",
    "hip hop",
    "jazz",
    "indie rock",
    "lofi",
    "house",
    "soul",
    "folk",
    "metal",
    "r&b",
    "pop",
)


def cold_prompts(count: int, seed: int) -> list[str]:
    """``count`` distinct prompts like "rainy Sunday, dreamy synthwave", seeded."""
    combos = [f"{s}, {f} {g}" for s in SCENES for f in FEELS for g in GENRES]
    if count > len(combos):
        raise ValueError(f"at most {len(combos)} cold clients, got {count}")
    return random.Random(seed).sample(combos, count)


@dataclass(frozen=True)
class ServiceBenchConfig:
    profile: Profile = "adaptive"
    warm_clients: int = 50
    warm_duration_s: float = 20.0
    warm_prompts: int = len(PROMPTS)
    cold_clients: int = 100
    size: int = 30
    upstream_rate_per_min: float = 80.0
    upstream_burst: int = 10
    time_scale: float = 20.0
    workers: int = 1
    seed: int = 0
    catalog_tracks: int = 20_000
    simulator_latency_ms: float = 15.0

    def __post_init__(self) -> None:
        if self.warm_clients < 1 or self.cold_clients < 1:
            raise ValueError("warm and cold clients must be at least 1")
        if not 1 <= self.warm_prompts <= len(PROMPTS):
            raise ValueError(f"warm prompts must be 1 to {len(PROMPTS)}, got {self.warm_prompts}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        if not self.warm_duration_s > 0:
            raise ValueError(f"the warm duration must be positive, got {self.warm_duration_s}")
        cold_prompts(self.cold_clients, self.seed)  # raises if too many

    def quick(self) -> ServiceBenchConfig:
        """A smoke run of about 20 s."""
        return replace(self, warm_clients=10, warm_duration_s=2.0, warm_prompts=4, cold_clients=10)
