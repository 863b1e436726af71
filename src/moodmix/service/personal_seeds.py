"""Seeds that stand for the signed-in listener's own taste: ``me:top[:short|medium|long]``.

::

    seeds = await personal_seeds(request, service, ["me:top:short", "00aqkszH1FdUiJJWvX6iEl"])
    # the listener's five most played tracks of the last weeks, then the track given
"""

from __future__ import annotations

from typing import Final

from fastapi import Request

from moodmix.engine.playlist import MAX_EXPLICIT_SEEDS
from moodmix.service.deps import current_listener
from moodmix.service.errors import ServiceError
from moodmix.service.runtime import Service
from moodmix.service.schemas import PERSONAL_SEED
from moodmix.spotify import SpotifyError, TimeRange

_TIME_RANGES: Final[dict[str, TimeRange]] = {
    "short": "short_term",
    "medium": "medium_term",
    "long": "long_term",
}


async def personal_seeds(request: Request, service: Service, seeds: list[str]) -> list[str]:
    """``seeds`` with each ``me:top[:range]`` replaced by the signed-in listener's top tracks."""
    personal = [PERSONAL_SEED.fullmatch(seed.strip()) for seed in seeds]
    if not any(personal):
        return seeds
    who = await current_listener(request, service)
    if service.listeners is None or who is None:
        raise ServiceError(
            401, "signed_out", "me:top seeds are your own top tracks: sign in with Spotify first"
        )
    expanded: list[str] = []
    for seed, match in zip(seeds, personal, strict=True):
        if match is None:
            expanded.append(seed)
            continue
        time_range = _TIME_RANGES[match.group(1) or "medium"]
        try:
            expanded += await service.listeners.top_tracks(who, time_range)
        except SpotifyError as exc:
            raise ServiceError(
                503,
                "spotify_unavailable",
                f"your top tracks could not be read: {exc.message}",
                retry_after=getattr(exc, "retry_after", None) or 5,
            ) from None
    return list(dict.fromkeys(expanded))[:MAX_EXPLICIT_SEEDS]
