"""Refining a profile: a change read relative to the current one."""

from __future__ import annotations

import pytest

from moodmix.engine.mood import analyse
from moodmix.engine.mood.refine import refine_profile

CURRENT = analyse("rainy Sunday, mellow acoustic")


@pytest.mark.parametrize(
    ("text", "feature", "direction"),
    [
        ("more upbeat", "energy", 1),
        ("more upbeat", "valence", 1),
        ("less vocals", "instrumentalness", 1),
        ("slower", "tempo", -1),
    ],
)
def test_a_refinement_moves_its_feature_the_way_it_says(
    text: str, feature: str, direction: int
) -> None:
    change = refine_profile(CURRENT, text)
    moved = change.profile.targets[feature] - CURRENT.targets[feature]
    assert moved * direction > 0
    assert f"{feature} {'up' if direction > 0 else 'down'}" in change.moved


def test_text_with_nothing_to_read_changes_nothing() -> None:
    change = refine_profile(CURRENT, "qwzx blorp")
    assert not change.understood
    assert change.profile == CURRENT
    assert change.moved == ()
