"""The versions of a playlist: every change makes a new one, kept and numbered; undo and redo.

::

    versions = PlaylistVersions(db)
    row = await versions.commit(id, base=row.version, playlist=json, change="removed 'X'")
    row = await versions.undo(id, base=row.version)        # back to the version it came from
    row = await versions.redo(id, base=row.version)        # forward again
    await versions.all(id)                                 # every version, oldest first
    row = await versions.begin(id, base=row.version, revision={...}, owner=me, ...)  # a job
    row = await versions.finish(id, owner=me, playlist=json, change="refined: ...", ...)

Version 1 is the first draft (stored when the job that made it finishes); each change makes
version ``n + 1`` from the version shown now (its ``parent``). Nothing is ever dropped. Undo
shows the parent of the version shown; redo shows the newest version made from it. So after
an undo, a new change branches off: redo then leads to that new change, and the undone
version stays kept (``GET /v1/playlists/{id}/versions/{n}`` reads it).

Every write is one transaction that first moves the playlist row with a compare-and-set on
the version it was based on (and ``status = 'done'``): of two changes based on the same
version, on any instances, one wins and the other gets ``VersionConflict`` (the unique
``(playlist_id, number)`` key backs this up), so no version is lost.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from moodmix.service.db import Database
from moodmix.service.models import (
    DONE,
    QUEUED,
    UNFINISHED,
    PlaylistRow,
    PlaylistVersionRow,
    utcnow,
)

Json = dict[str, Any]

FIRST_CHANGE = "made from the prompt"


class VersionConflict(Exception):
    """The playlist changed (or is being changed) since the version a change was based on."""


class NoVersion(LookupError):
    """There is no version to go to (nothing to undo or redo)."""


def stamped(playlist: Json, number: int) -> Json:
    """The playlist JSON with its version number in it."""
    return {**playlist, "version": number}


class PlaylistVersions:
    """The ``playlist_versions`` table and the playlist row's current version, through ``db``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def all(self, id: str) -> list[PlaylistVersionRow]:
        query = (
            select(PlaylistVersionRow)
            .where(PlaylistVersionRow.playlist_id == id)
            .order_by(PlaylistVersionRow.number)
        )
        async with self._db.session() as session:
            return list((await session.scalars(query)).all())

    async def get(self, id: str, number: int) -> PlaylistVersionRow | None:
        async with self._db.session() as session:
            return await session.get(PlaylistVersionRow, (id, number))

    async def commit(self, id: str, *, base: int, playlist: Json, change: str) -> PlaylistRow:
        """Make ``playlist`` version ``n + 1`` of the finished playlist shown at ``base``."""
        async with self._db.session() as session, session.begin():
            number = await _next_number(session, id)
            await _move(session, id, base, {"version": number, "result": stamped(playlist, number)})
            await _insert(session, id, number, base, playlist, change)
        return await self._row(id)

    async def undo(self, id: str, *, base: int) -> PlaylistRow:
        """Show the version ``base`` was made from; ``NoVersion`` at the first."""
        async with self._db.session() as session, session.begin():
            current = await session.get(PlaylistVersionRow, (id, base))
            if current is None or current.parent is None:
                raise NoVersion("nothing to undo: this is the first version")
            await self._show(session, id, base, current.parent)
        return await self._row(id)

    async def redo(self, id: str, *, base: int) -> PlaylistRow:
        """Show the newest version made from ``base``; ``NoVersion`` if there is none."""
        query = select(func.max(PlaylistVersionRow.number)).where(
            PlaylistVersionRow.playlist_id == id, PlaylistVersionRow.parent == base
        )
        async with self._db.session() as session, session.begin():
            child = (await session.execute(query)).scalar()
            if child is None:
                raise NoVersion("nothing to redo: no change was made from this version")
            await self._show(session, id, base, int(child))
        return await self._row(id)

    async def begin(
        self,
        id: str,
        *,
        base: int,
        revision: Json,
        request: Json,
        owner: str | None,
        progress: Json,
    ) -> PlaylistRow:
        """Queue a job making ``revision`` to the finished playlist shown at ``base``: the row
        is ``queued`` again (held by ``owner``, or by nobody for a worker to adopt), its
        ``result`` still the version shown; ``request`` becomes its amended request."""
        now = utcnow()
        values: Json = {
            "status": QUEUED,
            "revision": {**revision, "base": base},
            "amended_request": request,
            "owner": owner,
            "heartbeat_at": now,
            "progress": progress,
            "attempts": 0,
            "error": None,
            "note": None,
        }
        async with self._db.session() as session, session.begin():
            await _move(session, id, base, values)
        return await self._row(id)

    async def finish(
        self, id: str, *, owner: str, playlist: Json, change: str, progress: Json
    ) -> PlaylistRow | None:
        """Store what ``owner``'s job made, as the next version: ``done`` again; ``None`` if
        the job is no longer ``owner``'s."""
        now = utcnow()
        async with self._db.session() as session, session.begin():
            row = await _held(session, id, owner)
            if row is None or row.revision is None:
                return None
            base = int(row.revision["base"])
            number = await _next_number(session, id)
            row.status, row.result, row.version = DONE, stamped(playlist, number), number
            row.revision, row.owner, row.progress, row.error = None, None, progress, None
            row.finished_at = row.updated_at = now
            row.request_key = None  # no longer what an identical request would make
            await _insert(session, id, number, base, playlist, change)
        return await self._row(id)

    async def abandon(
        self, id: str, *, owner: str, error: Json, progress: Json
    ) -> PlaylistRow | None:
        """``owner``'s job could not make its change: ``done`` again at the version it was
        based on, with ``error`` saying why; ``None`` if the job is no longer ``owner``'s."""
        now = utcnow()
        async with self._db.session() as session, session.begin():
            row = await _held(session, id, owner)
            if row is None or row.revision is None:
                return None
            row.status, row.revision, row.owner = DONE, None, None
            row.progress, row.error, row.updated_at = progress, error, now
        return await self._row(id)

    async def _show(self, session: AsyncSession, id: str, base: int, number: int) -> None:
        target = await session.get(PlaylistVersionRow, (id, number))
        if target is None:
            raise NoVersion(f"there is no version {number}")
        await _move(
            session, id, base, {"version": number, "result": stamped(target.playlist, number)}
        )

    async def _row(self, id: str) -> PlaylistRow:
        async with self._db.session() as session:
            row = await session.get(PlaylistRow, id)
        if row is None:
            raise VersionConflict(f"playlist {id!r} was deleted meanwhile")
        return row


def first_version(id: str, playlist: Json, at: datetime) -> PlaylistVersionRow:
    """The first draft as version 1 (added in the transaction that finishes its job)."""
    return PlaylistVersionRow(
        playlist_id=id,
        number=1,
        parent=None,
        playlist=stamped(playlist, 1),
        change=FIRST_CHANGE,
        created_at=at,
    )


async def _next_number(session: AsyncSession, id: str) -> int:
    query = select(func.max(PlaylistVersionRow.number)).where(PlaylistVersionRow.playlist_id == id)
    return int((await session.execute(query)).scalar() or 0) + 1


async def _move(session: AsyncSession, id: str, base: int, values: Json) -> None:
    """Compare-and-set: change the finished row only if it still shows version ``base``."""
    statement = (
        update(PlaylistRow)
        .where(PlaylistRow.id == id, PlaylistRow.status == DONE, PlaylistRow.version == base)
        .values(**values, request_key=None, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    if not getattr(result, "rowcount", 0):
        raise VersionConflict(
            f"the playlist changed since version {base} (or a change is being made); "
            "read it again and retry"
        )


async def _insert(
    session: AsyncSession, id: str, number: int, parent: int, playlist: Json, change: str
) -> None:
    session.add(
        PlaylistVersionRow(
            playlist_id=id,
            number=number,
            parent=parent,
            playlist=stamped(playlist, number),
            change=change,
            created_at=utcnow(),
        )
    )
    try:
        await session.flush()
    except IntegrityError:
        raise VersionConflict(f"version {number} was made meanwhile; read it again") from None


async def _held(session: AsyncSession, id: str, owner: str) -> PlaylistRow | None:
    query = (
        select(PlaylistRow)
        .where(PlaylistRow.id == id, PlaylistRow.owner == owner, PlaylistRow.status.in_(UNFINISHED))
        .with_for_update()
    )
    return (await session.scalars(query)).first()
