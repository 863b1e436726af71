"""Every bad argument is a ValueError naming it, raised before anything is sent.

The transport here fails the test if it is ever called: nothing may leave the client.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from moodmix.reccobeats import _params
from moodmix.reccobeats._http import absolute_url
from moodmix.reccobeats.client import DEFAULT_TIMEOUT, ReccoBeatsClient
from moodmix.settings import Settings

SID = "00aqkszH1FdUiJJWvX6iEl"
UUID = "8212bab8-5911-48a0-b177-24923ef2329a"
MB5 = 5 * 1024 * 1024


class Untouchable(httpx.AsyncBaseTransport):
    """A transport that records and refuses every request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        raise AssertionError(f"nothing should be sent, but {request.url} was")


@pytest.fixture
def transport() -> Untouchable:
    return Untouchable()


@pytest.fixture
async def client(transport: Untouchable) -> AsyncIterator[ReccoBeatsClient]:
    async with ReccoBeatsClient("http://127.0.0.1:9", transport=transport) as client:
        yield client
    assert transport.requests == []


def _too_many(n: int) -> list[str]:
    return [SID] * n


def rec(kwargs: dict[str, Any], match: str) -> tuple[str, tuple[Any, ...], dict[str, Any], str]:
    """A bad ``get_recommendations`` call with one good seed."""
    return ("get_recommendations", ([SID],), kwargs, match)


# (method, positional args, keyword args, regex the message must match)
BAD_CALLS: list[tuple[str, tuple[Any, ...], dict[str, Any], str]] = [
    # batches of ids
    ("get_tracks", ([],), {}, r"^ids must hold 1 to 40 ids, got 0"),
    ("get_tracks", (_too_many(41),), {}, r"^ids must hold 1 to 40 ids, got 41"),
    ("get_tracks", (SID,), {}, r"^ids must be a list .*wrap a single id"),
    ("get_tracks", ([SID, "nope"],), {}, r"^ids\[1\]: 'nope' is not a Spotify id"),
    ("get_tracks", ([f"spotify:artist:{SID}"],), {}, r"^ids\[0\]: .*artist, not a track"),
    ("get_tracks", (None,), {}, r"^ids must be a list"),
    ("get_audio_features", ([],), {}, r"^ids must hold 1 to 40"),
    ("get_audio_features", (_too_many(41),), {}, r"^ids must hold 1 to 40"),
    ("get_artists", ([f"https://open.spotify.com/track/{SID}"],), {}, r"^ids\[0\]: .*not a artist"),
    ("get_artists", (_too_many(41),), {}, r"^ids must hold 1 to 40"),
    ("get_albums", ([],), {}, r"^ids must hold 1 to 40"),
    ("get_albums", ([f"spotify:track:{SID}"],), {}, r"^ids\[0\]: .*not a album"),
    # single ids
    ("get_track", ("",), {}, r"^id: an id must not be empty"),
    ("get_track", ("x",), {}, r"^id: 'x' is not a Spotify id"),
    ("get_track", (f"spotify:album:{SID}",), {}, r"^id: .*is a Spotify album, not a track"),
    ("get_track", (42,), {}, r"^id: an id must be a string, not int"),
    ("get_track_audio_features", ("../admin",), {}, r"^id: "),
    ("get_artist", (f"spotify:track:{SID}",), {}, r"^id: .*not a artist"),
    ("get_album", ("a/b",), {}, r"^id: "),
    ("get_artist_albums", ("?",), {}, r"^id: "),
    ("get_artist_tracks", (f"spotify:album:{SID}",), {}, r"^id: "),
    ("get_album_tracks", (f"spotify:artist:{SID}",), {}, r"^id: "),
    # paging
    ("get_artist_albums", (UUID,), {"page": -1}, r"^page must be an integer from 0 to 1000, got"),
    ("get_artist_albums", (UUID,), {"page": 1001}, r"^page must be an integer from 0 to 1000"),
    ("get_artist_tracks", (UUID,), {"size": 0}, r"^size must be an integer from 1 to 50, got 0"),
    ("get_artist_tracks", (UUID,), {"size": 51}, r"^size must be an integer from 1 to 50"),
    ("get_album_tracks", (UUID,), {"size": 2.5}, r"^size must be an integer"),
    ("get_album_tracks", (UUID,), {"page": True}, r"^page must be an integer"),
    ("get_album_tracks", (UUID,), {"page": "1"}, r"^page must be an integer"),
    # search
    ("search_artists", ("",), {}, r"^text must be 1 to 1000 characters.*got 0"),
    ("search_artists", ("   ",), {}, r"^text must be 1 to 1000 characters"),
    ("search_artists", ("x" * 1001,), {}, r"^text must be 1 to 1000 characters.*got 1001"),
    ("search_artists", (None,), {}, r"^text must be a string"),
    ("search_artists", ("abba",), {"size": 51}, r"^size must be an integer from 1 to 50"),
    ("search_artists", ("abba",), {"page": 1001}, r"^page must be an integer from 0 to 1000"),
    ("search_albums", ("",), {}, r"^text must be 1 to 1000"),
    ("search_albums", ("abba",), {"size": 0}, r"^size must be an integer from 1 to 50"),
    ("search_albums", ("abba",), {"page": -1}, r"^page must be an integer from 0 to 1000"),
    # recommendations
    ("get_recommendations", ([],), {}, r"^seeds must hold 1 to 5 ids, got 0"),
    ("get_recommendations", (_too_many(6),), {}, r"^seeds must hold 1 to 5 ids, got 6"),
    ("get_recommendations", (SID,), {}, r"^seeds must be a list"),
    ("get_recommendations", (["bad"],), {}, r"^seeds\[0\]: 'bad'"),
    rec({"negative_seeds": []}, r"^negative_seeds must hold 1 to 5"),
    rec({"negative_seeds": _too_many(6)}, r"^negative_seeds must hold 1 to 5"),
    rec({"negative_seeds": ["?"]}, r"^negative_seeds\[0\]"),
    rec({"size": 0}, r"^size must be an integer from 1 to 100, got 0"),
    rec({"size": 101}, r"^size must be an integer from 1 to 100"),
    rec({"size": None}, r"^size must be an integer"),
    rec({"acousticness": 1.01}, r"^acousticness must be a number from 0 to 1, got 1.01"),
    rec({"danceability": -0.1}, r"^danceability must be a number from 0 to 1"),
    rec({"energy": math.nan}, r"^energy must be a number from 0 to 1, got nan"),
    rec({"instrumentalness": True}, r"^instrumentalness must be a number"),
    rec({"liveness": "0.5"}, r"^liveness must be a number"),
    rec({"speechiness": 2}, r"^speechiness must be a number from 0 to 1"),
    rec({"valence": math.inf}, r"^valence must be a number from 0 to 1"),
    rec({"tempo": 250.5}, r"^tempo must be a number from 0 to 250"),
    rec({"tempo": -1}, r"^tempo must be a number from 0 to 250"),
    rec({"loudness": -60.5}, r"^loudness must be a number from -60 to 2"),
    rec({"loudness": 2.5}, r"^loudness must be a number from -60 to 2"),
    rec({"key": 12}, r"^key must be an integer from -1 to 11, got 12"),
    rec({"key": -2}, r"^key must be an integer from -1 to 11"),
    rec({"key": 1.0}, r"^key must be an integer"),
    rec({"mode": 2}, r"^mode must be an integer from 0 to 1"),
    rec({"mode": False}, r"^mode must be an integer"),
    rec({"popularity": 101}, r"^popularity must be a number from 0 to 100"),
    rec({"popularity": -1}, r"^popularity must be a number from 0 to 100"),
    rec({"feature_weight": 0.5}, r"^feature_weight must be a number from 1 to 5"),
    rec({"feature_weight": 5.5}, r"^feature_weight must be a number from 1 to 5"),
    # audio analysis
    ("analyze_audio", (b"",), {}, r"^data must be 1 to 5242880 bytes \(5 MB\), got 0 bytes"),
    ("analyze_audio", (b"\0" * (MB5 + 1),), {}, r"^data must be 1 to 5242880 bytes.*got 5242881"),
    ("analyze_audio", ("ID3 text",), {}, r"^data must be the file's bytes, not str"),
    ("analyze_audio", (b"ID3",), {"filename": ""}, r"^filename must be a non-empty string"),
    ("analyze_audio", (b"ID3",), {"content_type": "mpeg"}, r"^content_type must be a MIME type"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "match"),
    BAD_CALLS,
    ids=[f"{m}-{i}" for i, (m, *_rest) in enumerate(BAD_CALLS)],
)
async def test_bad_arguments_fail_before_sending(
    client: ReccoBeatsClient,
    transport: Untouchable,
    method: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    match: str,
) -> None:
    with pytest.raises(ValueError, match=match):
        await getattr(client, method)(*args, **kwargs)
    assert transport.requests == []


def test_every_public_method_is_covered_by_a_bad_call() -> None:
    public = {
        name
        for name in vars(ReccoBeatsClient)
        if not name.startswith("_") and name not in {"aclose", "from_settings"}
    }
    assert public == {method for method, *_ in BAD_CALLS}


# --- the constructor -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"base_url": "api.reccobeats.com"}, r"^base_url must be an http:// or https:// URL"),
        ({"base_url": "ftp://api.reccobeats.com"}, r"^base_url must be an http"),
        ({"base_url": "https://"}, r"^base_url must be an http"),
        ({"max_connections": 0}, r"^max_connections must be an integer from 1"),
        ({"user_agent": " "}, r"^user_agent must be a non-empty string"),
    ],
)
def test_bad_constructor_arguments_are_value_errors(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ReccoBeatsClient(**kwargs)


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:9",
        "http://127.0.0.1:9/",
        "http://127.0.0.1:9/v1",
        "http://127.0.0.1:9/v1/",
    ],
)
async def test_base_url_is_normalised_so_paths_gain_v1_once(base_url: str) -> None:
    async with ReccoBeatsClient(base_url, transport=Untouchable()) as client:
        assert client.base_url == "http://127.0.0.1:9"


async def test_from_settings_takes_the_url_from_settings() -> None:
    settings = Settings(reccobeats_url="http://127.0.0.1:9/")
    async with ReccoBeatsClient.from_settings(settings, transport=Untouchable()) as client:
        assert client.base_url == "http://127.0.0.1:9"


def test_default_timeout_bounds_every_phase() -> None:
    assert DEFAULT_TIMEOUT.connect == 5.0
    assert None not in (DEFAULT_TIMEOUT.read, DEFAULT_TIMEOUT.write, DEFAULT_TIMEOUT.pool)


# --- the checks as pure functions ----------------------------------------------------------

TARGET_RANGES = {
    **dict.fromkeys(_params.UNIT_TARGETS, (0.0, 1.0)),
    "tempo": (0.0, 250.0),
    "loudness": (-60.0, 2.0),
    "popularity": (0.0, 100.0),
}


def _query(**targets: float) -> dict[str, Any]:
    return _params.recommendation_query(
        [SID], size=10, negative_seeds=None, targets=targets, key=None, mode=None,
        feature_weight=None,
    )  # fmt: skip


@given(data=st.data(), target=st.sampled_from(sorted(TARGET_RANGES)))
def test_a_target_inside_its_range_is_sent_as_given(data: st.DataObject, target: str) -> None:
    low, high = TARGET_RANGES[target]
    value = data.draw(st.floats(min_value=low, max_value=high))
    assert _query(**{target: value})[target] == value


@given(data=st.data(), target=st.sampled_from(sorted(TARGET_RANGES)))
def test_a_target_outside_its_range_names_itself(data: st.DataObject, target: str) -> None:
    low, high = TARGET_RANGES[target]
    value = data.draw(
        st.floats(max_value=low, exclude_max=True)
        | st.floats(min_value=high, exclude_min=True)
        | st.just(math.nan)
    )
    with pytest.raises(ValueError, match=f"^{target} must be a number from {low:g} to {high:g}"):
        _query(**{target: value})


def test_targets_left_none_are_not_sent_and_names_are_camel_case() -> None:
    query = _params.recommendation_query(
        [SID, UUID.upper()],
        size=100,
        negative_seeds=[f"spotify:track:{SID}"],
        targets={"energy": None, "valence": 0},
        key=-1,
        mode=0,
        feature_weight=5,
    )
    assert query == {
        "seeds": [SID, UUID],
        "negativeSeeds": [SID],
        "size": 100,
        "valence": 0,
        "key": -1,
        "mode": 0,
        "featureWeight": 5,
    }


@given(ids=st.lists(st.sampled_from([SID, UUID, f"spotify:track:{SID}"]), min_size=1, max_size=40))
def test_any_batch_of_1_to_40_good_ids_is_accepted_in_bare_form(ids: list[str]) -> None:
    values = _params.batch_ids(ids, name="ids", expect="track")
    assert len(values) == len(ids)
    assert set(values) <= {SID, UUID}


def test_the_query_joins_lists_with_bare_commas_and_escapes_text() -> None:
    query: _params.Query = {"ids": [SID, UUID], "searchText": "a&b, c/d", "size": 5, "energy": 0.25}
    assert _params.encode_query(query) == (
        f"ids={SID},{UUID}&searchText=a%26b%2C%20c%2Fd&size=5&energy=0.25"
    )


@given(
    items=st.lists(
        st.text(alphabet=st.sampled_from("aZ09-_.~,/%& é"), max_size=6)
        | st.sampled_from([SID, UUID]),
        max_size=5,
    )
)
def test_a_list_is_each_item_quoted_and_comma_joined(items: list[str]) -> None:
    expected = ",".join(quote(item, safe="") for item in items)
    assert _params.encode_query({"ids": items}) == f"ids={expected}"


def test_search_text_is_sent_stripped() -> None:
    assert _params.search_text("  the weeknd \n") == "the weeknd"
    assert _params.search_text("x" * 1000) == "x" * 1000


def test_an_upload_of_exactly_5_mb_is_allowed() -> None:
    name, content, content_type = _params.audio_upload(
        bytearray(MB5), filename="a.wav", content_type=None
    )
    assert (name, len(content), content_type) == ("a.wav", MB5, None)
    assert isinstance(content, bytes)


@pytest.mark.parametrize(
    "base", ["https://api.reccobeats.com", "https://api.reccobeats.com/", "http://h:8080/proxy"]
)
@pytest.mark.parametrize(
    "target",
    [
        "/v1/track?ids=a,b%20c,d",
        "/v1/track/abc/audio-features",
        "/v1/artist/search?searchText=caf%C3%A9&page=0",
        "/v1/x?q=%2F%3F",
    ],
)
def test_the_parsed_url_is_the_one_httpx_joins_itself(base: str, target: str) -> None:
    http = httpx.AsyncClient(base_url=base)
    joined = http.build_request("GET", target).url
    ours = http.build_request("GET", absolute_url(str(http.base_url), target)).url
    assert (ours, ours.raw_path) == (joined, joined.raw_path)
