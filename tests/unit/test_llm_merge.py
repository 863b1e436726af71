"""The model nudges, the built-in reader decides: merging an answer into a profile."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from moodmix.engine.confirm import Confirmed
from moodmix.engine.merge import MODEL_WEIGHT, NUDGE, SURE, merge_answer
from moodmix.engine.mood import analyse
from moodmix.llm import parse_answer
from moodmix.settings import Settings

RAINY = "rainy Sunday, mellow acoustic, nothing sad"


def test_a_sure_feature_moves_a_little_within_its_range_and_a_negation_holds() -> None:
    base = analyse(RAINY)
    assert base.weights["valence"] > SURE
    answer = parse_answer('{"features": {"valence": {"target": 0.0, "weight": 1}}}')
    merged = merge_answer(base, answer, Confirmed(), model="m").profile
    low, _high = base.ranges["valence"]
    assert merged.ranges["valence"] == base.ranges["valence"]
    assert merged.targets["valence"] >= low  # "nothing sad" keeps its floor
    moved = base.targets["valence"] + (0.0 - base.targets["valence"]) * NUDGE
    assert merged.targets["valence"] == pytest.approx(max(low, moved), abs=0.001)
    assert merged.weights["valence"] == base.weights["valence"]


def test_a_feature_the_built_in_reader_left_open_takes_the_models_reading() -> None:
    base = analyse(RAINY)
    assert base.weights["danceability"] <= SURE
    answer = parse_answer(
        '{"features": {"danceability": {"target": 0.2, "low": 0.1, "high": 0.35, "weight": 1}}}'
    )
    merged = merge_answer(base, answer, Confirmed(), model="m")
    assert merged.profile.targets["danceability"] == 0.2
    assert merged.profile.ranges["danceability"] == (0.1, 0.35)
    assert merged.profile.weights["danceability"] == MODEL_WEIGHT
    assert "danceability" in merged.from_model


def test_only_confirmed_artists_and_known_genres_join() -> None:
    base = analyse("songs that feel like a Wes Anderson film")
    answer = parse_answer(
        '{"artists": ["Bon Iver", "The Velvet Lanterns"], "genres": ["folk", "whimsycore"]}'
    )
    confirmed = Confirmed(artists=("Bon Iver",), unknown=("The Velvet Lanterns",))
    merged = merge_answer(base, answer, confirmed, model="m").profile
    assert merged.recognised.artists == ("Bon Iver",)
    assert merged.recognised.genres == ("folk",)
    assert merged.understood
    assert "Not found on ReccoBeats, so not used: The Velvet Lanterns." in merged.explanation


def test_things_to_avoid_narrow_ranges_and_add_unwanted_versions() -> None:
    base = analyse("late night drive")
    answer = parse_answer('{"avoid": ["sad", "live versions", "gibberishword"]}')
    merged = merge_answer(base, answer, Confirmed(), model="m").profile
    assert "live" in merged.unwanted_versions
    assert "sad" in merged.recognised.negations
    assert merged.ranges["valence"][0] >= base.ranges["valence"][0]


def test_the_models_name_and_description_are_suggestions() -> None:
    answer = parse_answer('{"playlist_name": "Night Moves", "playlist_description": "Late."}')
    merged = merge_answer(analyse("late night drive"), answer, Confirmed(), model="m").profile
    assert (merged.suggested_name, merged.suggested_description) == ("Night Moves", "Late.")


def test_a_url_needs_a_model_and_must_be_http() -> None:
    with pytest.raises(ValidationError, match="MOODMIX_LLM_MODEL"):
        Settings(llm_url="http://localhost:11434/v1")
    with pytest.raises(ValidationError, match="http"):
        Settings(llm_url="file:///etc/passwd", llm_model="m")
    assert Settings(llm_url="  ").llm_url is None


def test_the_api_key_is_a_secret() -> None:
    settings = Settings(
        llm_url="https://user:pw-in-url@llm.example/v1",
        llm_model="m",
        llm_api_key=SecretStr("sk-unit-k3y"),
    )
    assert {"sk-unit-k3y", "pw-in-url"} <= set(settings.secrets())
    assert "sk-unit-k3y" not in repr(settings)
