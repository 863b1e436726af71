"""Running order: an energy arc, smooth steps, or best fit first.

::

    arranged = arrange(picked, "arc")      # energy rises to a peak ~2/3 in, then winds down
    arranged = arrange(picked, "smooth")   # small steps in tempo, key (Camelot) and energy
    arranged = arrange(picked, "score")    # best fit first
    step_cost(a, b)                        # what "smooth" keeps small
    camelot(9, 0)                          # (8, 'A'): A minor

The arc assigns the calmest tracks to the ends and the most energetic to the peak, so the
energy never falls before the peak nor rises after it. "smooth" chains nearest neighbours from
the calmest track and improves the chain with 2-opt; it never costs more than the order given.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Final

from moodmix.engine.playlist import Order
from moodmix.engine.scored import Scored
from moodmix.engine.scoring import scaled

PEAK: Final = 0.65
"""Where in the playlist (0..1) the energy arc peaks."""
START_LEVEL: Final = 0.25
END_LEVEL: Final = 0.0
"""The arc's height (0..1) at the first and the last track: the calmest track closes."""
_MAX_2OPT_ROUNDS: Final = 20


def arrange(items: Sequence[Scored], order: Order) -> list[Scored]:
    """``items`` in the running ``order``."""
    if order == "arc":
        return energy_arc(items)
    if order == "smooth":
        return smooth(items)
    return by_score(items)


def by_score(items: Sequence[Scored]) -> list[Scored]:
    """Best fit first (ties: nearer the target, then id)."""
    return sorted(items, key=lambda s: (-s.fit.score, s.fit.distance, s.track.id))


def arc_level(position: int, count: int) -> float:
    """The arc's height (0..1) at ``position`` of ``count``: up to ``PEAK``, then down."""
    if count <= 1:
        return 1.0
    t = position / (count - 1)
    if t <= PEAK:
        return START_LEVEL + (1.0 - START_LEVEL) * t / PEAK
    return 1.0 - (1.0 - END_LEVEL) * (t - PEAK) / (1.0 - PEAK)


def energy_arc(items: Sequence[Scored]) -> list[Scored]:
    """The tracks matched by rank to the arc: the n-th calmest goes to the n-th lowest point."""
    count = len(items)
    by_energy = sorted(items, key=lambda s: (s.values["energy"], s.track.id))
    slots = sorted(range(count), key=lambda p: (arc_level(p, count), p))
    out: list[Scored | None] = [None] * count
    for slot, item in zip(slots, by_energy, strict=True):
        out[slot] = item
    return [item for item in out if item is not None]


def camelot(key: int | None, mode: float | None) -> tuple[int, str] | None:
    """The Camelot wheel position of a key (pitch class 0-11) and mode (1 major, 0 minor)."""
    if key is None or mode is None or not 0 <= key <= 11:
        return None
    major = mode >= 0.5
    tonic = key if major else (key + 3) % 12  # a minor key sits with its relative major
    number = (7 * tonic) % 12 + 8
    return (number - 1) % 12 + 1, "B" if major else "A"


def key_distance(a: Scored, b: Scored) -> float:
    """Steps on the Camelot wheel between two tracks' keys (1 when either is unknown)."""
    first, second = camelot(a.key, a.values.get("mode")), camelot(b.key, b.values.get("mode"))
    if first is None or second is None:
        return 1.0
    around = abs(first[0] - second[0]) % 12
    return min(around, 12 - around) + (0.0 if first[1] == second[1] else 1.0)


def step_cost(a: Scored, b: Scored) -> float:
    """How jarring it is to go from ``a`` to ``b``: tempo, key and energy changes together."""
    tempo = abs(scaled("tempo", a.values["tempo"]) - scaled("tempo", b.values["tempo"]))
    energy = abs(a.values["energy"] - b.values["energy"])
    return 4.0 * tempo + 0.25 * key_distance(a, b) + 2.0 * energy


def path_cost(items: Sequence[Scored]) -> float:
    """Sum of ``step_cost`` along ``items``."""
    return math.fsum(step_cost(a, b) for a, b in itertools.pairwise(items))


def smooth(items: Sequence[Scored]) -> list[Scored]:
    """An order with small steps: nearest neighbours from the calmest track, then 2-opt."""
    n = len(items)
    if n < 3:
        return sorted(items, key=lambda s: (s.values["energy"], s.track.id))
    cost = [[step_cost(a, b) for b in items] for a in items]
    remaining = sorted(range(n), key=lambda i: (items[i].values["energy"], items[i].track.id))
    chain = [remaining.pop(0)]
    while remaining:
        row = cost[chain[-1]]
        best = min(range(len(remaining)), key=lambda k: (row[remaining[k]], k))
        chain.append(remaining.pop(best))
    paths = [_two_opt(chain, cost), _two_opt(list(range(n)), cost)]
    best_path = min(paths, key=lambda path: _cost_of(path, cost))
    return [items[i] for i in best_path]


def _cost_of(path: Sequence[int], cost: Sequence[Sequence[float]]) -> float:
    return math.fsum(cost[a][b] for a, b in itertools.pairwise(path))


def _two_opt(path: list[int], cost: Sequence[Sequence[float]]) -> list[int]:
    """Reverse segments while that shortens the path (an open path: the ends are free)."""
    n = len(path)
    for _ in range(_MAX_2OPT_ROUNDS):
        improved = False
        for i in range(n - 1):
            for j in range(i + 1, n):
                before = after = 0.0
                if i > 0:
                    before += cost[path[i - 1]][path[i]]
                    after += cost[path[i - 1]][path[j]]
                if j < n - 1:
                    before += cost[path[j]][path[j + 1]]
                    after += cost[path[i]][path[j + 1]]
                if after < before - 1e-12:
                    path[i : j + 1] = path[i : j + 1][::-1]
                    improved = True
        if not improved:
            break
    return path
