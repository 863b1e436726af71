"""What a signed-in listener leaves out of every playlist, remembered between requests.

::

    store = ListenerExclusions(db)
    await store.put(listener_id, {"exclude_artists": ["Coldplay"], "explicit": False})
    await store.get(listener_id)            # the stored fields ({} before any are stored)
    merged(stored, request_fields)          # both: lists joined, the stricter limit kept

Fields are the engine's (``exclude_artists``, ``exclude_tracks``, ``explicit``,
``max_track_s``, ``years``); only those that differ from the defaults are stored, so a
request with no exclusions keeps its shape (and its ``request_key``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from moodmix.service.db import Database
from moodmix.service.models import ListenerExclusionsRow, utcnow

Json = dict[str, Any]


class ListenerExclusions:
    """The ``listener_exclusions`` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, listener_id: str) -> Json:
        async with self._db.session() as session:
            row = await session.get(ListenerExclusionsRow, listener_id)
            return dict(row.exclusions) if row is not None else {}

    async def put(self, listener_id: str, fields: Json) -> Json:
        """Store ``fields`` (already validated) in place of what was stored; ``{}`` forgets."""
        async with self._db.session() as session, session.begin():
            if not fields:
                await session.execute(
                    delete(ListenerExclusionsRow).where(
                        ListenerExclusionsRow.listener_id == listener_id
                    )
                )
                return {}
            row = await session.get(ListenerExclusionsRow, listener_id)
            if row is None:
                session.add(
                    ListenerExclusionsRow(
                        listener_id=listener_id, exclusions=dict(fields), updated_at=utcnow()
                    )
                )
            else:
                row.exclusions = dict(fields)
                row.updated_at = utcnow()
        return dict(fields)


def merged(stored: Json, fields: Json) -> Json:
    """``fields`` (a request, by the engine's names) with ``stored`` exclusions added: lists
    joined, explicit left out if either says so, the shorter longest track, the years the
    request gives (else the stored ones)."""
    if not stored:
        return fields
    out = dict(fields)
    for name in ("exclude_artists", "exclude_tracks"):
        joined = list(dict.fromkeys([*(fields.get(name) or []), *(stored.get(name) or [])]))
        if joined:
            out[name] = joined
    if stored.get("explicit") is False:
        out["explicit"] = False
    limits = [v for v in (fields.get("max_track_s"), stored.get("max_track_s")) if v is not None]
    if limits:
        out["max_track_s"] = min(limits)
    if fields.get("years") is None and stored.get("years") is not None:
        out["years"] = list(stored["years"])
    return out
