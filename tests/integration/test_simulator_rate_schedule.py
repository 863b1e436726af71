"""The simulator's rate schedule over loopback: the 429s follow it, on an injected clock, and
``PATCH /_admin/config`` sets it (offsets from the simulator's start) or refuses it whole."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from moodmix.clock import ManualClock
from moodmix.simulator import RateStep, SimulatorServer
from moodmix.simulator.catalog import Catalog

MakeSimulator = Callable[..., Awaitable[SimulatorServer]]


@pytest.fixture
def track_path(catalog: Catalog) -> str:
    return f"/v1/track/{catalog.track_ids()[0]}"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


async def answers(http: httpx.AsyncClient, path: str, n: int) -> list[tuple[int, str]]:
    """Status and Retry-After of ``n`` requests sent at once."""
    replies = [await http.get(path) for _ in range(n)]
    return [(r.status_code, r.headers.get("Retry-After", "")) for r in replies]


async def test_the_429s_follow_the_schedule(
    make_simulator: MakeSimulator, clock: ManualClock, track_path: str
) -> None:
    sim = await make_simulator(
        rate_per_min=600, burst=2, rate_schedule="0:60/min,10:6/min,38:120/min", clock=clock
    )
    async with httpx.AsyncClient(base_url=sim.url) as http:
        config = (await http.get("/_admin/config")).json()
        assert config["rate_in_force"] == "60/min"
        assert config["rate_schedule_text"] == "0:60/min,10:6/min,38:120/min"
        assert config["rate_schedule"][1] == {"at_s": 10, "rate_per_min": 6}

        assert await answers(http, track_path, 3) == [(200, ""), (200, ""), (429, "1")]
        clock.advance(1.0)
        assert await answers(http, track_path, 2) == [(200, ""), (429, "1")]

        clock.advance(9.0)  # 6/min from here: a token every 10 s
        assert await answers(http, track_path, 3) == [(200, ""), (200, ""), (429, "10")]
        clock.advance(5.0)
        assert await answers(http, track_path, 1) == [(429, "5")]
        clock.advance(5.0)
        assert await answers(http, track_path, 2) == [(200, ""), (429, "10")]

        clock.advance(15.0)  # 1.5 tokens at 35 s; the change to 120/min at 38 s is inside
        # the wait: 0.3 tokens by 38 s, 0.2 more by 38.1 s: 3.1 s, rounded up
        assert await answers(http, track_path, 2) == [(200, ""), (429, "4")]

        clock.advance(5.0)
        config = (await http.get("/_admin/config")).json()
        assert (config["uptime_s"], config["rate_in_force"]) == (40, "120/min")
        assert await answers(http, track_path, 3) == [(200, ""), (200, ""), (429, "1")]
    assert sim.counters.rate_limited == 7


async def test_a_patched_schedule_counts_from_the_start_of_the_simulator(
    make_simulator: MakeSimulator, clock: ManualClock, track_path: str
) -> None:
    sim = await make_simulator(rate_per_min=60, burst=1, retry_after_resolution=0.5, clock=clock)
    async with httpx.AsyncClient(base_url=sim.url) as http:
        clock.advance(100.0)
        body = {"rate_schedule": [{"at_s": 30, "rate_per_min": 12}, {"at_s": 160, "rate": "2/s"}]}
        changed = await http.patch("/_admin/config", json=body)
        assert changed.status_code == 200, changed.text
        view = changed.json()
        assert view["rate_schedule_text"] == "30:12/min,160:120/min"
        assert (view["uptime_s"], view["rate_in_force_per_min"]) == (100, 12)
        assert sim.config.rate_schedule == (RateStep(30, 12), RateStep(160, 120))

        assert await answers(http, track_path, 2) == [(200, ""), (429, "5")]  # 12/min already
        clock.advance(60.0)
        assert await answers(http, track_path, 3) == [(200, ""), (429, "0.5"), (429, "0.5")]

        as_text = await http.patch("/_admin/config", json={"rate_schedule": "0:6/min"})
        assert as_text.json()["rate_schedule"] == [{"at_s": 0, "rate_per_min": 6}]
        cleared = await http.patch("/_admin/config", json={"rate_schedule": ""})
        assert cleared.json()["rate_schedule"] == []
        assert cleared.json()["rate_in_force"] == "60/min"


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        ("0:80/min,600", "rate_schedule: rate schedule step 2 '600' is not OFFSET:RATE; expected"),
        ("0:80/min,0:40/min", "step 2 (0:40/min): offsets must increase strictly"),
        ([{"at_s": 0, "rate_per_min": 0}], "step 1 (0:0/min): the rate must be more than 0"),
        ([{"at_s": 0}], "rate schedule step 1 is {'at_s': 0}; expected"),
        ({"0": "80/min"}, "a rate schedule is text (OFFSET:RATE"),
    ],
)
async def test_a_bad_schedule_is_refused_and_changes_nothing(
    make_simulator: MakeSimulator,
    clock: ManualClock,
    track_path: str,
    schedule: Any,
    words: str,
) -> None:
    sim = await make_simulator(rate_per_min=60, burst=1, rate_schedule="0:30/min", clock=clock)
    before = sim.config
    async with httpx.AsyncClient(base_url=sim.url) as http:
        response = await http.patch("/_admin/config", json={"burst": 5, "rate_schedule": schedule})
        assert response.status_code == 400
        assert words in response.json()["message"]
        assert sim.config == before
        assert await answers(http, track_path, 2) == [(200, ""), (429, "2")]
