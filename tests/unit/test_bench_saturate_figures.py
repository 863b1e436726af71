"""The saturate workload's figures from times alone: the sliding minute, the allowance over a
schedule, the options' parsing, and the counts an instance process hands back."""

from __future__ import annotations

import orjson
import pytest

from moodmix.bench.saturate import Cell, RateStep, parse_bursts, parse_rates, parse_schedule
from moodmix.bench.saturate.counting import Tally
from moodmix.bench.saturate.figures import (
    count_within,
    first_minute_at_fraction,
    seconds_to_fraction,
)
from moodmix.bench.saturate.results import Counted


def _every(gap_s: float, until_s: float, start_s: float = 0.0) -> list[float]:
    n = int((until_s - start_s) / gap_s)
    return [start_s + gap_s * (i + 1) for i in range(n)]


def test_a_client_at_the_limit_reaches_90pct_when_its_minute_holds_54() -> None:
    accepted = _every(1.0, 300.0)  # 60/min from the start

    assert seconds_to_fraction(accepted, limit_at=lambda t: 60.0) == 54.0


def test_the_first_minute_at_90pct_is_timed_by_its_start() -> None:
    at_once = _every(1.0, 300.0)  # at the limit from the first second
    late = _every(2.0, 100.0) + _every(1.0, 400.0, start_s=100.0)  # half, then the limit

    assert first_minute_at_fraction(at_once, limit_at=lambda t: 60.0) == 0.0
    assert first_minute_at_fraction(late, limit_at=lambda t: 60.0) == 87.0  # (87, 147]: 7 + 47
    assert first_minute_at_fraction(_every(2.0, 600.0), limit_at=lambda t: 60.0) is None


def test_a_client_at_half_the_limit_never_reaches_90pct() -> None:
    assert seconds_to_fraction(_every(2.0, 600.0), limit_at=lambda t: 60.0) is None


def test_after_a_restart_only_requests_after_it_count() -> None:
    before = _every(1.0, 600.0)
    after = _every(0.5, 900.0, start_s=630.0)  # 30 s of nothing, then 120/min

    figure = seconds_to_fraction(before + after, limit_at=lambda t: 60.0, origin=600.0)

    assert figure == 30.0 + 27.0  # 54 requests at 2/s, counted from the restart


def test_a_raised_limit_is_measured_against_the_new_limit_until_the_next_change() -> None:
    cell = Cell(60.0, 1, (RateStep(0.0, 60.0), RateStep(300.0, 120.0)))
    stuck = _every(1.0, 900.0)  # stays at 60/min after the raise

    assert seconds_to_fraction(stuck, limit_at=cell.limit_at, origin=300.0, until=900.0) is None


def test_the_allowance_integrates_the_schedule_and_adds_the_burst() -> None:
    cell = Cell(80.0, 4, parse_schedule("0:80/min,600:40/min,1200:150/min"))

    assert cell.allowed(0.0, 1_800.0) == pytest.approx(4 + 800 + 400 + 1_500)
    assert [c.at_s for c in cell.changes()] == [600.0, 1_200.0]
    assert cell.limit_at(599.0) == 80.0
    assert cell.limit_at(600.0) == 40.0


def test_counts_within_a_window_include_its_start_and_not_its_end() -> None:
    assert count_within([1.0, 2.0, 3.0, 4.0], 2.0, 4.0) == 2


def test_lists_of_rates_and_bursts_and_their_bad_values() -> None:
    assert parse_rates("20, 55/min,2/s") == (20.0, 55.0, 120.0)
    assert parse_bursts("1,4,10") == (1, 4, 10)
    with pytest.raises(ValueError, match="more than 0"):
        parse_rates("0")
    with pytest.raises(ValueError, match="at least 1"):
        parse_bursts("4,0")
    with pytest.raises(ValueError, match="OFFSET:RATE"):
        parse_schedule("0:80/min,600")
    with pytest.raises(ValueError, match="increase"):
        parse_schedule("600:80/min,0:40/min")


def test_an_instance_process_hands_back_exactly_what_it_counted() -> None:
    tally = Tally(lambda: 0.0, sent=5, cancelled=1, errors=1)
    tally.accepted_at += [1.5, 2.5]
    tally.throttled_at.append(2.0)
    tally.other[503] = 1
    counted = Counted(2, tally, gateway_requests=4, gateway_429=1, closing=3)
    counted.callers.arrived, counted.callers.served = 6, 2
    counted.callers.failed["UpstreamUnavailable"] = 1
    counted.learned_rate_per_min = 53.1

    back = Counted.from_json(orjson.loads(orjson.dumps(counted.as_json())), lambda: 0.0)

    assert back.as_json() == counted.as_json()
    assert (back.tally.accepted, back.tally.throttled, back.tally.other) == (2, 1, {503: 1})
    assert back.callers == counted.callers
