"""The refine measurement: does a refinement move a playlist the way its words say, for free?

    rows = [await refine_each(gateway, request, playlist)]   # right after making it
    figures = refine_figures(rows)
    figures.upbeat, figures.fewer_vocals, figures.slower, figures.warm_requests_p50

Right after a playlist is made (its candidates cached by making it, and still fresh however
fast the bench runs its clock), each of ``REFINEMENTS`` is applied to it, one at a time, so
the engine's count of upstream requests per refine is exact. A refinement counts as moving
the playlist when the mean of its features moves as it asks: "more upbeat" raises mean energy
and valence, "less vocals" raises mean instrumentalness, "slower" lowers mean tempo. Reported:
the share of prompts where each holds, and the upstream requests per refine (p50 and max).
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


async def refine_each(
    gateway: ReccoBeats, request: PlaylistRequest, playlist: Playlist
) -> dict[str, Any]:
    """Each of ``REFINEMENTS`` applied to ``playlist`` (made for ``request`` just before, so
    its candidates are cached), one at a time: whether it moved, its cost and its change."""
    asked = replace(request, profile=playlist.profile)  # the profile its pool came from
    row: dict[str, Any] = {"prompt": request.prompt}
    for text, check in REFINEMENTS.items():
        try:
            step = await refine(gateway, playlist, asked, text)
        except ValueError as exc:
            row[text] = {"error": str(exc)}
            continue
        row[text] = {
            "moved": check(playlist, step.playlist),
            "upstream_requests": step.playlist.upstream_requests,
            "change": step.change,
            **{
                name: [round(_mean(playlist, name), 3), round(_mean(step.playlist, name), 3)]
                for name in _WATCHED
            },
        }
    return row


def refine_figures(rows: Sequence[dict[str, Any]]) -> RefineFigures:
    """The shares and costs over the rows of ``refine_each``."""
    count = max(1, len(rows))
    steps = [row[text] for row in rows for text in REFINEMENTS]
    spread = percentiles([s["upstream_requests"] for s in steps if "error" not in s])

    def share(text: str) -> float:
        return sum(bool(row[text].get("moved")) for row in rows) / count

    return RefineFigures(
        prompts=len(rows),
        upbeat=share("more upbeat"),
        fewer_vocals=share("less vocals"),
        slower=share("slower"),
        warm_requests_p50=spread.p50,
        warm_requests_max=spread.max,
        failed=sum("error" in s for s in steps),
        per_prompt=list(rows),
    )
