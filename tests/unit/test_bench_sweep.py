"""The users sweep: what counts as served, and the most users a profile serves."""

from __future__ import annotations

import pytest

from moodmix.bench.lookups.sweep import Point, Sweep, largest_served, parse_users


def point(users: int, p95: float, rate: float = 0.0, unfinished: int = 0) -> Point:
    return Point(users, "matched", "adaptive", p95, rate, unfinished)


def test_served_means_finished_fast_and_rarely_refused() -> None:
    assert point(5, 1_999).served
    assert not point(5, 2_000).served
    assert not point(5, 100, rate=0.01).served
    assert not point(5, 100, unfinished=1).served


def test_the_most_served_needs_every_smaller_load_served_too() -> None:
    points = [point(5, 100), point(10, 2_500), point(20, 900), point(40, 3_000)]
    assert largest_served(points) == {"matched": {"adaptive": 5}}  # 20 passing is luck
    assert largest_served([point(5, 2_500)]) == {"matched": {"adaptive": None}}
    sweep = Sweep((5, 10), (point(5, 100), point(10, 200)))
    assert sweep.as_json()["largest"] == {"matched": {"adaptive": 10}}
    assert [p["served"] for p in sweep.as_json()["points"]] == [True, True]


def test_loads_are_parsed_sorted_and_checked() -> None:
    assert parse_users("20,5,10,5") == (5, 10, 20)
    with pytest.raises(ValueError, match="whole numbers"):
        parse_users("5,ten")
    with pytest.raises(ValueError, match="at least 1"):
        parse_users("0,5")
