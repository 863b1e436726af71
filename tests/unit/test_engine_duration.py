"""Durations as people write them."""

from __future__ import annotations

import pytest

from moodmix.engine.duration import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("60m", 3600),
        ("1h30m", 5400),
        ("1h 30m", 5400),
        ("45:00", 2700),
        ("1:15:00", 4500),
        ("90", 5400),
        ("30min", 1800),
        ("2 hours", 7200),
        ("1.5h", 5400),
        ("90s", 90),
    ],
)
def test_durations_are_parsed(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "abc", "1:75", "0m", "m", "10x", "1h30", "-5m"])
def test_bad_durations_say_which_forms_work(text: str) -> None:
    with pytest.raises(ValueError, match="60m"):
        parse_duration(text)


def test_format_duration() -> None:
    assert format_duration(5400) == "1h30m"
    assert format_duration(2730) == "45m30s"
    assert format_duration(0) == "0s"
