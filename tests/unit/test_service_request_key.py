"""The result cache's request key: which requests count as identical."""

from __future__ import annotations

from typing import Any

from moodmix.service.results import request_key

BASE: dict[str, Any] = {
    "prompt": "rainy Sunday, mellow acoustic",
    "seeds": ["1w0QFyh3ODTKUkY2Gp9mrr"],
    "size": 20,
    "duration_s": None,
    "order": "arc",
}


def key(profile: str = "adaptive", **changes: Any) -> str:
    return request_key({**BASE, **changes}, profile=profile)


def test_the_same_request_in_other_words_has_the_same_key() -> None:
    assert key() == key(prompt="  rainy   Sunday,\tmellow acoustic ")
    assert key() == key(seeds=["spotify:track:1w0QFyh3ODTKUkY2Gp9mrr"])
    assert key() == key(seeds=["https://open.spotify.com/track/1w0QFyh3ODTKUkY2Gp9mrr?si=x"])
    # With a duration the size is not used, so it is not part of the key.
    assert key(duration_s=2700, size=20) == key(duration_s=2700.0, size=50)


def test_anything_that_changes_the_playlist_changes_the_key() -> None:
    different = [
        key(prompt="RAINY Sunday, mellow acoustic"),  # case is read by the mood
        key(seeds=[]),
        key(seeds=["1w0QFyh3ODTKUkY2Gp9mrr", "1RvC2lrcyZ937DhLpaYSoR"]),
        key(seeds=["1RvC2lrcyZ937DhLpaYSoR", "1w0QFyh3ODTKUkY2Gp9mrr"]),
        key(size=21),
        key(duration_s=2700),
        key(order="smooth"),
        key(profile="legacy"),
    ]
    assert len({key(), *different}) == len(different) + 1
    assert all(len(k) == 40 for k in different)


def test_exclusions_change_the_key_and_their_absence_keeps_the_old_one() -> None:
    keys = {
        key(),
        key(exclude_artists=["Adele"]),
        key(exclude_tracks=["1w0QFyh3ODTKUkY2Gp9mrr"]),
        key(explicit=False),
        key(max_track_s=360.0),
        key(years=[1990, 2005]),
    }
    assert len(keys) == 6
    assert key(exclude_artists=[]) == key()  # an empty list is no exclusion
    assert key(exclude_artists=["Adele", "Coldplay"]) == key(exclude_artists=[" coldplay", "ADELE"])
