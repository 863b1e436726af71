"""The Spotify client and accounts against the Spotify stand-in over loopback: PKCE sign-in,
tokens, the listener's top items, playlists in both API shapes, covers, search, limits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from moodmix.clock import ManualClock
from moodmix.coordination import MemoryWindow
from moodmix.resilience.windowgate import WindowGate
from moodmix.simulator.catalog import Catalog
from moodmix.simulator.spotify import SignInConfig, SpotifyConfig, SpotifyServer
from moodmix.spotify import (
    AuthError,
    Forbidden,
    Pkce,
    RateLimited,
    SpotifyAccounts,
    SpotifyClient,
    SpotifyUnavailable,
    Token,
    Unauthorized,
    new_state,
)
from moodmix.spotify.gateway import Spotify

CALLBACK = "http://127.0.0.1:8000/auth/callback"
CLIENT_ID = "moodmix-test"
StartSpotify = Callable[..., Awaitable[SpotifyServer]]


@pytest.fixture
async def start_spotify(catalog: Catalog) -> AsyncIterator[StartSpotify]:
    servers: list[SpotifyServer] = []

    async def start(clock: ManualClock | None = None, **changes: object) -> SpotifyServer:
        signin = SignInConfig(client_id=CLIENT_ID, redirect_uris=(CALLBACK,))
        config = replace(SpotifyConfig(signin=signin), **changes)  # type: ignore[arg-type]
        server = SpotifyServer(config, catalog, **({"clock": clock} if clock else {}))
        servers.append(await server.__aenter__())
        return server

    yield start
    for server in servers:
        await server.__aexit__(None, None, None)


async def sign_in(spotify: SpotifyServer) -> tuple[Token, SpotifyAccounts]:
    accounts = SpotifyAccounts(spotify.url, client_id=CLIENT_ID)
    pkce, state = Pkce.new(), new_state()
    url = accounts.authorize_url(redirect_uri=CALLBACK, state=state, challenge=pkce.challenge)
    async with httpx.AsyncClient() as browser:
        back = (await browser.get(url)).headers["Location"]
    query = parse_qs(urlsplit(back).query)
    assert back.startswith(CALLBACK)
    assert query["state"] == [state]
    token = await accounts.exchange_code(
        query["code"][0], redirect_uri=CALLBACK, verifier=pkce.verifier
    )
    return token, accounts


async def code_for(spotify: SpotifyServer, pkce: Pkce) -> str:
    accounts = SpotifyAccounts(spotify.url, client_id=CLIENT_ID)
    url = accounts.authorize_url(redirect_uri=CALLBACK, state="s", challenge=pkce.challenge)
    async with httpx.AsyncClient() as browser:
        back = (await browser.get(url)).headers["Location"]
    await accounts.aclose()
    return parse_qs(urlsplit(back).query)["code"][0]


async def test_sign_in_then_the_listener_and_their_top_items(start_spotify: StartSpotify) -> None:
    spotify = await start_spotify()
    token, accounts = await sign_in(spotify)
    assert token.scopes >= {"user-top-read", "playlist-modify-private", "ugc-image-upload"}
    assert token.access_token not in repr(token)
    assert "refresh_token=" not in repr(token)
    async with SpotifyClient(spotify.url) as client, accounts:
        me = await client.get_me(token.access_token)
        assert (me.id, me.display_name) == ("listener-1", "Listener 1")
        ranges = {}
        for time_range in ("short_term", "medium_term", "long_term"):
            page = await client.get_top_tracks(token.access_token, time_range=time_range, limit=50)
            assert (page.total, len(page.items), page.next) == (50, 50, None)
            ranges[time_range] = {t.id for t in page.items}
        assert ranges["short_term"] != ranges["long_term"]
        assert ranges["short_term"] & ranges["medium_term"]  # habits overlap
        second = await client.get_top_artists(token.access_token, limit=10, offset=10)
        assert (second.offset, len(second.items)) == (10, 10)
        assert second.previous is not None
        for track in page.items:  # the ReccoBeats stand-in's ids: saved offline, found offline
            assert spotify.standin.library.wire.track(track.id) is not None


async def test_a_code_is_good_once_for_its_verifier_and_redirect(
    start_spotify: StartSpotify,
) -> None:
    spotify = await start_spotify()
    async with SpotifyAccounts(spotify.url, client_id=CLIENT_ID) as accounts:
        pkce = Pkce.new()
        code = await code_for(spotify, pkce)
        with pytest.raises(AuthError, match="invalid_grant") as wrong:
            await accounts.exchange_code(code, redirect_uri=CALLBACK, verifier=Pkce.new().verifier)
        assert wrong.value.status == 400
        with pytest.raises(AuthError, match="invalid_grant"):  # refused once, gone for good
            await accounts.exchange_code(code, redirect_uri=CALLBACK, verifier=pkce.verifier)
        code = await code_for(spotify, pkce)
        with pytest.raises(AuthError, match="redirect"):
            await accounts.exchange_code(
                code, redirect_uri="http://127.0.0.1:9/other", verifier=pkce.verifier
            )
        code = await code_for(spotify, pkce)
        token = await accounts.exchange_code(code, redirect_uri=CALLBACK, verifier=pkce.verifier)
        with pytest.raises(AuthError, match="invalid_grant"):
            await accounts.exchange_code(code, redirect_uri=CALLBACK, verifier=pkce.verifier)
        assert token.access_token
        assert token.refresh_token


async def test_a_refusal_and_an_unregistered_redirect(start_spotify: StartSpotify) -> None:
    spotify = await start_spotify(signin=SignInConfig(CLIENT_ID, (CALLBACK,), consent="deny"))
    accounts = SpotifyAccounts(spotify.url, client_id=CLIENT_ID)
    async with httpx.AsyncClient() as browser, accounts:
        url = accounts.authorize_url(redirect_uri=CALLBACK, state="st", challenge="c" * 43)
        back = (await browser.get(url)).headers["Location"]
        assert parse_qs(urlsplit(back).query) == {"error": ["access_denied"], "state": ["st"]}
        url = accounts.authorize_url(
            redirect_uri="http://127.0.0.1:1/elsewhere", state="st", challenge="c" * 43
        )
        refused = await browser.get(url)
        assert refused.status_code == 400
        assert "Location" not in refused.headers
        with pytest.raises(ValueError, match="localhost"):
            accounts.authorize_url(
                redirect_uri="http://localhost:8000/cb", state="st", challenge="c" * 43
            )


async def test_an_expired_token_is_refreshed_and_the_refresh_token_kept(
    start_spotify: StartSpotify,
) -> None:
    clock = ManualClock()
    spotify = await start_spotify(clock)
    token, accounts = await sign_in(spotify)
    async with SpotifyClient(spotify.url) as client, accounts:
        clock.advance(3600)
        with pytest.raises(Unauthorized, match="expired") as expired:
            await client.get_me(token.access_token)
        assert token.access_token not in str(expired.value)
        kept = set()
        for _ in range(2):  # the stand-in sends a new refresh token every other time
            renewed = await accounts.refresh(token.refresh_token or "")
            assert renewed.refresh_token
            kept.add(renewed.refresh_token)
            assert (await client.get_me(renewed.access_token)).id == "listener-1"
        assert token.refresh_token in kept
        assert len(kept) == 2
        with pytest.raises(AuthError, match="invalid_grant"):
            await accounts.refresh("not-a-refresh-token")


async def test_playlists_in_the_development_shape(start_spotify: StartSpotify) -> None:
    spotify = await start_spotify()
    token, accounts = await sign_in(spotify)
    uris = [f"spotify:track:{sid}" for sid in spotify.standin.library.wire.track_ids[:150]]
    async with SpotifyClient(spotify.url, mode="development") as client, accounts:
        access = token.access_token
        playlist = await client.create_playlist(access, user_id="listener-1", name="Rainy Sunday")
        with pytest.raises(ValueError, match="at most 100"):
            await client.add_items(access, playlist.id, uris)
        first = await client.add_items(access, playlist.id, uris[:100])
        second = await client.add_items(access, playlist.id, uris[100:])
        assert len({playlist.snapshot_id, first, second}) == 3
        page = await client.get_items(access, playlist.id, offset=100)
        assert [i.entry.uri for i in page.items if i.entry] == uris[100:]
        assert all(i.item is not None and i.track is None for i in page.items)
        await client.remove_items(access, playlist.id, uris[:10])
        await client.add_items(access, playlist.id, uris[:2], position=0)
        stored = spotify.standin.library.playlists[playlist.id]
        assert stored.uris == uris[:2] + uris[10:]
        await client.replace_items(access, playlist.id, uris[:3])
        await client.upload_cover(access, playlist.id, b"\xff\xd8" + b"\x00" * 2000)
        assert stored.uris == uris[:3]
        assert stored.cover is not None
        assert stored.owner == "listener-1"
        with pytest.raises(ValueError, match="at most"):
            await client.upload_cover(access, playlist.id, b"\xff\xd8" + b"\x00" * 200_000)
    async with SpotifyClient(spotify.url, mode="extended") as old:
        with pytest.raises(Forbidden):  # closed to development-mode apps
            await old.create_playlist(access, user_id="listener-1", name="x")
        with pytest.raises(Forbidden):
            await old.get_items(access, playlist.id)


async def test_playlists_in_the_extended_shape(start_spotify: StartSpotify) -> None:
    spotify = await start_spotify(mode="extended")
    token, accounts = await sign_in(spotify)
    uri = f"spotify:track:{spotify.standin.library.wire.track_ids[0]}"
    async with SpotifyClient(spotify.url, mode="extended") as client, accounts:
        access = token.access_token
        playlist = await client.create_playlist(access, user_id="listener-1", name="Old shape")
        await client.add_items(access, playlist.id, [uri, uri])
        page = await client.get_items(access, playlist.id)
        assert [i.entry.uri for i in page.items if i.entry] == [uri, uri]
        assert all(i.track is not None and i.item is None for i in page.items)


async def test_over_the_rolling_window_is_a_429_with_retry_after(
    start_spotify: StartSpotify,
) -> None:
    clock = ManualClock()
    spotify = await start_spotify(clock, window_limit=3)
    token, accounts = await sign_in(spotify)
    async with SpotifyClient(spotify.url) as client, accounts:
        for _ in range(3):
            await client.get_me(token.access_token)
        clock.advance(10)
        with pytest.raises(RateLimited) as limited:
            await client.get_me(token.access_token)
        assert limited.value.retry_after == 20  # the first request leaves the window then
        clock.advance(20)
        assert (await client.get_me(token.access_token)).id == "listener-1"
    assert spotify.standin.counters.limited == 1


async def test_a_listener_off_the_allowlist_is_refused(start_spotify: StartSpotify) -> None:
    spotify = await start_spotify(signin=SignInConfig(CLIENT_ID, (CALLBACK,), user="listener-7"))
    token, accounts = await sign_in(spotify)
    async with SpotifyClient(spotify.url) as client, accounts:
        with pytest.raises(Forbidden, match="Developer Dashboard"):
            await client.get_me(token.access_token)


async def test_search_finds_an_artist_and_their_tracks(start_spotify: StartSpotify) -> None:
    spotify = await start_spotify()
    token, accounts = await sign_in(spotify)
    async with SpotifyClient(spotify.url) as client, accounts:
        found = await client.search(
            token.access_token, "artist:Daft Punk", types=("track", "artist"), limit=5
        )
        assert found.artists is not None
        assert found.artists.items[0].name == "Daft Punk"
        assert found.tracks is not None
        assert found.tracks.items
        assert all("Daft Punk" in [a.name for a in t.artists] for t in found.tracks.items)


async def test_another_listener_s_playlist_cannot_be_changed(start_spotify: StartSpotify) -> None:
    spotify = await start_spotify(mode="extended")
    token, accounts = await sign_in(spotify)
    theirs = spotify.standin.library.create("listener-2", "Theirs", "", public=True)
    uri = f"spotify:track:{spotify.standin.library.wire.track_ids[0]}"
    async with SpotifyClient(spotify.url, mode="extended") as client, accounts:
        with pytest.raises(Forbidden, match="do not own"):
            await client.add_items(token.access_token, theirs.id, [uri])
    assert theirs.uris == []


async def test_the_app_lane_waits_out_a_429_and_keeps_under_its_window(
    start_spotify: StartSpotify,
) -> None:
    clock = ManualClock()
    spotify = await start_spotify(clock, window_limit=3)
    token, accounts = await sign_in(spotify)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds)

    # A gate that believes in more room than Spotify gives: the 429 teaches it.
    loose = WindowGate(
        MemoryWindow(clock=clock), "app", limit=10, seconds=30.0, sleep=sleep, clock=clock
    )
    async with Spotify(SpotifyClient(spotify.url), loose, sleep=sleep) as lane, accounts:
        for _ in range(4):
            me = await lane.call(lambda client: client.get_me(token.access_token))
            assert me.id == "listener-1"
        assert lane.rate_limited == 1
        assert slept == [30.0]  # the Retry-After, for the whole lane
    # A gate at Spotify's own limit never draws a 429; past its bound it says how long.
    clock.advance(30)
    tight = WindowGate(
        MemoryWindow(clock=clock), "app", limit=3, seconds=30.0, sleep=sleep, clock=clock
    )
    async with Spotify(SpotifyClient(spotify.url), tight, sleep=sleep, max_wait=5.0) as lane:
        for _ in range(3):
            await lane.call(lambda client: client.get_me(token.access_token))
        with pytest.raises(RateLimited) as full:
            await lane.call(lambda client: client.get_me(token.access_token))
        assert full.value.retry_after == 30.0
        assert lane.rate_limited == 0
    assert spotify.standin.counters.limited == 1


async def test_the_lane_stops_calling_a_failing_spotify_and_spends_no_window_on_it(
    start_spotify: StartSpotify,
) -> None:
    spotify = await start_spotify(error_rate=1.0)
    token, accounts = await sign_in(spotify)

    async def no_wait(seconds: float) -> None:
        return None

    gate = WindowGate(MemoryWindow(), "app", limit=100, seconds=30.0, sleep=no_wait)
    async with Spotify(SpotifyClient(spotify.url), gate, sleep=no_wait) as lane, accounts:
        with pytest.raises(SpotifyUnavailable, match="500"):  # three tries, three 500s
            await lane.call(lambda client: client.get_me(token.access_token))
        with pytest.raises(SpotifyUnavailable, match="keeps failing"):  # the fifth opens it
            await lane.call(lambda client: client.get_me(token.access_token))
        sent = spotify.standin.counters.requests
        assert sent == 5
        with pytest.raises(SpotifyUnavailable, match="keeps failing") as refused:
            await lane.call(lambda client: client.get_me(token.access_token))
        assert refused.value.retry_after is not None
        assert refused.value.retry_after > 0
        assert spotify.standin.counters.requests == sent  # refused here, not sent
