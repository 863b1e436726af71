"""Everything the Spotify stand-in knows, and how it is set up.

::

    standin = StandIn(SpotifyConfig(mode="development", window_limit=100), catalog)
    standin.signin.register("http://127.0.0.1:8000/auth/callback")
    standin.library.of("listener-1")          # that listener's playlists

``error_rate`` and ``lost_answer_rate`` inject 500s, the latter after the change was made.
``mode`` is the app's API shape (``development``: ``/items``, ``item``, ``/v1/me/playlists``
only, five allowlisted users; ``extended``: the old endpoints too); ``window_limit`` requests
per app in any ``window_s`` seconds, then 429 with Retry-After.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Final, Literal

from moodmix.clock import Clock, monotonic
from moodmix.simulator.catalog import Catalog
from moodmix.simulator.spotify.library import Library
from moodmix.simulator.spotify.signin import SignIn, SignInConfig
from moodmix.simulator.spotify.window import RollingWindow
from moodmix.simulator.spotify.wire import SpotifyWire

Mode = Literal["development", "extended"]
DEVELOPMENT_USERS: Final = 5
"""How many listeners a development-mode app may have on its allowlist."""


@dataclass(frozen=True)
class SpotifyConfig:
    mode: Mode = "development"
    window_limit: int = 180
    window_s: float = 30.0
    users: int = 8
    allowlist: tuple[str, ...] = tuple(f"listener-{n}" for n in range(1, DEVELOPMENT_USERS + 1))
    """Who may use a development-mode app (extended mode lets everyone in)."""
    signin: SignInConfig = field(default_factory=SignInConfig)
    seed: int = 0
    error_rate: float = 0.0
    """Share of admitted Web API requests answered 500 before anything is done."""
    lost_answer_rate: float = 0.0
    """Share of admitted changes (POST, PUT, DELETE) that are done, then answered 500: the
    nasty case, where trying again blindly does it twice."""

    def __post_init__(self) -> None:
        for name in ("error_rate", "lost_answer_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be from 0 to 1, got {getattr(self, name)!r}")


@dataclass
class Counters:
    requests: int = 0
    limited: int = 0
    by_status: dict[int, int] = field(default_factory=dict)

    def count(self, status: int) -> None:
        self.requests += 1
        self.by_status[status] = self.by_status.get(status, 0) + 1
        if status == 429:
            self.limited += 1


class StandIn:
    """The sign-in, the listeners' library, the rate window and the counters of one stand-in."""

    def __init__(self, config: SpotifyConfig, catalog: Catalog, *, clock: Clock = monotonic):
        if len(config.allowlist) > DEVELOPMENT_USERS and config.mode == "development":
            raise ValueError(f"a development-mode app allows {DEVELOPMENT_USERS} users at most")
        self.config = config
        self.signin = SignIn(config.signin, clock)
        self.library = Library(SpotifyWire(catalog), users=config.users, seed=config.seed)
        self.window = RollingWindow(config.window_limit, config.window_s, clock=clock)
        self.counters = Counters()
        self.faults = random.Random(f"faults:{config.seed}")

    def allowed(self, user: str) -> bool:
        return self.config.mode == "extended" or user in self.config.allowlist
