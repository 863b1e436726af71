"""Run the Spotify stand-in on this event loop, on a loopback port.

::

    async with SpotifyServer(SpotifyConfig(), catalog) as spotify:
        accounts = SpotifyAccounts(spotify.url, client_id=spotify.standin.signin.config.client_id)
        client = SpotifyClient(spotify.url)
        spotify.standin.library.of("listener-1")        # what was saved
    with spotify_in_thread(SpotifyConfig(), catalog) as spotify:   # for sync code
        ...

The stand-in is its own accounts service and Web API, both at ``url``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from aiohttp import web

from moodmix.clock import Clock, monotonic
from moodmix.simulator.catalog import Catalog
from moodmix.simulator.listening import LoopbackServer, in_thread
from moodmix.simulator.spotify.app import build_app
from moodmix.simulator.spotify.standin import SpotifyConfig, StandIn


class SpotifyServer(LoopbackServer):
    """The stand-in listening on ``host:port`` (port 0: any free one)."""

    shutdown_s = 2.0

    def __init__(
        self,
        config: SpotifyConfig,
        catalog: Catalog,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock = monotonic,
    ) -> None:
        super().__init__(host=host, port=port)
        self.standin = StandIn(config, catalog, clock=clock)

    def app(self) -> web.Application:
        return build_app(self.standin)


@contextlib.contextmanager
def spotify_in_thread(
    config: SpotifyConfig, catalog: Catalog, *, host: str = "127.0.0.1", port: int = 0
) -> Iterator[SpotifyServer]:
    """The stand-in on its own event loop in a daemon thread, stopped when the block ends.
    Reading ``standin`` from another thread is safe; change it on its loop."""
    with in_thread(
        SpotifyServer(config, catalog, host=host, port=port), "moodmix-spotify"
    ) as server:
        yield server
