"""Scoring: weighted distance to the targets and to the ranges, on scaled features."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moodmix.engine.profile import FEATURES, SCALES, MoodProfile
from moodmix.engine.scoring import (
    binary_excess,
    binary_gap,
    feature_values,
    mean_distance,
    range_excess,
    scaled,
    score,
    target_distance,
)
from moodmix.reccobeats.models import AudioFeatures


def make_profile(
    targets: dict[str, float] | None = None,
    weights: dict[str, float] | None = None,
    ranges: dict[str, tuple[float, float]] | None = None,
) -> MoodProfile:
    base = {name: 0.5 for name in FEATURES} | {"tempo": 110.0, "loudness": -8.0, "mode": 1.0}
    return MoodProfile(
        text="test",
        targets=base | (targets or {}),
        ranges={name: SCALES[name] for name in FEATURES} | (ranges or {}),
        weights={name: 0.0 for name in FEATURES} | (weights or {}),
    )


def values_at(**overrides: float) -> dict[str, float]:
    base = {name: 0.5 for name in FEATURES} | {"tempo": 110.0, "loudness": -8.0, "mode": 1.0}
    return base | overrides


unit = st.floats(0, 1)
feature_sets = st.fixed_dictionaries(
    {
        **{name: unit for name in FEATURES if name not in ("tempo", "loudness", "mode")},
        "tempo": st.floats(40, 220),
        "loudness": st.floats(-60, 0),
        "mode": st.sampled_from([0.0, 1.0]),
    }
)
weight_sets = st.fixed_dictionaries({name: unit for name in FEATURES})


def test_scaled_maps_each_feature_onto_0_to_1_and_clamps() -> None:
    assert scaled("energy", 0.3) == pytest.approx(0.3)
    assert scaled("tempo", 130.0) == pytest.approx(0.5)
    assert scaled("loudness", -30.0) == pytest.approx(0.5)
    assert scaled("tempo", 400.0) == 1.0
    assert scaled("loudness", -90.0) == 0.0


def test_a_track_on_target_is_at_distance_zero() -> None:
    profile = make_profile({"energy": 0.2, "tempo": 90.0}, {"energy": 1.0, "tempo": 0.5})
    assert target_distance(values_at(energy=0.2, tempo=90.0), profile) == 0.0


def test_distance_is_the_weighted_rms_of_scaled_gaps() -> None:
    profile = make_profile({"energy": 0.2, "tempo": 40.0}, {"energy": 3.0, "tempo": 1.0})
    values = values_at(energy=0.6, tempo=130.0)  # gaps 0.4 and 0.5 (90 of 180 BPM)
    expected = math.sqrt((3 * 0.4**2 + 1 * 0.5**2) / 4)
    assert target_distance(values, profile) == pytest.approx(expected)


def test_features_of_weight_zero_do_not_count() -> None:
    profile = make_profile({"energy": 0.2}, {"energy": 1.0})
    assert target_distance(values_at(energy=0.2, valence=1.0, tempo=200.0), profile) == 0.0


def test_a_profile_that_weighs_nothing_finds_every_track_on_target() -> None:
    assert target_distance(values_at(energy=1.0), make_profile()) == 0.0


def test_range_excess_is_zero_inside_and_grows_outside() -> None:
    profile = make_profile(weights={"energy": 1.0}, ranges={"energy": (0.1, 0.4)})
    assert range_excess(values_at(energy=0.3), profile) == 0.0
    near = range_excess(values_at(energy=0.5), profile)
    far = range_excess(values_at(energy=0.9), profile)
    assert 0 < near < far
    assert far == pytest.approx(0.5)


def test_score_is_one_minus_distance_and_excess() -> None:
    profile = make_profile({"energy": 0.2}, {"energy": 1.0}, {"energy": (0.1, 0.3)})
    fit = score(values_at(energy=0.5), profile)
    assert fit.distance == pytest.approx(0.3)
    assert fit.excess == pytest.approx(0.2)
    assert fit.score == pytest.approx(0.5)


def test_feature_values_reads_every_profile_feature_and_skips_a_missing_mode() -> None:
    features = AudioFeatures(
        acousticness=0.8,
        danceability=0.4,
        energy=0.2,
        instrumentalness=0.1,
        liveness=0.1,
        loudness=-12.0,
        speechiness=0.04,
        tempo=88.0,
        valence=0.3,
    )
    values = feature_values(features)
    assert set(values) == set(FEATURES) - {"mode"}
    assert values["tempo"] == 88.0
    assert "mode" in feature_values(features.model_copy(update={"mode": 0}))


def test_mean_distance_of_nothing_is_zero() -> None:
    assert mean_distance([], make_profile()) == 0.0


@given(feature_sets, feature_sets, weight_sets)
def test_distance_score_and_excess_stay_in_0_to_1(
    values: dict[str, float], targets: dict[str, float], weights: dict[str, float]
) -> None:
    profile = make_profile(targets, weights)
    fit = score(values, profile)
    assert 0.0 <= fit.distance <= 1.0
    assert 0.0 <= fit.excess <= 1.0
    assert 0.0 <= fit.score <= 1.0
    assert fit.excess == 0.0  # the ranges are the whole scale


@given(feature_sets, weight_sets, st.sampled_from(FEATURES), unit)
def test_moving_one_feature_toward_the_target_never_increases_the_distance(
    values: dict[str, float], weights: dict[str, float], name: str, share: float
) -> None:
    profile = make_profile(weights=weights)
    target = profile.targets[name]
    closer = dict(values)
    closer[name] = values[name] + (target - values[name]) * share
    assert target_distance(closer, profile) <= target_distance(values, profile) + 1e-12


@pytest.mark.parametrize(
    ("mode", "target", "gap"),
    [(1.0, 0.5, 0.0), (0.0, 0.5, 0.0), (1.0, 0.8, 0.0), (0.0, 0.8, 0.6), (1.0, 0.0, 1.0)],
)
def test_a_mode_target_reads_as_a_lean(mode: float, target: float, gap: float) -> None:
    assert binary_gap(mode, target) == pytest.approx(gap)


def test_a_mode_range_admits_the_modes_it_reaches_half_way_to() -> None:
    assert binary_excess(1.0, 0.09, 0.94) == 0.0
    assert binary_excess(0.0, 0.09, 0.94) == 0.0
    assert binary_excess(0.0, 0.7, 1.0) == pytest.approx(0.7)
    assert binary_excess(1.0, 0.0, 0.3) == pytest.approx(0.7)


def test_an_indifferent_mode_adds_nothing_to_the_distance() -> None:
    profile = make_profile({"energy": 0.2, "mode": 0.5}, {"energy": 1.0, "mode": 1.0})
    assert target_distance(values_at(energy=0.2, mode=0.0), profile) == 0.0
    assert target_distance(values_at(energy=0.2, mode=1.0), profile) == 0.0
