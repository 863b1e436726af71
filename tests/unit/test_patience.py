from __future__ import annotations

import asyncio

import pytest

from moodmix.reccobeats.patience import patience, remaining


def test_no_patience_means_no_deadline() -> None:
    assert remaining() is None


def test_patience_sets_a_deadline_for_the_block_only() -> None:
    with patience(10):
        left = remaining()
        assert left is not None
        assert 9 < left <= 10
    assert remaining() is None


def test_a_nested_longer_patience_keeps_the_earlier_deadline() -> None:
    with patience(5), patience(60):
        left = remaining()
        assert left is not None
        assert left <= 5


def test_negative_patience_is_refused_saying_what_is_allowed() -> None:
    with pytest.raises(ValueError, match="0 or more seconds"), patience(-1):
        pass


async def test_tasks_started_inside_carry_the_deadline() -> None:
    async def inner() -> float | None:
        return remaining()

    with patience(10):
        left = await asyncio.create_task(inner())
    assert left is not None
    assert left <= 10
