"""The Spotify stand-in: sign-in with PKCE, listeners with top items, playlists, search, and
Spotify's limits and error shapes, over the ReccoBeats stand-in's catalog.

::

    async with SpotifyServer(SpotifyConfig(mode="development"), catalog) as spotify:
        spotify.standin.signin.register("http://127.0.0.1:8000/auth/callback")
        ...                    # point SpotifyAccounts and SpotifyClient at spotify.url
"""

from moodmix.simulator.spotify.server import SpotifyServer, spotify_in_thread
from moodmix.simulator.spotify.signin import SignInConfig
from moodmix.simulator.spotify.standin import SpotifyConfig, StandIn

__all__ = ["SignInConfig", "SpotifyConfig", "SpotifyServer", "StandIn", "spotify_in_thread"]
