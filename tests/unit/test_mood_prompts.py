"""The public prompt set: each prompt in ``mood_prompts.yaml`` gives its expected directions.

A prompt's expectations say which way features must lean (high, low, mid), and optionally
what must be recognised and which versions are (un)wanted. The set is a sample of what the
analyser must understand, one or more prompts per category.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from moodmix.engine.mood import analyse
from moodmix.engine.profile import SCALES, MoodProfile

_PROMPTS: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).with_name("mood_prompts.yaml")).read_text(encoding="utf-8")
)

_BOUNDS: dict[str, dict[str, tuple[float, float]]] = {
    "tempo": {"high": (125.0, 220.0), "low": (40.0, 100.0), "mid": (100.0, 130.0)},
    "loudness": {"high": (-7.0, 0.0), "low": (-60.0, -11.0), "mid": (-11.0, -7.0)},
}
_UNIT_BOUNDS = {"high": (0.6, 1.0), "low": (0.0, 0.4), "mid": (0.35, 0.65)}


def _holds(profile: MoodProfile, feature: str, direction: str) -> bool:
    low, high = _BOUNDS.get(feature, _UNIT_BOUNDS)[direction]
    if feature in _BOUNDS:
        return low <= profile.targets[feature] <= high
    scale_low, scale_high = SCALES[feature]
    unit = (profile.targets[feature] - scale_low) / (scale_high - scale_low)
    return low <= unit <= high


def test_the_set_is_large_and_covers_every_category() -> None:
    assert len(_PROMPTS) >= 60
    text = " ".join(case["prompt"] for case in _PROMPTS)
    for marker in ("not", "nothing", "a bit", "very", "but", "bpm", "like", "triste", "😢"):
        assert marker in text


@pytest.mark.parametrize("case", _PROMPTS, ids=[case["prompt"] for case in _PROMPTS])
def test_prompt(case: dict[str, Any]) -> None:
    profile = analyse(case["prompt"])
    assert profile.understood, profile.explanation
    wrong = {
        feature: profile.targets[feature]
        for feature, direction in case["expect"].items()
        if not _holds(profile, feature, direction)
    }
    assert not wrong, f"{wrong} against {case['expect']}: {profile.explanation}"
    recognised = profile.recognised
    for field, wanted in case.get("recognised", {}).items():
        found = getattr(recognised, field)
        if isinstance(wanted, list):
            assert set(wanted) <= set(found), f"{field}: {found}"
        else:
            assert found == wanted, f"{field}: {found}"
    for version in case.get("unwanted", []):
        assert version in profile.unwanted_versions
    for version in case.get("wanted", []):
        assert version not in profile.unwanted_versions
