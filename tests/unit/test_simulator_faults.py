"""Latency model, fault draws and corrupted bodies, all from seeded RNGs."""

from __future__ import annotations

import random
import statistics
from collections import Counter

import orjson
import pytest
from pydantic import BaseModel, ValidationError

from moodmix.reccobeats.models import Artist, AudioFeatures, ItemList, Page, Track
from moodmix.simulator.config import SimulatorConfig
from moodmix.simulator.faults import (
    FaultInjector,
    FaultKind,
    FaultRates,
    LatencyModel,
    corrupt_body,
)

TRACK = {
    "id": "8212bab8-5911-48a0-b177-24923ef2329a",
    "trackTitle": "Wicked Games",
    "artists": [{"id": "9451b6b2-8746-4d43-abd7-c355ed1e3048", "name": "The Weeknd"}],
    "durationMs": 325305,
    "isrc": "USUM72104140",
    "ean": None,
    "href": "https://open.spotify.com/track/00aqkszH1FdUiJJWvX6iEl",
    "popularity": 69,
}
FEATURES = {
    "acousticness": 0.174,
    "danceability": 0.4004,
    "energy": 0.6899,
    "instrumentalness": 0.0309,
    "liveness": 0.1188,
    "loudness": -6.0411,
    "speechiness": 0.0566,
    "tempo": 147.7849,
    "valence": 0.2747,
}
ARTIST = {"id": "9451b6b2-8746-4d43-abd7-c355ed1e3048", "name": "The Weeknd", "href": "x"}


def test_latency_off_is_zero() -> None:
    model = LatencyModel(0, rng=random.Random(1))
    assert {model.sample() for _ in range(100)} == {0.0}


def test_latency_has_the_asked_median_and_p99() -> None:
    model = LatencyModel(40, 160, rng=random.Random(3))
    samples = sorted(model.sample() * 1000 for _ in range(40_000))
    assert statistics.median(samples) == pytest.approx(40, rel=0.05)
    assert samples[int(0.99 * len(samples))] == pytest.approx(160, rel=0.1)
    assert min(samples) > 0


def test_latency_p99_defaults_to_four_times_the_median() -> None:
    assert LatencyModel(25, rng=random.Random(0)).p99_ms == 100


def test_latency_with_equal_median_and_p99_is_constant() -> None:
    model = LatencyModel(10, 10, rng=random.Random(0))
    assert {model.sample() for _ in range(10)} == {0.01}


def test_latency_is_repeatable_from_the_seed() -> None:
    first = LatencyModel(40, rng=random.Random(9))
    second = LatencyModel(40, rng=random.Random(9))
    assert [first.sample() for _ in range(20)] == [second.sample() for _ in range(20)]


def test_latency_refuses_a_p99_below_the_median() -> None:
    with pytest.raises(ValueError, match="p99_ms"):
        LatencyModel(50, 10, rng=random.Random(0))


def test_no_faults_when_all_rates_are_zero() -> None:
    injector = FaultInjector(FaultRates(), rng=random.Random(0))
    assert {injector.draw() for _ in range(1000)} == {None}


@pytest.mark.parametrize("kind", list(FaultKind))
def test_a_rate_of_one_always_gives_that_fault(kind: FaultKind) -> None:
    injector = FaultInjector(FaultRates(**{kind.value: 1.0}), rng=random.Random(0))
    assert {injector.draw() for _ in range(200)} == {kind}


def test_fault_shares_match_the_rates() -> None:
    injector = FaultInjector(
        FaultRates(error=0.1, timeout=0.05, malformed=0.2, drop=0.15), rng=random.Random(5)
    )
    draws = Counter(injector.draw() for _ in range(50_000))
    assert draws[FaultKind.ERROR] / 50_000 == pytest.approx(0.1, abs=0.01)
    assert draws[FaultKind.TIMEOUT] / 50_000 == pytest.approx(0.05, abs=0.01)
    assert draws[FaultKind.MALFORMED] / 50_000 == pytest.approx(0.2, abs=0.01)
    assert draws[FaultKind.DROP] / 50_000 == pytest.approx(0.15, abs=0.01)
    assert draws[None] / 50_000 == pytest.approx(0.5, abs=0.01)


def test_fault_rates_are_checked() -> None:
    with pytest.raises(ValueError, match="error rate must be between 0 and 1"):
        FaultRates(error=1.5)
    with pytest.raises(ValueError, match=r"add up to 1\.2"):
        FaultRates(error=0.6, drop=0.6)


def test_config_refuses_fault_shares_above_one() -> None:
    with pytest.raises(ValidationError, match="at most 1"):
        SimulatorConfig(error_rate=0.5, timeout_rate=0.3, drop_rate=0.3)
    with pytest.raises(ValidationError, match="latency_p99_ms"):
        SimulatorConfig(latency_ms=100, latency_p99_ms=50)


def rejected(body: bytes, model: type[BaseModel]) -> str:
    """How a client would fail on ``body``: 'parse' or 'validate' (or '' if accepted)."""
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return "parse"
    try:
        model.model_validate(payload)
    except ValidationError:
        return "validate"
    return ""


@pytest.mark.parametrize(
    ("payload", "model"),
    [
        (TRACK, Track),
        (FEATURES, AudioFeatures),
        (ARTIST, Artist),
        ({"content": [TRACK, TRACK]}, ItemList[Track]),
        ({"content": []}, ItemList[Track]),
        (
            {"content": [ARTIST], "page": 0, "size": 20, "totalElements": 1, "totalPages": 1},
            Page[Artist],
        ),
    ],
)
def test_corrupted_bodies_never_pass(payload: dict[str, object], model: type[BaseModel]) -> None:
    body = orjson.dumps(payload)
    assert rejected(body, model) == ""
    rng = random.Random(11)
    outcomes = Counter(rejected(corrupt_body(body, rng), model) for _ in range(200))
    assert outcomes[""] == 0
    assert outcomes["parse"] > 0
    assert outcomes["validate"] > 0


def test_wrong_types_include_content_oops_and_a_mistyped_duration() -> None:
    rng = random.Random(2)
    body = orjson.dumps({"content": [TRACK]})
    seen = set()
    for _ in range(200):
        try:
            payload = orjson.loads(corrupt_body(body, rng))
        except orjson.JSONDecodeError:
            continue
        if payload["content"] == "oops":
            seen.add("content")
        elif isinstance(payload["content"][0].get("durationMs"), str):
            seen.add("durationMs")
    assert seen == {"content", "durationMs"}
