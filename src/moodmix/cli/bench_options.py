"""``moodmix bench``'s options read and checked: profiles, the upstream's rate and burst, the
clock for a workload. A bad value is a ``typer.BadParameter`` naming the option and what is
allowed.

    parse_bench_profiles("all")          # the five profiles of the lookups workload
    parse_upstream_rate("2/s")           # 120.0 (per minute)
    pick_clock(None, workload="service", instances=False)   # 'real'
"""

from __future__ import annotations

from typing import cast, get_args

import typer

from moodmix.bench.config import CLOCKS, ClockMode
from moodmix.bench.profiles import (
    ALL_PROFILES,
    BENCH_PROFILES,
    BenchProfile,
    MissingExtra,
    check_available,
)
from moodmix.settings import Profile
from moodmix.simulator.config import parse_rate


def _names(text: str, allowed: tuple[str, ...]) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in allowed]
    if unknown or not names:
        raise typer.BadParameter(
            f"{', '.join(unknown) or 'nothing'} is not a profile; use a comma-separated list "
            f"of {', '.join(allowed)}",
            param_hint="--profiles",
        )
    return list(dict.fromkeys(names))


def parse_profiles(text: str) -> tuple[Profile, ...]:
    """``"legacy,adaptive"`` -> ``("legacy", "adaptive")``: the settings' profiles (the
    playlists and service workloads); ``typer.BadParameter`` if unknown."""
    return tuple(cast(Profile, n) for n in _names(text, get_args(Profile)))


def parse_bench_profiles(text: str) -> tuple[BenchProfile, ...]:
    """The lookups workload's profiles (``all``: the five of ``ALL_PROFILES``);
    ``typer.BadParameter`` if one is unknown or a peer's libraries are not installed."""
    if text.strip() == "all":
        text = ",".join(ALL_PROFILES)
    names = tuple(cast(BenchProfile, n) for n in _names(text, BENCH_PROFILES))
    try:
        check_available(names)
    except MissingExtra as exc:
        raise typer.BadParameter(str(exc), param_hint="--profiles") from None
    return names


def parse_upstream_rate(text: str) -> float:
    """``"60/min"``, ``"2/s"`` or a bare ``"60"`` (per minute) -> requests per minute."""
    try:
        value = float(text)
    except ValueError:
        try:
            return parse_rate(text)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--upstream-rate") from None
    if not value > 0:
        raise typer.BadParameter(f"must be more than 0, got {text}", param_hint="--upstream-rate")
    return value


def parse_burst(text: str) -> int:
    """One burst (the workloads other than saturate take one): a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise typer.BadParameter(
            f"must be one whole number, got {text} (lists are for --workload saturate)",
            param_hint="--upstream-burst",
        ) from None
    if value < 1:
        raise typer.BadParameter(f"must be at least 1, got {value}", param_hint="--upstream-burst")
    return value


WORKLOADS = ("lookups", "playlists", "service", "saturate")
VIRTUAL_WORKLOADS = ("lookups", "saturate")
"""Workloads that run on virtual time (by default, in one process)."""
LONG_RUN_S = 1_800.0
"""Wall seconds of replay above which the lookups workload says how long it will take."""


def pick_clock(text: str | None, *, workload: str, instances: bool) -> ClockMode:
    """``--clock`` checked against the workload: virtual by default for lookups in one
    process and for saturate, real for the rest (which only run in real time)."""
    real_only = workload not in VIRTUAL_WORKLOADS or (instances and workload == "lookups")
    if text is None:
        return "real" if real_only else "virtual"
    if text not in CLOCKS:
        raise typer.BadParameter(
            f"{text} is not a clock; use {' or '.join(CLOCKS)}", param_hint="--clock"
        )
    if text == "virtual" and real_only:
        what = "--instances" if workload == "lookups" else f"the {workload} workload"
        raise typer.BadParameter(f"{what} runs in real time only", param_hint="--clock")
    return text
