"""The simulator's synthetic catalog: determinism, ids, wire shapes, features, search, paging,
recommendations and audio analysis, on small catalogs."""

from __future__ import annotations

import math
import re
import uuid
from collections import Counter
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from moodmix.data import ARTISTS
from moodmix.reccobeats.ids import is_reccobeats_id, is_spotify_id
from moodmix.reccobeats.models import FEATURE_NAMES, Album, Artist, AudioFeatures, Track
from moodmix.simulator.catalog import Catalog, CatalogSpec
from moodmix.simulator.catalog.genres import GENRE_NAMES
from moodmix.simulator.catalog.paging import paged
from moodmix.simulator.catalog.search import TextIndex, fold

SPEC = CatalogSpec(seed=11, tracks=2_000, artists=200)
TRACK_KEYS = {
    "id",
    "trackTitle",
    "artists",
    "durationMs",
    "isrc",
    "ean",
    "upc",
    "href",
    "availableCountries",
    "popularity",
}
FEATURE_KEYS = {"id", "href", *FEATURE_NAMES, "key", "mode"}
ISRC = re.compile(r"[A-Z]{2}[A-Z0-9]{3}[0-9]{7}")


@cache
def small() -> Catalog:
    """2,000 tracks, 200 artists (100 of them real): most tests."""
    return Catalog.build(SPEC)


@cache
def wide() -> Catalog:
    """Room for every real artist, for search and genre statistics."""
    return Catalog.build(CatalogSpec(seed=3, tracks=12_000, artists=1_000))


def features(catalog: Catalog, items: list[dict[str, Any]], name: str) -> float:
    values = [catalog.audio_features(item["id"]) for item in items]
    return float(np.mean([v[name] for v in values if v is not None]))


def genre_mean(catalog: Catalog, genre: str, name: str) -> float:
    ids = [i for i in catalog.track_ids() if catalog.genre_of(i) == genre]
    return features(catalog, [{"id": i} for i in ids], name)


def artist_id(catalog: Catalog, name: str) -> str:
    found = catalog.search_artists(name, 0, 1)["content"]
    assert found, f"{name} not found"
    assert found[0]["name"] == name
    return str(found[0]["id"])


# --- spec and determinism ----------------------------------------------------------------------


def test_default_spec_is_the_documented_size() -> None:
    spec = CatalogSpec()
    assert (spec.seed, spec.tracks, spec.artists, spec.unknown_share) == (0, 50_000, 5_000, 0.05)


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"tracks": 0}, "tracks"),
        ({"tracks": 10, "artists": 11}, "artists"),
        ({"artists": 0}, "artists"),
        ({"unknown_share": 1.0}, "unknown_share"),
        ({"unknown_share": -0.1}, "unknown_share"),
        ({"seed": 1.5}, "seed"),
        ({"tracks": "many"}, "tracks"),
    ],
)
def test_bad_spec_says_which_argument(kwargs: dict[str, Any], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        CatalogSpec(**kwargs)


def test_sizes_follow_the_spec() -> None:
    catalog = small()
    assert catalog.n_tracks == len(catalog.track_ids()) == len(catalog.track_spotify_ids()) == 2_000
    assert (
        catalog.n_artists == len(catalog.artist_ids()) == len(catalog.artist_spotify_ids()) == 200
    )
    assert 200 <= catalog.n_albums == len(catalog.album_ids()) <= 800
    known, unknown = 2_000, len(catalog.unknown_spotify_ids())
    assert unknown / (known + unknown) == pytest.approx(0.05, abs=0.001)


def test_same_seed_same_catalog() -> None:
    again = Catalog.build(SPEC)
    catalog = small()
    assert again.track_ids() == catalog.track_ids()
    assert again.unknown_spotify_ids() == catalog.unknown_spotify_ids()
    assert again.popularity_rank() == catalog.popularity_rank()
    for key in catalog.track_ids()[::97]:
        assert again.track(key) == catalog.track(key)
        assert again.audio_features(key) == catalog.audio_features(key)
    for key in catalog.album_ids()[::13]:
        assert again.album(key) == catalog.album(key)


def test_different_seed_different_catalog() -> None:
    other = Catalog.build(CatalogSpec(seed=12, tracks=2_000, artists=200))
    catalog = small()
    assert not set(other.track_ids()) & set(catalog.track_ids())
    assert [a["name"] for a in other.artists(other.artist_ids()[:50])] != [
        a["name"] for a in catalog.artists(catalog.artist_ids()[:50])
    ]


def test_negative_seeds_are_allowed_and_distinct() -> None:
    minus, plus = (Catalog.build(CatalogSpec(seed=s, tracks=50, artists=5)) for s in (-4, 4))
    assert minus.track_ids() != plus.track_ids()


def test_tiny_catalog_builds() -> None:
    catalog = Catalog.build(CatalogSpec(seed=1, tracks=1, artists=1, unknown_share=0))
    assert catalog.n_tracks == catalog.n_artists == catalog.n_albums == 1
    assert catalog.unknown_spotify_ids() == ()
    assert catalog.recommend(catalog.track_ids(), 5) == []


# --- ids ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ids", [Catalog.track_ids, Catalog.artist_ids, Catalog.album_ids], ids=lambda f: f.__name__
)
def test_reccobeats_ids_are_unique_lowercase_uuid4(ids: Callable[[Catalog], list[str]]) -> None:
    values = ids(small())
    assert len(set(values)) == len(values)
    for value in values:
        assert is_reccobeats_id(value)
        parsed = uuid.UUID(value)
        assert parsed.version == 4
        assert str(parsed) == value


def test_spotify_ids_are_unique_base62_and_unknown_ones_are_disjoint() -> None:
    catalog = small()
    known = list(catalog.track_spotify_ids())
    unknown = list(catalog.unknown_spotify_ids())
    artists = list(catalog.artist_spotify_ids())
    for value in known + unknown + artists:
        assert is_spotify_id(value)
        assert value[0] in "01234567"  # a 128-bit number in base 62
    assert len(set(known)) == len(known)
    assert not set(known) & set(unknown)
    assert len(set(artists)) == len(artists)


def test_isrcs_are_well_formed_and_carry_the_release_year() -> None:
    catalog = small()
    album = catalog.album(catalog.album_ids()[0])
    assert album is not None
    page = catalog.album_tracks(album["id"], 0, 50)
    assert page is not None
    for track in page["content"]:
        assert ISRC.fullmatch(track["isrc"])
        assert track["isrc"][5:7] == album["releaseDate"][2:4]
    isrcs = [t["isrc"] for t in catalog.tracks(catalog.track_ids())]
    assert len(set(isrcs)) > 0.99 * len(isrcs)


# --- lookups -----------------------------------------------------------------------------------


def test_both_id_forms_and_any_uuid_case_resolve_to_the_same_item() -> None:
    catalog = small()
    for i in (0, 1, 999, 1_999):
        uuid_form, spotify_form = catalog.track_ids()[i], catalog.track_spotify_ids()[i]
        track = catalog.track(uuid_form)
        assert track is not None
        assert track["id"] == uuid_form
        assert track["href"].endswith("/track/" + spotify_form)
        assert catalog.track(spotify_form) == catalog.track(uuid_form.upper()) == track
        assert catalog.audio_features(spotify_form) == catalog.audio_features(uuid_form)
    for i in (0, 150):
        artist = catalog.artist(catalog.artist_spotify_ids()[i])
        assert artist is not None
        assert artist == catalog.artist(catalog.artist_ids()[i])
    album = catalog.album(catalog.album_ids()[5])
    assert album is not None
    assert catalog.album(album["href"].rsplit("/", 1)[1]) == album


def test_unknown_ids_give_none_and_are_left_out_of_batches() -> None:
    catalog = small()
    unknown = catalog.unknown_spotify_ids()[0]
    assert catalog.track(unknown) is None
    assert catalog.audio_features(unknown) is None
    assert catalog.artist(catalog.track_ids()[0]) is None  # a track id is no artist
    assert catalog.album("not-an-id") is None
    keys = [
        catalog.track_ids()[3],
        unknown,
        catalog.track_spotify_ids()[1],
        catalog.track_spotify_ids()[3],  # the first track again, other form
        catalog.track_ids()[1],
        "0" * 22,
    ]
    assert [t["id"] for t in catalog.tracks(keys)] == [
        catalog.track_ids()[3],
        catalog.track_ids()[1],
    ]
    assert [f["id"] for f in catalog.audio_features_many(keys)] == [
        catalog.track_ids()[3],
        catalog.track_ids()[1],
    ]
    assert catalog.artists([*catalog.artist_ids()[:2], unknown]) == [
        catalog.artist(k) for k in catalog.artist_ids()[:2]
    ]
    assert catalog.albums([unknown, catalog.album_ids()[2]]) == [
        catalog.album(catalog.album_ids()[2])
    ]


def test_bad_keys_raise_value_error() -> None:
    catalog = small()
    with pytest.raises(ValueError, match="sequence of ids"):
        catalog.tracks(catalog.track_ids()[0])
    with pytest.raises(ValueError, match="string"):
        catalog.track(42)  # type: ignore[arg-type]


# --- wire shapes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "items", "keys"),
    [
        (Track, lambda c: c.tracks(c.track_ids()[::37]), TRACK_KEYS),
        (AudioFeatures, lambda c: c.audio_features_many(c.track_ids()[::37]), FEATURE_KEYS),
        (Artist, lambda c: c.artists(c.artist_ids()), {"id", "name", "href"}),
        (
            Album,
            lambda c: c.albums(c.album_ids()),
            {"id", "albumTitle", "artists", "releaseDate", "href"},
        ),
    ],
    ids=["track", "features", "artist", "album"],
)
def test_wire_dicts_validate_and_round_trip(
    model: type[BaseModel], items: Callable[[Catalog], list[dict[str, Any]]], keys: set[str]
) -> None:
    found = items(small())
    assert found
    for item in found:
        assert set(item) == keys
        parsed = model.model_validate(item)
        assert parsed.to_wire() == item  # type: ignore[attr-defined]


def test_track_wire_values_are_plausible() -> None:
    catalog = small()
    for track in catalog.tracks(catalog.track_ids()[::11]):
        parsed = Track.model_validate(track)
        assert parsed.track_title.strip() == parsed.track_title != ""
        assert parsed.duration_ms is not None
        assert 90_000 <= parsed.duration_ms <= 600_000
        assert parsed.popularity is not None
        assert 0 <= parsed.popularity <= 100
        assert parsed.ean is None
        assert parsed.upc is None
        countries = (parsed.available_countries or "").split(",")
        assert all(re.fullmatch(r"[A-Z]{2}", c) for c in countries)
        assert 1 <= len(parsed.artists) <= 2
        assert len({a.id for a in parsed.artists}) == len(parsed.artists)


def test_albums_have_dates_and_their_artist() -> None:
    catalog = small()
    for album in catalog.albums(catalog.album_ids()):
        year, month, day = map(int, album["releaseDate"].split("-"))
        assert 1950 <= year <= 2025
        assert 1 <= month <= 12
        assert 1 <= day <= 28
        assert len(album["artists"]) == 1


def test_audio_features_stay_in_their_ranges() -> None:
    catalog = small()
    rows = catalog.audio_features_many(catalog.track_ids())
    for name in ("acousticness", "danceability", "energy", "instrumentalness", "liveness"):
        assert all(0 <= r[name] <= 1 for r in rows)
    assert all(-60 <= r["loudness"] <= 0 for r in rows)
    assert all(50 <= r["tempo"] <= 220 for r in rows)
    assert all(-1 <= r["key"] <= 11 and r["mode"] in (0, 1) for r in rows)
    loudness = [r["loudness"] for r in rows]
    assert -14 <= float(np.median(loudness)) <= -4
    assert len(set(r["key"] for r in rows)) >= 12


# --- realism -----------------------------------------------------------------------------------


def test_genres_cluster() -> None:
    catalog = wide()
    assert list(catalog.genres()) == list(GENRE_NAMES)
    assert genre_mean(catalog, "metal", "energy") > genre_mean(catalog, "ambient", "energy") + 0.5
    assert genre_mean(catalog, "classical", "acousticness") > 0.8
    assert genre_mean(catalog, "classical", "instrumentalness") > 0.7
    assert genre_mean(catalog, "pop", "instrumentalness") < 0.1
    assert genre_mean(catalog, "ambient", "instrumentalness") > 0.7
    speech = {g: genre_mean(catalog, g, "speechiness") for g in ("hip-hop", "pop", "rock", "jazz")}
    assert max(speech, key=speech.__getitem__) == "hip-hop"
    assert genre_mean(catalog, "punk", "tempo") > genre_mean(catalog, "reggae", "tempo") + 40
    assert genre_mean(catalog, "metal", "loudness") > genre_mean(catalog, "classical", "loudness")


def test_an_artists_tracks_resemble_each_other() -> None:
    catalog = wide()
    spread_within, spread_genre = [], []
    for key in catalog.artist_ids()[:300]:
        page = catalog.artist_tracks(key, 0, 50)
        assert page is not None
        own = [t for t in page["content"] if t["artists"][0]["id"] == key]
        if len(own) < 5:
            continue
        energy = [features(catalog, [t], "energy") for t in own]
        spread_within.append(np.std(energy))
        genre = catalog.genre_of(key)
        assert genre is not None
        spread_genre.append(genre)
    genre_std = {
        g: np.std(
            [
                f["energy"]
                for f in catalog.audio_features_many(
                    [i for i in catalog.track_ids() if catalog.genre_of(i) == g]
                )
            ]
        )
        for g in set(spread_genre)
    }
    assert np.mean(spread_within) < 0.85 * np.mean([genre_std[g] for g in spread_genre])


def test_popularity_is_skewed_and_ranked() -> None:
    catalog = wide()
    ranked = catalog.tracks([catalog.track_ids()[i] for i in catalog.popularity_rank()])
    popularity = [t["popularity"] for t in ranked]
    assert popularity == sorted(popularity, reverse=True)
    assert popularity[0] >= 90
    assert np.median(popularity) < np.mean(popularity[:100]) - 30
    assert np.median(popularity) < 50
    assert sorted(catalog.popularity_rank()) == list(range(catalog.n_tracks))


def test_some_tracks_feature_a_second_artist_of_the_same_genre() -> None:
    catalog = small()
    duets = [t for t in catalog.tracks(catalog.track_ids()) if len(t["artists"]) == 2]
    assert 0.03 * catalog.n_tracks < len(duets) < 0.4 * catalog.n_tracks
    for track in duets[:20]:
        main, guest = (a["id"] for a in track["artists"])
        assert catalog.genre_of(main) == catalog.genre_of(guest)
        page = catalog.artist_tracks(guest, 0, 1_000)
        assert page is not None
        assert track["id"] in [t["id"] for t in page["content"]]


# --- artists and albums as lists ---------------------------------------------------------------


def test_every_track_is_on_one_album_of_its_artist() -> None:
    catalog = small()
    seen: Counter[str] = Counter()
    for key in catalog.artist_ids():
        albums = catalog.artist_albums(key, 0, 50)
        assert albums is not None
        assert 1 <= albums["totalElements"] <= 4
        own = 0
        for album in albums["content"]:
            assert album["artists"][0]["id"] == key
            tracks = catalog.album_tracks(album["id"], 0, 50)
            assert tracks is not None
            assert tracks["totalElements"] >= 1
            for track in tracks["content"]:
                assert track["artists"][0]["id"] == key
                seen[track["id"]] += 1
            own += tracks["totalElements"]
        page = catalog.artist_tracks(key, 0, 1)
        assert page is not None
        assert page["totalElements"] >= own
    assert len(seen) == catalog.n_tracks
    assert set(seen.values()) == {1}


def test_unknown_artist_or_album_lists_are_none() -> None:
    catalog = small()
    track_key = catalog.track_ids()[0]
    assert catalog.artist_tracks(track_key, 0, 10) is None
    assert catalog.artist_albums(track_key, 0, 10) is None
    assert catalog.album_tracks(track_key, 0, 10) is None


# --- search ------------------------------------------------------------------------------------


def test_real_artist_data_is_sound() -> None:
    names = [name for genre in ARTISTS.values() for name in genre]
    assert set(ARTISTS) == set(GENRE_NAMES)
    assert len(names) == len(set(names)) >= 250
    assert all(10 <= len(genre) <= 40 for genre in ARTISTS.values())


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Taylor Swift", "Taylor Swift"),
        ("taylor", "Taylor Swift"),
        ("beyonce", "Beyoncé"),
        ("BEYONCÉ", "Beyoncé"),
        ("motley crue", "Mötley Crüe"),
        ("acdc", "AC/DC"),
        ("daft punk", "Daft Punk"),
        ("bob marley", "Bob Marley & The Wailers"),
        ("einaudi", "Ludovico Einaudi"),
        ("the weeknd", "The Weeknd"),
        ("röyksopp", "Röyksopp"),
        ("royksopp", "Röyksopp"),
        ("sigur ros", "Sigur Rós"),
    ],
)
def test_real_artists_are_found(text: str, name: str) -> None:
    result = wide().search_artists(text, 0, 5)
    assert result["content"][0]["name"] == name


def test_every_real_artist_is_in_a_roomy_catalog() -> None:
    catalog = wide()
    for name in (n for genre in ARTISTS.values() for n in genre):
        assert name in [a["name"] for a in catalog.search_artists(name, 0, 3)["content"]]


def test_small_catalogs_keep_the_best_known_of_every_genre() -> None:
    catalog = small()
    for genre in ARTISTS.values():
        assert catalog.search_artists(genre[0], 0, 1)["content"][0]["name"] == genre[0]


def test_exact_match_ranks_before_prefix_match() -> None:
    names = [a["name"] for a in wide().search_artists("queen", 0, 10)["content"]]
    assert names[0] == "Queen"
    assert "Queens of the Stone Age" in names


def test_text_index_ranks_exact_prefix_word_then_popularity() -> None:
    index = TextIndex(
        ["Love Songs", "Big Love", "Glove", "love", "Lovely", "Loveless", "Hate"],
        popularity=[10, 90, 99, 1, 50, 60, 100],
    )
    assert index.find("LOVE") == (3, 5, 4, 0, 1, 2)
    assert index.find("hate love") == ()
    assert index.find("big lo") == (1,)
    assert index.find("!!!") == ()


def test_search_paging_totals_and_out_of_range_pages() -> None:
    catalog = small()
    first = catalog.search_artists("a", 0, 7)
    total = first["totalElements"]
    assert total > 14
    assert first["totalPages"] == math.ceil(total / 7)
    assert (first["page"], first["size"], len(first["content"])) == (0, 7, 7)
    pages = [catalog.search_artists("a", p, 7)["content"] for p in range(first["totalPages"])]
    flat = [a["id"] for page in pages for a in page]
    assert len(flat) == len(set(flat)) == total
    beyond = catalog.search_artists("a", first["totalPages"] + 3, 7)
    assert beyond["content"] == []
    assert (beyond["totalElements"], beyond["totalPages"]) == (total, first["totalPages"])


def test_search_without_matches_is_an_empty_page() -> None:
    result = small().search_albums("zzzzqqq", 0, 10)
    assert result == {"content": [], "page": 0, "size": 10, "totalElements": 0, "totalPages": 0}


def test_album_search_finds_titles() -> None:
    catalog = small()
    album = catalog.album(catalog.album_ids()[17])
    assert album is not None
    title = album["albumTitle"]
    found = catalog.search_albums(title.upper(), 0, 50)
    assert album["id"] in [a["id"] for a in found["content"]]
    assert all(fold(title) in fold(a["albumTitle"]) for a in found["content"][:5])


@pytest.mark.parametrize(
    ("page", "size", "text", "named"),
    [(-1, 10, "a", "page"), (0, 0, "a", "size"), (0, 10, "  ", "text")],
)
def test_bad_search_arguments_say_which(page: int, size: int, text: str, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        small().search_artists(text, page, size)


@given(total=st.integers(0, 300), page=st.integers(0, 50), size=st.integers(1, 60))
def test_paging_slices_exactly(total: int, page: int, size: int) -> None:
    result = paged(range(total), page=page, size=size, render=int)
    assert result["content"] == list(range(total))[page * size : (page + 1) * size]
    assert result["totalElements"] == total
    assert result["totalPages"] * size >= total > (result["totalPages"] - 1) * size


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=20))
def test_any_search_text_is_safe(text: str) -> None:
    folded = fold(text)
    assert folded == fold(folded)
    assert folded.isascii()
    if text.strip():
        result = small().search_artists(text, 0, 5)
        assert len(result["content"]) == min(5, result["totalElements"])


# --- recommendations ---------------------------------------------------------------------------


def test_a_high_energy_target_raises_energy() -> None:
    catalog = wide()
    seed = [artist_id(catalog, "Norah Jones")]
    plain = catalog.recommend(seed, 30)
    steered = catalog.recommend(seed, 30, targets={"energy": 0.95})
    assert plain is not None
    assert steered is not None
    assert features(catalog, steered, "energy") > features(catalog, plain, "energy") + 0.15


def test_a_higher_feature_weight_follows_the_target_more_closely() -> None:
    catalog = wide()
    seed = [artist_id(catalog, "Metallica")]
    gaps = []
    for weight in (1.0, 5.0):
        found = catalog.recommend(seed, 30, targets={"valence": 0.9}, feature_weight=weight)
        assert found is not None
        gaps.append(abs(features(catalog, found, "valence") - 0.9))
    assert gaps[1] < gaps[0]


def test_tempo_and_popularity_targets_steer() -> None:
    catalog = wide()
    seed = [artist_id(catalog, "Miles Davis")]
    fast = catalog.recommend(seed, 20, targets={"tempo": 200}, feature_weight=5)
    slow = catalog.recommend(seed, 20, targets={"tempo": 60}, feature_weight=5)
    assert fast is not None
    assert slow is not None
    assert features(catalog, fast, "tempo") > features(catalog, slow, "tempo") + 40
    hits = catalog.recommend(seed, 20, targets={"popularity": 95})
    obscure = catalog.recommend(seed, 20, targets={"popularity": 5})
    assert hits is not None
    assert obscure is not None
    assert np.mean([t["popularity"] for t in hits]) > np.mean([t["popularity"] for t in obscure])


def test_recommendations_stay_near_the_seed_genre() -> None:
    catalog = wide()
    found = catalog.recommend([artist_id(catalog, "Brian Eno")], 30)
    assert found is not None
    genres = Counter(catalog.genre_of(t["id"]) for t in found)
    assert genres.most_common(1)[0][0] in {"ambient", "classical"}
    assert genres["metal"] == genres["punk"] == 0


def test_seeds_and_negative_seeds_tracks_are_left_out() -> None:
    catalog = small()
    seeds = list(catalog.track_ids()[:3])
    negative_artist = catalog.artist_ids()[5]
    negative_track = catalog.track_spotify_ids()[500]
    page = catalog.artist_tracks(negative_artist, 0, 1_000)
    assert page is not None
    banned = set(seeds) | {catalog.track(negative_track)["id"]}  # type: ignore[index]
    banned |= {t["id"] for t in page["content"] if t["artists"][0]["id"] == negative_artist}
    found = catalog.recommend(seeds, 100, negative_seeds=[negative_artist, negative_track])
    assert found is not None
    assert len(found) == 100
    assert not {t["id"] for t in found} & banned
    assert len({t["id"] for t in found}) == 100


def test_no_artist_crowds_out_the_rest() -> None:
    catalog = wide()
    found = catalog.recommend([artist_id(catalog, "Taylor Swift")], 20)
    assert found is not None
    per_artist = Counter(t["artists"][0]["id"] for t in found)
    assert max(per_artist.values()) <= 5


def test_recommend_is_deterministic_and_accepts_every_seed_kind() -> None:
    catalog = small()
    album = catalog.album_ids()[3]
    seeds = [catalog.track_spotify_ids()[9], catalog.artist_spotify_ids()[4], album.upper()]
    request: dict[str, Any] = {"targets": {"danceability": 0.8, "key": 5, "mode": 1}}
    first = catalog.recommend(seeds, 25, **request)
    assert first is not None
    assert len(first) == 25
    assert first == catalog.recommend(seeds, 25, **request)
    assert first == Catalog.build(SPEC).recommend(seeds, 25, **request)
    for track in first:
        Track.model_validate(track)


def test_unknown_seeds_are_ignored_and_none_known_gives_none() -> None:
    catalog = small()
    unknown = catalog.unknown_spotify_ids()[0]
    assert catalog.recommend([unknown], 10) is None
    assert (
        catalog.recommend([unknown, "0" * 22], 10, negative_seeds=catalog.track_ids()[:1]) is None
    )
    known = catalog.track_ids()[42]
    assert catalog.recommend([unknown, known], 10) == catalog.recommend([known], 10)


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"targets": {"energy": 1.5}}, "energy"),
        ({"targets": {"mood": 0.5}}, "mood"),
        ({"targets": {"tempo": math.nan}}, "tempo"),
        ({"feature_weight": 0.5}, "feature_weight"),
        ({"feature_weight": 6}, "feature_weight"),
        ({"size": 0}, "size"),
    ],
)
def test_bad_recommend_arguments_say_which(kwargs: dict[str, Any], named: str) -> None:
    catalog = small()
    size = kwargs.pop("size", 10)
    with pytest.raises(ValueError, match=named):
        catalog.recommend(catalog.track_ids()[:1], size, **kwargs)


# --- audio analysis ----------------------------------------------------------------------------


def test_analysis_is_a_function_of_the_bytes() -> None:
    catalog = small()
    first = catalog.analyze_audio(b"RIFF\x00\x00\x00\x00WAVEfmt one")
    assert first == small().analyze_audio(b"RIFF\x00\x00\x00\x00WAVEfmt one")
    assert first != catalog.analyze_audio(b"RIFF\x00\x00\x00\x00WAVEfmt two")
    assert set(first) == set(FEATURE_NAMES)
    parsed = AudioFeatures.model_validate(first)
    assert parsed.id is None
    assert 0 <= parsed.energy <= 1
    assert 50 <= parsed.tempo <= 220


@pytest.mark.parametrize("data", [b"", "text"])
def test_analysis_rejects_empty_or_non_bytes(data: Any) -> None:
    with pytest.raises(ValueError, match="data"):
        small().analyze_audio(data)


def test_a_remembered_recommendation_is_the_one_a_fresh_catalog_computes() -> None:
    catalog, fresh = Catalog.build(SPEC), Catalog.build(SPEC)
    seeds = list(catalog.track_ids()[:2])
    questions: list[dict[str, Any]] = [
        {},
        {"targets": {"energy": 0.9}},
        {"targets": {"energy": 0.9}, "feature_weight": 4.0},
        {"negative_seeds": [catalog.track_ids()[5]]},
    ]
    for question in questions:
        first = catalog.recommend(seeds, 10, **question)
        again = catalog.recommend(seeds, 10, **question)  # answered from memory
        assert first == again == fresh.recommend(seeds, 10, **question), question
    answers = [catalog.recommend(seeds, 10, **q) for q in questions]
    assert len({tuple(t["id"] for t in a or ()) for a in answers}) == len(questions)
    assert catalog.recommend(seeds, 5) == fresh.recommend(seeds, 5)  # the size is asked too
