"""PKCE values and redirect rules as Spotify applies them, and the models' two API shapes."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import ValidationError

from moodmix.spotify import Paging, Pkce, PlaylistItem, Token, Track, challenge_for
from moodmix.spotify.pkce import authorize_url, check_redirect_uri


def test_the_challenge_is_rfc_7636_s256() -> None:
    # The example of RFC 7636, appendix B.
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert challenge_for(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    pkce = Pkce.new()
    assert 43 <= len(pkce.verifier) <= 128
    assert challenge_for(pkce.verifier) == pkce.challenge
    assert pkce.verifier not in repr(pkce)
    assert Pkce.new().verifier != pkce.verifier


@pytest.mark.parametrize(
    "uri",
    ["http://127.0.0.1:8000/auth/callback", "http://[::1]:9/cb", "https://moodmix.example/cb"],
)
def test_redirects_spotify_accepts(uri: str) -> None:
    assert check_redirect_uri(uri) == uri


@pytest.mark.parametrize(
    ("uri", "why"),
    [
        ("http://localhost:8000/cb", "localhost"),
        ("http://moodmix.example/cb", "must be HTTPS"),
        ("ftp://127.0.0.1/cb", "must be HTTPS"),
        ("not a url", "must be HTTPS"),
    ],
)
def test_redirects_spotify_refuses(uri: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        check_redirect_uri(uri)


def test_the_authorize_url_asks_for_code_with_s256() -> None:
    url = authorize_url(
        "https://accounts.example/",
        client_id="abc",
        redirect_uri="http://127.0.0.1:8000/cb",
        state="st",
        challenge="ch",
        scopes=("user-top-read", "ugc-image-upload"),
    )
    parts = urlsplit(url)
    assert (parts.netloc, parts.path) == ("accounts.example", "/authorize")
    assert parse_qs(parts.query) == {
        "client_id": ["abc"],
        "response_type": ["code"],
        "redirect_uri": ["http://127.0.0.1:8000/cb"],
        "state": ["st"],
        "scope": ["user-top-read ugc-image-upload"],
        "code_challenge": ["ch"],
        "code_challenge_method": ["S256"],
    }


TRACK = {
    "id": "6mMR4XfAqs96VNh8OcDmrF",
    "name": "Let Me Again",
    "uri": "spotify:track:6mMR4XfAqs96VNh8OcDmrF",
}


def test_a_playlist_item_reads_either_shape() -> None:
    new = PlaylistItem.model_validate({"added_at": None, "item": TRACK})
    old = PlaylistItem.model_validate({"added_at": None, "track": TRACK, "is_local": False})
    assert new.entry == old.entry == Track.model_validate(TRACK)
    assert PlaylistItem.model_validate({}).entry is None


def test_a_page_of_tracks_and_a_token() -> None:
    page = Paging[Track].model_validate(
        {"items": [TRACK], "total": 1, "limit": 20, "offset": 0, "next": None, "href": "h"}
    )
    assert page.items[0].uri.endswith(TRACK["id"])
    assert page.previous is None
    with pytest.raises(ValidationError):
        Paging[Track].model_validate(
            {"items": [{"name": "no id"}], "total": 1, "limit": 1, "offset": 0}
        )
    token = Token.model_validate(
        {
            "access_token": "secret-a",
            "expires_in": 3600,
            "scope": "a b",
            "refresh_token": "secret-r",
        }
    )
    assert token.scopes == {"a", "b"}
    assert "secret" not in repr(token)
    with pytest.raises(ValidationError):
        Token.model_validate({"access_token": "", "expires_in": 3600})
