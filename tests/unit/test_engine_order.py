"""Running order: the energy arc, smooth steps and best-first."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moodmix.engine.order import (
    PEAK,
    arc_level,
    arrange,
    by_score,
    camelot,
    energy_arc,
    key_distance,
    path_cost,
    smooth,
    step_cost,
)
from moodmix.engine.profile import FEATURES, SCALES, MoodProfile
from moodmix.engine.scored import Candidate, Scored
from moodmix.reccobeats.models import Artist, AudioFeatures, Track

PROFILE = MoodProfile(
    "test",
    {name: 0.5 for name in FEATURES} | {"energy": 0.6, "tempo": 110.0, "loudness": -8.0},
    {name: SCALES[name] for name in FEATURES},
    {name: 0.0 for name in FEATURES} | {"energy": 1.0},
)


def scored(
    id: str, energy: float = 0.5, tempo: float = 110.0, key: int | None = 0, mode: int = 1
) -> Scored:
    track = Track(id=id, track_title=f"Song {id}", artists=[Artist(id=f"a{id}", name=id)])
    features = AudioFeatures(
        id=id,
        acousticness=0.5,
        danceability=0.5,
        energy=energy,
        instrumentalness=0.5,
        liveness=0.1,
        loudness=-8.0,
        speechiness=0.05,
        tempo=tempo,
        valence=0.5,
        key=key,
        mode=mode,
    )
    return Scored.of(Candidate(track, features), PROFILE)


tracks = st.lists(
    st.builds(
        lambda e, t, k, m: (e, t, k, m),
        st.floats(0, 1),
        st.floats(60, 200),
        st.one_of(st.none(), st.integers(0, 11)),
        st.integers(0, 1),
    ),
    max_size=40,
).map(lambda rows: [scored(str(i), *row) for i, row in enumerate(rows)])


def ids(items: list[Scored]) -> list[str]:
    return [s.track.id for s in items]


@pytest.mark.parametrize(
    ("key", "mode", "position"),
    [(0, 1, (8, "B")), (7, 1, (9, "B")), (9, 0, (8, "A")), (4, 0, (9, "A")), (2, 0, (7, "A"))],
)
def test_camelot_positions(key: int, mode: int, position: tuple[int, str]) -> None:
    assert camelot(key, mode) == position


def test_camelot_of_an_unknown_key_is_none() -> None:
    assert camelot(None, 1) is None
    assert camelot(-1, 1) is None


def test_key_distance_counts_wheel_steps_and_a_mode_change() -> None:
    c_major, g_major, a_minor = scored("c", key=0), scored("g", key=7), scored("a", key=9, mode=0)
    assert key_distance(c_major, c_major) == 0
    assert key_distance(c_major, g_major) == 1
    assert key_distance(c_major, a_minor) == 1
    assert key_distance(c_major, scored("x", key=None)) == 1


def test_step_cost_grows_with_tempo_and_energy_jumps() -> None:
    a = scored("a", energy=0.3, tempo=100)
    assert step_cost(a, scored("b", energy=0.3, tempo=100)) == 0
    assert step_cost(a, scored("c", energy=0.3, tempo=160)) > step_cost(
        a, scored("d", energy=0.3, tempo=110)
    )
    assert step_cost(a, scored("e", energy=0.9, tempo=100)) > 0


def test_the_arc_rises_to_its_peak_then_falls() -> None:
    levels = [arc_level(p, 11) for p in range(11)]
    peak = levels.index(max(levels))
    assert peak == round(PEAK * 10)
    assert levels[:peak] == sorted(levels[:peak])
    assert levels[peak:] == sorted(levels[peak:], reverse=True)


def test_energy_arc_on_an_example() -> None:
    items = [scored(str(i), energy=e) for i, e in enumerate([0.9, 0.1, 0.5, 0.3, 0.7])]
    energies = [s.values["energy"] for s in energy_arc(items)]
    assert energies == [0.3, 0.5, 0.9, 0.7, 0.1]


def test_by_score_is_best_first() -> None:
    items = [scored("a", energy=0.1), scored("b", energy=0.6), scored("c", energy=0.4)]
    assert ids(by_score(items)) == ["b", "c", "a"]


@given(tracks)
def test_every_order_is_a_permutation(items: list[Scored]) -> None:
    for mode in ("arc", "smooth", "score"):
        assert sorted(ids(arrange(items, mode))) == sorted(ids(items))  # type: ignore[arg-type]


@given(tracks)
def test_the_energy_arc_never_falls_before_its_peak_nor_rises_after(items: list[Scored]) -> None:
    energies = [s.values["energy"] for s in energy_arc(items)]
    if not energies:
        return
    peak = energies.index(max(energies))
    assert energies[: peak + 1] == sorted(energies[: peak + 1])
    assert energies[peak:] == sorted(energies[peak:], reverse=True)


@given(tracks)
def test_smooth_never_costs_more_than_the_order_given(items: list[Scored]) -> None:
    assert path_cost(smooth(items)) <= path_cost(items) + 1e-9


def test_smooth_chains_similar_tempos() -> None:
    items = [scored(str(i), energy=0.5, tempo=t) for i, t in enumerate([80, 160, 90, 150, 100])]
    tempos = [s.values["tempo"] for s in smooth(items)]
    assert tempos in ([80, 90, 100, 150, 160], [160, 150, 100, 90, 80])
