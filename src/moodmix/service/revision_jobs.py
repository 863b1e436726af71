"""The change a revision job makes: a refine or an extend of a finished playlist's version.

::

    revised = await make_revision(gateway, repo, row, on_progress)
    revised.playlist, revised.change     # the new version, "added 10 like these"

``row.revision`` says the change (``{"op": "refine", "text": ...}`` or ``{"op": "extend",
"count": n}``), ``row.result`` holds the version it is made to, and the request is the one
``stored_requests.revision_request`` gives. ``JobRunner`` runs it as a job and stores the
new version; ``ValueError`` (a ``RevisionError``) when the change cannot be made.
"""

from __future__ import annotations

from collections.abc import Callable

from moodmix.engine.progress import Progress
from moodmix.engine.revise import extend, refine
from moodmix.engine.revised import Revised
from moodmix.engine.stored import playlist_from_json
from moodmix.reccobeats.gateway import ReccoBeats
from moodmix.service.models import PlaylistRow
from moodmix.service.repository import PlaylistRepository
from moodmix.service.stored_requests import current_request, revision_request


async def make_revision(
    gateway: ReccoBeats,
    repo: PlaylistRepository,
    row: PlaylistRow,
    on_progress: Callable[[Progress], None],
) -> Revised:
    """Make the change ``row.revision`` asks for to the version ``row.result`` holds."""
    change = row.revision or {}
    playlist = playlist_from_json(row.result or {})
    request = await revision_request(repo, row)
    if change.get("op") == "refine":
        text = str(change.get("text") or "")
        excluded = [str(a) for a in current_request(row).get("exclude_artists") or ()]
        return await refine(
            gateway,
            playlist,
            request,
            text,
            exclude_artists=excluded,
            on_progress=on_progress,
        )
    if change.get("op") == "extend":
        count = int(change.get("count") or 0)
        return await extend(gateway, playlist, request, count, on_progress=on_progress)
    raise ValueError(f"unknown change {change.get('op')!r}")
