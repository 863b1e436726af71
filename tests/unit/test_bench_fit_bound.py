"""``FitBound``: the nearest tracks of a whole catalog to a mood, within the artist cap."""

from __future__ import annotations

import pytest

from moodmix.bench.playlists.fit_bound import FitBound
from moodmix.engine import analyse
from moodmix.engine.scoring import Scorer
from moodmix.simulator.catalog import Catalog, CatalogSpec


@pytest.fixture(scope="module")
def bound() -> FitBound:
    return FitBound.of(Catalog.build(CatalogSpec(seed=3, tracks=600, artists=40)))


def test_every_track_is_read_with_its_values_and_artists(bound: FitBound) -> None:
    assert len(bound.values) == len(bound.artists) == 600
    assert all("energy" in values and "tempo" in values for values in bound.values)
    assert all(artists for artists in bound.artists)


def test_one_track_is_the_nearest_of_the_catalog(bound: FitBound) -> None:
    profile = analyse("calm piano for sleep")
    scorer = Scorer(profile)
    nearest = min(scorer.distance(values) for values in bound.values)
    assert bound.best_distance(profile, size=1, artist_cap=2) == pytest.approx(nearest)


def test_a_tighter_artist_cap_or_a_longer_playlist_never_gets_closer(bound: FitBound) -> None:
    profile = analyse("angry metal, very intense")
    free = bound.best_distance(profile, size=20, artist_cap=20)
    capped = bound.best_distance(profile, size=20, artist_cap=1)
    longer = bound.best_distance(profile, size=40, artist_cap=1)
    assert free <= capped <= longer


def test_with_one_track_per_artist_each_artist_gives_its_nearest(bound: FitBound) -> None:
    profile = analyse("happy upbeat pop")
    scorer = Scorer(profile)
    nearest: dict[str, float] = {}
    for values, artists in zip(bound.values, bound.artists, strict=True):
        if len(artists) == 1:
            lead = artists[0]
            nearest[lead] = min(nearest.get(lead, 1.0), scorer.distance(values))
    ten = sorted(nearest.values())[:10]
    assert bound.best_distance(profile, size=10, artist_cap=1) <= sum(ten) / 10 + 1e-12
