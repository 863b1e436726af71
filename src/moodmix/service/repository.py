"""Reads and writes of playlist rows, each one short transaction.

Every change of a job's state is one atomic ``UPDATE ... WHERE`` that checks the state it
expects, so two service instances sharing a database never both run a job::

    repo = PlaylistRepository(db)
    row = await repo.create(new_id(), client="ip:127.0.0.1", request={...}, owner=me)
    if await repo.start(row.id, owner=me):
        ...
        await repo.finish(row.id, owner=me, result=playlist.to_json(), progress=last)
    rows, more = await repo.page(account="public", limit=20)

A row created with ``idempotency_key`` is unique per client: a second ``create`` with the
same pair raises ``DuplicateKey``, and ``by_idempotency_key`` finds the first. A row created
with ``slots=n`` takes one of its client's ``n`` job slots until it is done or failed, or
``create`` raises ``TooManyJobs``: the unique index on ``(client, slot)`` enforces the cap
however many requests race, on however many instances::

    await repo.create(new_id(), client="key:1a2b", request={...}, owner=me, slots=5)
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy import delete as sa_delete
from sqlalchemy.exc import IntegrityError

from moodmix.service.db import Database
from moodmix.service.models import (
    DONE,
    FAILED,
    PUBLIC,
    QUEUED,
    RUNNING,
    UNFINISHED,
    PlaylistRow,
    PlaylistVersionRow,
    ShareLinkRow,
    SpotifySaveRow,
    utcnow,
)
from moodmix.service.versions import PlaylistVersions, first_version, stamped

Json = dict[str, Any]
Cursor = tuple[datetime, str]


class DuplicateKey(Exception):
    """The client already sent this ``Idempotency-Key``: ``by_idempotency_key`` finds it."""


class TooManyJobs(Exception):
    """Every one of the client's job slots is held by a playlist in progress."""


class SlotTaken(Exception):
    """Another request took the slot between reading the free ones and inserting."""


def new_id() -> str:
    """A fresh playlist id: 16 URL-safe characters, unguessable."""
    return secrets.token_urlsafe(12)


class PlaylistRepository:
    """The ``playlists`` table, through ``db``."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.versions = PlaylistVersions(db)
        """The playlists' versions (``versions.PlaylistVersions``)."""

    async def create(
        self,
        id: str,
        *,
        client: str,
        request: Json,
        owner: str | None,
        progress: Json | None = None,
        request_key: str | None = None,
        idempotency_key: str | None = None,
        slots: int | None = None,
        account: str = PUBLIC,
    ) -> PlaylistRow:
        """Store a new queued playlist owned by ``owner``; ``request_key`` finds it again
        for an identical request (``results.request_key``). ``owner=None`` leaves it for any
        instance to adopt; ``account`` is whose playlist it is. ``DuplicateKey`` if the
        client used ``idempotency_key`` before; with ``slots``, ``TooManyJobs`` if the client
        has that many in progress."""
        values: Json = {
            "id": id,
            "status": QUEUED,
            "client": client,
            "account": account,
            "request": request,
            "request_key": request_key,
            "idempotency_key": idempotency_key,
            "progress": progress,
            "attempts": 0,
            "owner": owner,
        }
        if slots is None:
            return await self._insert(values, slot=None)
        for _ in range(2 * slots + 2):  # each lost race means another request took a slot
            free = sorted(set(range(slots)) - await self._slots_held(client))
            if not free:
                break
            try:
                return await self._insert(values, slot=random.choice(free))
            except SlotTaken:
                continue
        raise TooManyJobs(client)

    async def _insert(self, values: Json, *, slot: int | None) -> PlaylistRow:
        now = utcnow()
        row = PlaylistRow(**values, slot=slot, heartbeat_at=now, created_at=now, updated_at=now)
        try:
            async with self._db.session() as session, session.begin():
                session.add(row)
        except IntegrityError:
            key = row.idempotency_key
            if key is not None and await self.by_idempotency_key(row.client, key):
                raise DuplicateKey(key) from None
            if slot is None:
                raise
            raise SlotTaken(slot) from None
        return row

    async def _slots_held(self, client: str) -> set[int]:
        query = select(PlaylistRow.slot).where(
            PlaylistRow.client == client, PlaylistRow.slot.is_not(None)
        )
        async with self._db.session() as session:
            return {slot for slot in (await session.scalars(query)).all() if slot is not None}

    async def by_idempotency_key(self, client: str, key: str) -> PlaylistRow | None:
        """The row ``client`` created with ``Idempotency-Key: key``, if any."""
        query = select(PlaylistRow).where(
            PlaylistRow.client == client, PlaylistRow.idempotency_key == key
        )
        async with self._db.session() as session:
            return (await session.scalars(query)).first()

    async def get(self, id: str) -> PlaylistRow | None:
        async with self._db.session() as session:
            return await session.get(PlaylistRow, id)

    async def latest_for_key(
        self, request_key: str, *, finished_after: datetime
    ) -> PlaylistRow | None:
        """The newest row for ``request_key`` that is done since ``finished_after``, else the
        newest one still queued or running; ``None`` if there is neither."""
        query = (
            select(PlaylistRow)
            .where(
                PlaylistRow.request_key == request_key,
                or_(
                    PlaylistRow.status.in_(UNFINISHED),
                    and_(PlaylistRow.status == DONE, PlaylistRow.finished_at >= finished_after),
                ),
            )
            .order_by(case((PlaylistRow.status == DONE, 0), else_=1), PlaylistRow.created_at.desc())
            .limit(1)
        )
        async with self._db.session() as session:
            return (await session.scalars(query)).first()

    async def page(
        self,
        *,
        account: str,
        limit: int,
        cursor: Cursor | None = None,
        status: str | None = None,
        search: str | None = None,
    ) -> tuple[list[PlaylistRow], bool]:
        """Up to ``limit`` of ``account``'s rows, newest first, after ``cursor``, whose prompt
        contains ``search`` (any case) if given; and whether more follow."""
        query = (
            select(PlaylistRow)
            .where(PlaylistRow.account == account)
            .order_by(PlaylistRow.created_at.desc(), PlaylistRow.id.desc())
        )
        if cursor is not None:
            at, last_id = cursor
            query = query.where(
                or_(
                    PlaylistRow.created_at < at,
                    and_(PlaylistRow.created_at == at, PlaylistRow.id < last_id),
                )
            )
        if status is not None:
            query = query.where(PlaylistRow.status == status)
        if search:
            prompt = func.lower(PlaylistRow.request["prompt"].as_string())
            query = query.where(prompt.contains(search.lower(), autoescape=True))
        async with self._db.session() as session:
            rows = list((await session.scalars(query.limit(limit + 1))).all())
        return rows[:limit], len(rows) > limit

    async def delete(self, id: str, account: str) -> bool:
        """Delete ``account``'s finished playlist ``id`` with its share links and saves;
        ``False`` if there is no such finished playlist of theirs."""
        async with self._db.session() as session, session.begin():
            row = await session.get(PlaylistRow, id)
            if row is None or row.account != account or row.status not in (DONE, FAILED):
                return False
            await session.execute(sa_delete(ShareLinkRow).where(ShareLinkRow.playlist_id == id))
            await session.execute(sa_delete(SpotifySaveRow).where(SpotifySaveRow.playlist_id == id))
            await session.execute(
                sa_delete(PlaylistVersionRow).where(PlaylistVersionRow.playlist_id == id)
            )
            await session.delete(row)
        return True

    async def counts(self) -> dict[str, int]:
        """Rows per status."""
        query = select(PlaylistRow.status, func.count()).group_by(PlaylistRow.status)
        async with self._db.session() as session:
            return {status: int(n) for status, n in (await session.execute(query)).all()}

    async def start(self, id: str, *, owner: str) -> PlaylistRow | None:
        """Mark the owned, unfinished row ``running`` and count the attempt; the row after, or
        ``None`` if it is no longer ``owner``'s to run."""
        now = utcnow()
        values: dict[str, Any] = {
            "status": RUNNING,
            "attempts": PlaylistRow.attempts + 1,
            "heartbeat_at": now,
            "updated_at": now,
            "started_at": func.coalesce(PlaylistRow.started_at, now),
        }
        return await self._change(id, owner, values)

    async def adopt(
        self, id: str, *, owner: str, stale_before: datetime, lapsed_note: str | None = None
    ) -> bool:
        """Take over an unfinished row nobody holds: released at shutdown, or whose owner
        stopped heartbeating before ``stale_before`` (then its ``note`` becomes
        ``lapsed_note``, if given, saying why it starts again). True if it is now ``owner``'s."""
        now = utcnow()
        note: Any = PlaylistRow.note
        if lapsed_note is not None:
            note = case((PlaylistRow.owner.is_not(None), lapsed_note), else_=PlaylistRow.note)
        statement = (
            update(PlaylistRow)
            .where(
                PlaylistRow.id == id,
                PlaylistRow.status.in_(UNFINISHED),
                or_(PlaylistRow.owner.is_(None), PlaylistRow.heartbeat_at < stale_before),
            )
            .values(owner=owner, heartbeat_at=now, updated_at=now, note=note)
        )
        async with self._db.session() as session, session.begin():
            result = await session.execute(statement)
        return bool(getattr(result, "rowcount", 0))

    async def orphans(self, *, stale_before: datetime, limit: int = 100) -> list[str]:
        """Ids of unfinished rows nobody holds, oldest first."""
        query = (
            select(PlaylistRow.id)
            .where(
                PlaylistRow.status.in_(UNFINISHED),
                or_(PlaylistRow.owner.is_(None), PlaylistRow.heartbeat_at < stale_before),
            )
            .order_by(PlaylistRow.created_at)
            .limit(limit)
        )
        async with self._db.session() as session:
            return list((await session.scalars(query)).all())

    async def heartbeat(
        self, *, owner: str, ids: Sequence[str], progress: Mapping[str, Json]
    ) -> None:
        """Renew ``owner``'s claim on the rows ``ids``; store the progress given."""
        if not ids:
            return
        now = utcnow()
        async with self._db.session() as session, session.begin():
            await session.execute(
                update(PlaylistRow)
                .where(
                    PlaylistRow.owner == owner,
                    PlaylistRow.id.in_(ids),
                    PlaylistRow.status.in_(UNFINISHED),
                )
                .values(heartbeat_at=now)
            )
            for id, event in progress.items():
                await session.execute(
                    update(PlaylistRow)
                    .where(PlaylistRow.id == id, PlaylistRow.owner == owner)
                    .values(progress=event, updated_at=now)
                )

    async def finish(
        self, id: str, *, owner: str, result: Json, progress: Json
    ) -> PlaylistRow | None:
        """Store the playlist: ``done``, as its version 1 (``versions.first_version``)."""
        now = utcnow()
        values = {
            "status": DONE,
            "slot": None,
            "result": stamped(result, 1),
            "version": 1,
            "progress": progress,
            "error": None,
            "owner": None,
            "finished_at": now,
            "updated_at": now,
        }
        statement = (
            update(PlaylistRow)
            .where(
                PlaylistRow.id == id,
                PlaylistRow.owner == owner,
                PlaylistRow.status.in_(UNFINISHED),
                PlaylistRow.version == 0,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        async with self._db.session() as session, session.begin():
            changed = await session.execute(statement)
            if not getattr(changed, "rowcount", 0):
                return None
            session.add(first_version(id, result, now))
            await session.flush()
            return await session.get(PlaylistRow, id, populate_existing=True)

    async def fail(self, id: str, *, owner: str, error: Json, progress: Json) -> PlaylistRow | None:
        """Store why the job failed: ``failed``."""
        now = utcnow()
        values = {
            "status": FAILED,
            "slot": None,
            "error": error,
            "progress": progress,
            "owner": None,
            "finished_at": now,
            "updated_at": now,
        }
        return await self._change(id, owner, values)

    async def release(self, id: str, *, owner: str, progress: Json, note: str) -> None:
        """Give the row back as ``queued`` with nobody holding it: the next instance that
        sweeps picks it up again."""
        values = {
            "status": QUEUED,
            "owner": None,
            "progress": progress,
            "note": note,
            "updated_at": utcnow(),
        }
        await self._change(id, owner, values)

    async def _change(self, id: str, owner: str, values: Mapping[str, Any]) -> PlaylistRow | None:
        statement = (
            update(PlaylistRow)
            .where(
                PlaylistRow.id == id,
                PlaylistRow.owner == owner,
                PlaylistRow.status.in_(UNFINISHED),
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        async with self._db.session() as session, session.begin():
            result = await session.execute(statement)
            if not getattr(result, "rowcount", 0):
                return None
            return await session.get(PlaylistRow, id, populate_existing=True)


def stale_before(lease_s: float) -> datetime:
    """The heartbeat time before which a claim counts as abandoned."""
    return utcnow() - timedelta(seconds=lease_s)
