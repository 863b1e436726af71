"""The refine measurement: does a refinement move a playlist the way its words say, for free?

    figures = await measure_refines(gateway, made)   # made: (request, playlist) per prompt
    figures.upbeat, figures.fewer_vocals, figures.slower, figures.warm_requests.p50

For each playlist made (its candidates cached by making it), each of ``REFINEMENTS`` is applied
to the original, one at a time, so the engine's count of upstream requests per refine is
exact. A refinement counts as moving the playlist when the mean of its features moves as
``moves`` says: "more upbeat" raises mean energy and valence, "less vocals" raises mean
instrumentalness, "slower" lowers mean tempo. Reported: the share of prompts where each
holds, and the upstream requests per refine (p50 and max).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from statistics import mean
from typing import Any, Final

from moodmix.bench.results import percentiles
from moodmix.engine.playlist import Playlist, PlaylistRequest
from moodmix.engine.revise import refine
from moodmix.reccobeats import ReccoBeats


def _mean(playlist: Playlist, name: str) -> float:
    return mean(t.features[name] for t in playlist.tracks) if playlist.tracks else 0.0


def _rose(*names: str) -> Callable[[Playlist, Playlist], bool]:
    return lambda before, after: all(_mean(after, n) > _mean(before, n) for n in names)


def _fell(name: str) -> Callable[[Playlist, Playlist], bool]:
    return lambda before, after: _mean(after, name) < _mean(before, name)


REFINEMENTS: Final[dict[str, Callable[[Playlist, Playlist], bool]]] = {
    "more upbeat": _rose("energy", "valence"),
    "less vocals": _rose("instrumentalness"),
    "slower": _fell("tempo"),
}
"""Each refinement, and whether a refined playlist moved as it asks."""
_WATCHED: Final = ("energy", "valence", "instrumentalness", "tempo")


@dataclass(frozen=True)
class RefineFigures:
    prompts: int
    upbeat: float
    """Share of prompts where "more upbeat" raised mean energy and valence."""
    fewer_vocals: float
    """Share where "less vocals" raised mean instrumentalness."""
    slower: float
    """Share where "slower" lowered mean tempo."""
    warm_requests_p50: float
    warm_requests_max: float
    """Upstream requests per refine of a playlist whose candidates are cached."""
    failed: int = 0
    per_prompt: list[dict[str, Any]] = field(default_factory=list)


async def measure_refines(
    gateway: ReccoBeats, made: Sequence[tuple[PlaylistRequest, Playlist]]
) -> RefineFigures:
    """Every refinement of every playlist in ``made``, one at a time."""
    moved = {text: 0 for text in REFINEMENTS}
    requests: list[float] = []
    failed = 0
    rows = []
    for request, playlist in made:
        asked = replace(request, profile=playlist.profile)  # the profile its pool came from
        row: dict[str, Any] = {"prompt": request.prompt}
        for text, check in REFINEMENTS.items():
            try:
                step = await refine(gateway, playlist, asked, text)
            except ValueError as exc:
                failed += 1
                row[text] = {"error": str(exc)}
                continue
            requests.append(step.playlist.upstream_requests)
            ok = check(playlist, step.playlist)
            moved[text] += ok
            row[text] = {
                "moved": ok,
                "upstream_requests": step.playlist.upstream_requests,
                "change": step.change,
                **{
                    name: [round(_mean(playlist, name), 3), round(_mean(step.playlist, name), 3)]
                    for name in _WATCHED
                },
            }
        rows.append(row)
    count = max(1, len(made))
    spread = percentiles(requests)
    return RefineFigures(
        prompts=len(made),
        upbeat=moved["more upbeat"] / count,
        fewer_vocals=moved["less vocals"] / count,
        slower=moved["slower"] / count,
        warm_requests_p50=spread.p50,
        warm_requests_max=spread.max,
        failed=failed,
        per_prompt=rows,
    )
