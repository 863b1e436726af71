"""The watch after a cut (``adaptive.watch``): when a check for a raise is due."""

from __future__ import annotations

from moodmix.resilience.adaptive.watch import EVERY_S, WATCH_S, Watch


def test_a_check_is_due_after_a_quiet_minute_within_the_watch() -> None:
    watch = Watch()
    assert not watch.due(100.0)  # no cut, no watch
    watch.start(0.0)
    watch.heard(0.0)  # the cut's 429
    assert not watch.due(EVERY_S - 1)
    assert watch.due(EVERY_S)
    watch.heard(EVERY_S)  # a check went out
    assert not watch.due(EVERY_S + 30)
    assert not watch.due(WATCH_S + EVERY_S)  # the watch is over


def test_a_raise_found_stops_the_watch() -> None:
    watch = Watch()
    watch.start(0.0)
    watch.heard(0.0)
    watch.stop()
    assert not watch.due(EVERY_S * 2)
    assert watch.share(EVERY_S * 2) == (0.0, 0.0)


def test_another_process_takes_over_what_is_left() -> None:
    watch, other = Watch(), Watch()
    watch.start(0.0)
    watch.heard(10.0)
    left, quiet = watch.share(40.0)
    assert (left, quiet) == (WATCH_S - 40, 30.0)
    other.take(left, quiet, 1_000.0)  # its own clock
    assert not other.due(1_000.0 + 29)
    assert other.due(1_000.0 + 30)
    assert other.share(1_000.0 + WATCH_S) == (0.0, 0.0)
    other.take(0.0, 0.0, 1_000.0)  # a state with no watch ends this one
    assert not other.due(1_000.0 + 30)
