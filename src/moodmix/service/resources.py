"""How a stored playlist looks over HTTP: one JSON shape for the API, the events and the page.

::

    playlist_json(row)                 # {"id", "status", "version", "playlist", ...}
    playlist_json(row, live=("running", {"stage": "scoring", ...}))   # fresher progress
    summary_json(row)                  # the short form used in lists
    shared_json(row, token)            # the full resource as a share link shows it
    share_link_json(link)              # {"token", "url", "created_at"}
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from moodmix.service.models import PlaylistRow, ShareLinkRow

Json = dict[str, Any]


def links(id: str) -> dict[str, str]:
    return {
        "self": f"/v1/playlists/{id}",
        "events": f"/v1/playlists/{id}/events",
        "versions": f"/v1/playlists/{id}/versions",
    }


def request_json(stored: Json) -> Json:
    """The request as the client phrased it (``duration`` in seconds)."""
    return {
        "prompt": stored.get("prompt"),
        "seeds": list(stored.get("seeds") or []),
        "size": stored.get("size"),
        "duration": stored.get("duration_s"),
        "order": stored.get("order"),
        "exclude_artists": list(stored.get("exclude_artists") or []),
        "exclude_tracks": list(stored.get("exclude_tracks") or []),
        "explicit": stored.get("explicit", True),
        "max_track_seconds": stored.get("max_track_s"),
        "years": stored.get("years"),
    }


def playlist_json(row: PlaylistRow, *, live: tuple[str, Json] | None = None) -> Json:
    """The full resource; ``live`` is ``(status, progress)`` from the instance running it."""
    status, progress = live if live is not None else (row.status, row.progress)
    if row.status in ("done", "failed"):
        status, progress = row.status, row.progress
    return {
        "id": row.id,
        "status": status,
        "request": request_json(row.request),
        "progress": progress,
        "attempts": row.attempts,
        "note": row.note,
        "error": row.error,
        "playlist": row.result,
        "name": (row.result or {}).get("name"),
        "description": (row.result or {}).get("description"),
        "version": row.version,
        "change": _pending(row.revision),
        "created_at": _iso(row.created_at),
        "updated_at": _iso(row.updated_at),
        "started_at": _iso(row.started_at),
        "finished_at": _iso(row.finished_at),
        "links": links(row.id),
    }


def shared_url(token: str) -> str:
    return f"/v1/shared/{token}"


def shared_json(row: PlaylistRow, token: str) -> Json:
    """The resource read through a share link: links point at the link, not the playlist."""
    return {**playlist_json(row), "links": {"self": shared_url(token), "events": None}}


def share_link_json(link: ShareLinkRow) -> Json:
    return {
        "token": link.token,
        "url": shared_url(link.token),
        "created_at": _iso(link.created_at),
    }


def summary_json(row: PlaylistRow) -> Json:
    """The short form for lists: no tracks, just how many."""
    tracks = (row.result or {}).get("tracks")
    name = (row.result or {}).get("name")
    return {
        "id": row.id,
        "status": row.status,
        "prompt": row.request.get("prompt"),
        "name": name if isinstance(name, str) else None,
        "tracks": len(tracks) if isinstance(tracks, list) else None,
        "created_at": _iso(row.created_at),
        "finished_at": _iso(row.finished_at),
        "links": links(row.id),
    }


def _pending(revision: Json | None) -> Json | None:
    """The change a job is making, as the client asked for it."""
    if revision is None:
        return None
    return {k: v for k, v in revision.items() if k in ("op", "text", "count", "base")}


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat().replace("+00:00", "Z")
