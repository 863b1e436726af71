"""Refining: a change to a mood, read relative to the profile a playlist already has.

::

    current = analyse("rainy Sunday, mellow acoustic")
    change = refine_profile(current, "more upbeat")
    change.profile.targets["energy"] > current.targets["energy"]   # True
    change.moved          # ('energy up', 'valence up')

The text of a refinement speaks of the playlist as it is: "more upbeat" asks for more energy
than now, not for an upbeat playlist. Each feature the text reaches moves from its current
target toward the text's own target by ``STEP`` of the way, and its weight becomes at least
the text's; what the text does not reach stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from moodmix.engine.mood.combine import BASE_WEIGHT, from_unit, to_unit
from moodmix.engine.profile import FEATURES, MoodProfile

STEP: Final = 0.5
"""How far toward the text's target a feature moves."""
MOVED: Final = 0.02
"""A move smaller than this (on 0..1) is not reported."""


@dataclass(frozen=True)
class Refinement:
    """A refined profile and what the text asked for beside it.

    ``moved`` says which features changed, in words ("energy up"); ``duration_s`` is a length
    the text asks for ("make it an hour"); ``like_tracks`` are 1-based positions the text
    points at ("like track 3"); ``exclude_artists`` are artists it rules out ("no Adele");
    ``understood`` is false when nothing in the text could be read as a change.
    """

    profile: MoodProfile
    moved: tuple[str, ...] = ()
    duration_s: float | None = None
    like_tracks: tuple[int, ...] = ()
    exclude_artists: tuple[str, ...] = ()
    understood: bool = True


def refine_profile(current: MoodProfile, text: str) -> Refinement:
    """``current`` changed as ``text`` asks; unchanged with ``understood=False`` if unread."""
    from moodmix.engine.mood import analyse  # the package imports this module

    asked = analyse(text)
    if not asked.understood:
        return Refinement(profile=current, understood=False)
    targets = dict(current.targets)
    weights = dict(current.weights)
    ranges = dict(current.ranges)
    moved: list[str] = []
    for name in FEATURES:
        if asked.weights[name] <= BASE_WEIGHT:
            continue
        now = to_unit(name, current.targets[name])
        goal = to_unit(name, asked.targets[name])
        new = now + (goal - now) * STEP
        targets[name] = from_unit(name, new)
        weights[name] = max(weights[name], asked.weights[name])
        low, high = ranges[name]
        ranges[name] = (min(low, targets[name]), max(high, targets[name]))
        if abs(new - now) >= MOVED:
            moved.append(f"{name} {'up' if new > now else 'down'}")
    profile = replace(
        current,
        text=f"{current.text}; {text}",
        targets=targets,
        ranges=ranges,
        weights=weights,
    )
    return Refinement(profile=profile, moved=tuple(moved), understood=True)
