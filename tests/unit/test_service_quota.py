"""The per-client share of the upstream quota, on a manual clock."""

from __future__ import annotations

import asyncio

import pytest

from moodmix.clock import ManualClock
from moodmix.service.quota import ClientQuota


def make(clock: ManualClock, rate: float = 60.0, share: float = 0.5) -> ClientQuota:
    return ClientQuota(share=share, window_s=60, rate_per_min=lambda: rate, clock=clock)


def spend(quota: ClientQuota, client: str, n: int) -> None:
    with quota.acting_for(client):
        for _ in range(n):
            quota.record()


def test_a_client_alone_may_use_the_whole_quota() -> None:
    quota = make(ManualClock())
    spend(quota, "a", 59)
    assert quota.check("a") is None
    spend(quota, "a", 1)
    assert quota.check("a") is not None


def test_a_client_alone_may_also_use_the_limiters_burst() -> None:
    quota = ClientQuota(share=0.5, window_s=60, rate_per_min=lambda: 60.0, burst=2)
    spend(quota, "a", 61)
    assert quota.check("a") is None  # the limiter let 62 through: 60 a minute and 2 at once
    spend(quota, "a", 1)
    assert quota.check("a") is not None
    spend(quota, "b", 1)
    assert quota.allowance("a") == 30  # with others around, a share of the rate alone


def test_with_others_around_each_gets_its_share() -> None:
    clock = ManualClock()
    quota = make(clock)
    spend(quota, "b", 1)
    spend(quota, "a", 29)
    assert quota.check("a") is None
    spend(quota, "a", 1)
    refusal = quota.check("a")
    assert refusal is not None
    assert "30 upstream requests" in refusal.reason
    assert "1 other client" in refusal.reason
    assert quota.check("b") is None


def test_retry_after_is_when_enough_requests_age_out() -> None:
    clock = ManualClock()
    quota = make(clock)
    spend(quota, "b", 1)
    spend(quota, "a", 10)
    clock.advance(20)
    spend(quota, "a", 20)
    refusal = quota.check("a")
    assert refusal is not None
    assert refusal.retry_after == 40  # the first ten leave the window 60 s after they came
    clock.advance(40)
    assert quota.check("a") is None


def test_requests_outside_any_client_are_not_charged() -> None:
    quota = make(ManualClock())
    quota.record()
    assert quota.clients() == {}


async def test_tasks_started_for_a_client_are_charged_to_it() -> None:
    quota = make(ManualClock())

    async def upstream_call() -> None:
        quota.record()

    with quota.acting_for("a"):
        await asyncio.create_task(upstream_call())
    await asyncio.create_task(upstream_call())
    assert quota.clients() == {"a": 1}


def test_the_allowance_follows_the_learned_rate() -> None:
    rate = [60.0]
    quota = ClientQuota(share=0.5, window_s=60, rate_per_min=lambda: rate[0], clock=ManualClock())
    spend(quota, "b", 1)
    assert quota.allowance("a") == 30
    rate[0] = 120.0
    assert quota.allowance("a") == 60


@pytest.mark.parametrize("share", [0, 1.5])
def test_share_must_be_a_fraction(share: float) -> None:
    with pytest.raises(ValueError, match="share"):
        make(ManualClock(), share=share)
