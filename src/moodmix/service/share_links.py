"""Read-only links to a playlist, made and revoked by the account it belongs to.

A playlist is visible only to its account; a share link lets anyone holding its URL read it
(``GET /v1/shared/{token}``), and nothing more, until the account revokes it::

    links = ShareLinks(db)
    link = await links.create("k3J9x", account="key:1a2b3c")   # link.token: 32 random bytes
    row = await links.resolve(link.token)                     # the PlaylistRow, or None
    await links.revoke("k3J9x", link.token, account="key:1a2b3c")   # True if it was live
    await links.of("k3J9x")                                   # the live links, newest first

The token is 256 random bits (``secrets.token_urlsafe``): unguessable, like the URL of an
unlisted document.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select, update

from moodmix.service.db import Database
from moodmix.service.models import PlaylistRow, ShareLinkRow, utcnow


def new_token() -> str:
    """A fresh share token: 43 URL-safe characters."""
    return secrets.token_urlsafe(32)


class ShareLinks:
    """The ``share_links`` table, through ``db``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, playlist_id: str, *, account: str) -> ShareLinkRow:
        """A new live link to ``playlist_id`` (whose account the caller has checked)."""
        link = ShareLinkRow(
            token=new_token(), playlist_id=playlist_id, account=account, created_at=utcnow()
        )
        async with self._db.session() as session, session.begin():
            session.add(link)
        return link

    async def of(self, playlist_id: str) -> list[ShareLinkRow]:
        """The live links to ``playlist_id``, newest first."""
        query = (
            select(ShareLinkRow)
            .where(ShareLinkRow.playlist_id == playlist_id, ShareLinkRow.revoked_at.is_(None))
            .order_by(ShareLinkRow.created_at.desc())
        )
        async with self._db.session() as session:
            return list((await session.scalars(query)).all())

    async def resolve(self, token: str) -> PlaylistRow | None:
        """The playlist a live link points to, or ``None``."""
        query = (
            select(PlaylistRow)
            .join(ShareLinkRow, ShareLinkRow.playlist_id == PlaylistRow.id)
            .where(ShareLinkRow.token == token, ShareLinkRow.revoked_at.is_(None))
        )
        async with self._db.session() as session:
            return (await session.scalars(query)).first()

    async def revoke(self, playlist_id: str, token: str, *, account: str) -> bool:
        """End the link; ``False`` if there was no such live link of ``account``'s."""
        statement = (
            update(ShareLinkRow)
            .where(
                ShareLinkRow.token == token,
                ShareLinkRow.playlist_id == playlist_id,
                ShareLinkRow.account == account,
                ShareLinkRow.revoked_at.is_(None),
            )
            .values(revoked_at=utcnow())
        )
        async with self._db.session() as session, session.begin():
            result = await session.execute(statement)
        return bool(getattr(result, "rowcount", 0))
