"""The embedded stand-ins that commands with ``--offline`` run in-process.

    with offline_simulator(offline, console) as sim:
        settings = Settings(reccobeats_url=sim.url, cache_backend="memory") if sim else Settings()
    with offline_spotify(sim, ["http://127.0.0.1:8000/auth/callback"]) as spotify:
        spotify.url, spotify.standin.signin.config.client_id     # sign-in, offline
    with offline_llm(llm_offline, console) as llm:
        settings = with_llm(settings, llm)                      # prompts read by the stand-in

``None`` when not offline (the configured upstream); otherwise the running simulator, stopped
when the block ends. The simulator (numpy, aiohttp) is imported only then, so other commands
start quickly.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from rich.console import Console

if TYPE_CHECKING:
    from moodmix.settings import Settings
    from moodmix.simulator import RunningSimulator
    from moodmix.simulator.llm import LlmServer
    from moodmix.simulator.spotify import SpotifyServer


@contextlib.contextmanager
def offline_simulator(offline: bool, console: Console) -> Iterator[RunningSimulator | None]:
    """The simulator started on a free port when ``offline``, else ``None``."""
    if not offline:
        yield None
        return
    from moodmix.simulator import SimulatorConfig, run_in_thread

    with console.status("Starting the embedded ReccoBeats simulator…"):
        running = run_in_thread(SimulatorConfig(port=0, rate_per_min=600, burst=10))
    with running as sim:
        yield sim


@contextlib.contextmanager
def offline_spotify(sim: RunningSimulator, redirect_uris: Sequence[str]) -> Iterator[SpotifyServer]:
    """The Spotify stand-in over ``sim``'s catalog, its test user consenting at once, with
    ``redirect_uris`` registered."""
    from moodmix.simulator.spotify import SignInConfig, SpotifyConfig, spotify_in_thread

    config = SpotifyConfig(signin=SignInConfig(redirect_uris=tuple(redirect_uris)))
    with spotify_in_thread(config, sim.server.catalog) as spotify:
        yield spotify


@contextlib.contextmanager
def offline_llm(wanted: bool, console: Console) -> Iterator[LlmServer | None]:
    """The language-model stand-in started on a free port when ``wanted``, else ``None``."""
    if not wanted:
        yield None
        return
    from moodmix.simulator.llm import LlmConfig, llm_in_thread

    with console.status("Starting the embedded language-model stand-in…"):
        running = llm_in_thread(LlmConfig(latency_ms=300))
    with running as llm:
        yield llm


def with_llm(settings: Settings, llm: LlmServer | None) -> Settings:
    """``settings`` reading prompts with the stand-in ``llm`` (unchanged when ``None``)."""
    if llm is None:
        return settings
    return settings.model_copy(
        update={"llm_url": f"{llm.url}/v1", "llm_model": "standin", "llm_api_key": None}
    )


def upstream_problem(url: str, error: Exception, *, timeout_s: float = 3.0) -> str:
    """What to tell a user whose call to ReccoBeats at ``url`` failed with ``error``: that
    moodmix cannot connect (and to try ``--offline``) when nothing answers there, else the
    error itself."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname or "", port), timeout=timeout_s).close()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return (
            f"cannot connect to ReccoBeats at {url} ({reason}); check the network, or add "
            "--offline to use the built-in simulator"
        )
    return str(error)
