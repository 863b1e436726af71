"""A playlist's stored request, and the engine's request made from it.

::

    request = engine_request(row.request)          # ValueError if it is not acceptable
    current_request(row)                           # as changes amended it: what a change reads
    request = await revision_request(repo, row)    # the profile of the first draft's pool

A playlist stores its request by the engine's field names (``schemas.PlaylistIn.
engine_fields``); a change may amend it (a refine's exclusions), and revisions keep drawing on
the candidates the first version was made from, so they are asked for its profile.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from moodmix.engine.playlist import PlaylistRequest
from moodmix.engine.stored import profile_from_json
from moodmix.service.models import PlaylistRow
from moodmix.service.repository import PlaylistRepository

Json = dict[str, Any]


def engine_request(stored: Json) -> PlaylistRequest:
    """The engine's request for a stored one; ``ValueError`` if it is not acceptable."""
    return PlaylistRequest(
        prompt=stored["prompt"],
        seeds=tuple(stored.get("seeds") or ()),
        size=stored.get("size") or 30,
        duration_s=stored.get("duration_s"),
        order=stored.get("order") or "arc",
        exclude_artists=tuple(stored.get("exclude_artists") or ()),
        exclude_tracks=tuple(stored.get("exclude_tracks") or ()),
        explicit=stored.get("explicit", True),
        max_track_s=stored.get("max_track_s"),
        years=None if stored.get("years") is None else tuple(stored["years"]),
    )


def current_request(row: PlaylistRow) -> Json:
    """The stored request of ``row`` as changes amended it (its request as made, if none did)."""
    return row.amended_request or row.request


async def revision_request(repo: PlaylistRepository, row: PlaylistRow) -> PlaylistRequest:
    """The engine's request for revising ``row``: its current request, with the profile its
    candidates were asked for (the first version's), so revisions draw on that cached pool."""
    request = engine_request(current_request(row))
    first = await repo.versions.get(row.id, 1)
    if first is None or not isinstance(first.playlist.get("profile"), dict):
        return request
    return replace(request, profile=profile_from_json(first.playlist["profile"]))
