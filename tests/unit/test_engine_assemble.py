"""Assembly: the artist cap, filling to a size or a length, and ranking."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moodmix.engine.assemble import fill, rank, tolerance_ms
from moodmix.engine.profile import FEATURES, SCALES, MoodProfile
from moodmix.engine.scored import DEFAULT_DURATION_MS, Candidate, Scored
from moodmix.reccobeats.models import Artist, AudioFeatures, Track

PROFILE = MoodProfile(
    "test",
    {name: 0.5 for name in FEATURES} | {"energy": 0.2, "tempo": 110.0, "loudness": -8.0},
    {name: SCALES[name] for name in FEATURES},
    {name: 0.0 for name in FEATURES} | {"energy": 1.0},
)


def candidate(
    id: str,
    artists: tuple[str, ...] = ("Ann",),
    *,
    energy: float = 0.5,
    duration_ms: int | None = 200_000,
) -> Candidate:
    track = Track(
        id=id,
        track_title=f"Song {id}",
        artists=[Artist(id=f"a-{name}", name=name) for name in artists],
        duration_ms=duration_ms,
    )
    features = AudioFeatures(
        id=id,
        acousticness=0.5,
        danceability=0.5,
        energy=energy,
        instrumentalness=0.5,
        liveness=0.1,
        loudness=-8.0,
        speechiness=0.05,
        tempo=110.0,
        valence=0.5,
    )
    return Candidate(track, features)


def scored(*args: object, **kwargs: object) -> Scored:
    return Scored.of(candidate(*args, **kwargs), PROFILE)  # type: ignore[arg-type]


def test_rank_puts_the_closest_to_the_target_first() -> None:
    ranked = rank([candidate("far", energy=0.9), candidate("near", energy=0.25)], PROFILE)
    assert [s.track.id for s in ranked] == ["near", "far"]
    assert ranked[0].fit.score > ranked[1].fit.score


def test_fill_takes_the_best_until_the_size() -> None:
    ranked = [scored(str(i), (f"artist {i}",)) for i in range(10)]
    assert [s.track.id for s in fill(ranked, size=4)] == ["0", "1", "2", "3"]


def test_the_artist_cap_skips_a_third_track_of_an_artist() -> None:
    ranked = [scored("1", ("A",)), scored("2", ("A",)), scored("3", ("A",)), scored("4", ("B",))]
    assert [s.track.id for s in fill(ranked, size=4, artist_cap=2)] == ["1", "2", "4"]
    assert [s.track.id for s in fill(ranked, size=4, artist_cap=1)] == ["1", "4"]


def test_a_featured_artist_counts_toward_the_cap_too() -> None:
    ranked = [scored("1", ("A", "B")), scored("2", ("B",)), scored("3", ("C", "B"))]
    assert [s.track.id for s in fill(ranked, size=3, artist_cap=2)] == ["1", "2"]


def test_fill_to_a_duration_lands_within_the_tolerance() -> None:
    ranked = [scored(str(i), (f"artist {i}",), duration_ms=180_000 + 7_000 * i) for i in range(40)]
    target = 60 * 60_000
    picked = fill(ranked, duration_ms=target)
    total = sum(s.duration_ms for s in picked)
    assert abs(total - target) <= tolerance_ms(target)


def test_fill_to_a_duration_skips_a_track_that_would_overshoot() -> None:
    ranked = [
        scored("1", ("A",), duration_ms=9 * 60_000),
        scored("long", ("B",), duration_ms=20 * 60_000),
        scored("2", ("C",), duration_ms=10 * 60_000),
    ]
    picked = fill(ranked, duration_ms=20 * 60_000)
    assert [s.track.id for s in picked] == ["1", "2"]


def test_a_track_without_a_length_counts_as_the_default() -> None:
    assert scored("1", duration_ms=None).duration_ms == DEFAULT_DURATION_MS


def test_fill_wants_exactly_one_of_size_and_duration() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        fill([], size=3, duration_ms=60_000)
    with pytest.raises(ValueError, match="exactly one"):
        fill([])
    with pytest.raises(ValueError, match="artist_cap"):
        fill([], size=3, artist_cap=0)


artist_lists = st.lists(
    st.lists(st.sampled_from("ABCDEFG"), min_size=1, max_size=3, unique=True),
    max_size=60,
)


@given(artist_lists, st.integers(1, 40), st.integers(1, 4))
def test_fill_respects_the_cap_and_meets_the_size_whenever_it_can(
    artists: list[list[str]], size: int, cap: int
) -> None:
    ranked = [scored(str(i), tuple(names)) for i, names in enumerate(artists)]
    picked = fill(ranked, size=size, artist_cap=cap)
    counts = Counter(key for s in picked for key in s.artist_keys)
    assert all(n <= cap for n in counts.values())
    assert len(picked) <= size
    assert len({s.track.id for s in picked}) == len(picked)
    if len(picked) < size:  # then every track left out would break the cap
        chosen = {s.track.id for s in picked}
        for s in ranked:
            if s.track.id not in chosen:
                assert any(counts[key] >= cap for key in s.artist_keys)
    positions = [int(s.track.id) for s in picked]
    assert positions == sorted(positions)  # best first, as ranked


@given(st.lists(st.integers(60_000, 600_000), min_size=1, max_size=80), st.integers(5, 120))
def test_fill_to_a_duration_never_overshoots_the_tolerance(
    durations: list[int], minutes: int
) -> None:
    ranked = [scored(str(i), (f"artist {i}",), duration_ms=d) for i, d in enumerate(durations)]
    target = minutes * 60_000
    total = sum(s.duration_ms for s in fill(ranked, duration_ms=target))
    assert total <= target + tolerance_ms(target)
    if sum(durations) >= target + tolerance_ms(target) and max(durations) <= tolerance_ms(target):
        assert total >= target - tolerance_ms(target)
