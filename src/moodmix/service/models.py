"""The tables of the playlist store: one row per playlist, which is also its job.

::

    row = PlaylistRow(id="k3J9x", status="queued", request={"prompt": "rainy Sunday"}, ...)
    row.status, row.progress, row.result, row.error

A row moves ``queued`` -> ``running`` -> ``done`` | ``failed``. While not finished it has an
``owner`` (the service instance working on it) whose ``heartbeat_at`` keeps its claim alive;
a row whose owner stopped heartbeating, or that a shutdown released (``owner`` empty), is
claimed again by the next instance that sweeps. ``idempotency_key`` (the client's
``Idempotency-Key`` header) is unique per ``client``, so a retry finds the job it started.
While unfinished, a row holds one of its client's numbered job slots (``slot``), unique per
client: the cap on a client's playlists in progress is a constraint, not a count.
``account`` says whose playlist it is; ``ShareLinkRow`` is a read-only link to one.
``version`` is the version of the playlist ``result`` shows; every version is a
``PlaylistVersionRow``, and ``revision`` is a change a job is making (the row is then queued or
running again, its ``result`` still the current version). ``ListenerRow`` is someone who
signed in with Spotify, ``SessionRow`` one of their browsers, ``SpotifySaveRow`` a playlist
saved to their Spotify account, ``ListenerExclusionsRow`` what they leave out of every
playlist.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

QUEUED: Final = "queued"
RUNNING: Final = "running"
DONE: Final = "done"
FAILED: Final = "failed"
STATUSES: Final = (QUEUED, RUNNING, DONE, FAILED)
UNFINISHED: Final = (QUEUED, RUNNING)
PUBLIC: Final = "public"
"""The account of every playlist where the service needs no API key: one open space."""


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite hands back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("datetimes stored must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """The declarative base of every moodmix table."""


class PlaylistRow(Base):
    """A playlist request, where its job stands, and when done the playlist itself."""

    __tablename__ = "playlists"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    client: Mapped[str] = mapped_column(String(64))
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    request_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """Identical requests share it (``results.request_key``): how a finished one is found."""
    idempotency_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    """The client's ``Idempotency-Key``: unique per client, so a retry finds its job."""
    slot: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """While unfinished, which of its client's job slots it holds (unique per client)."""
    account: Mapped[str] = mapped_column(String(64), default=PUBLIC, server_default=PUBLIC)
    """Whose playlist it is: the API key that made it, or ``public`` when no key is needed."""
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """The version ``result`` is (0 until the first is made)."""
    revision: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    """The change a job is making to the finished playlist (refine, extend), if any."""
    amended_request: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    """The request as refines amended it (exclusions added); ``request`` stays as the client
    made it, so a retry of that POST still matches it."""

    __table_args__ = (
        Index("ix_playlists_created", "created_at", "id"),
        Index("ix_playlists_status", "status"),
        Index("ix_playlists_request_key", "request_key", "created_at"),
        Index("ux_playlists_client_idempotency_key", "client", "idempotency_key", unique=True),
        Index("ux_playlists_client_slot", "client", "slot", unique=True),
        Index("ix_playlists_account_created", "account", "created_at", "id"),
    )


class PlaylistVersionRow(Base):
    """One version of a playlist: the playlist as it was, and the change that made it.

    ``parent`` is the version it was made from (``None`` for the first): undo goes to it, redo
    to the newest version made from the current one.
    """

    __tablename__ = "playlist_versions"

    playlist_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("playlists.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent: Mapped[int | None] = mapped_column(Integer, nullable=True)
    playlist: Mapped[dict[str, Any]] = mapped_column(JSON)
    change: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ShareLinkRow(Base):
    """A read-only link to a playlist, made by the account it belongs to; revocable."""

    __tablename__ = "share_links"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    playlist_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("playlists.id", ondelete="CASCADE")
    )
    account: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (Index("ix_share_links_playlist", "playlist_id"),)


class ListenerRow(Base):
    """A listener who signed in with Spotify, and the refresh token that lets moodmix act
    for them (Fernet-encrypted with ``secret_key``; never stored in the clear)."""

    __tablename__ = "listeners"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    """Their Spotify user id."""
    display_name: Mapped[str | None] = mapped_column(String(256), nullable=True)
    refresh_token: Mapped[str | None] = mapped_column(Text, nullable=True)
    scope: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SessionRow(Base):
    """A signed-in browser: its cookie carries a random token whose SHA-256 is ``id``, so the
    table alone opens no session. ``access_token`` is Fernet-encrypted."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    listener_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("listeners.id", ondelete="CASCADE")
    )
    access_token: Mapped[str] = mapped_column(Text)
    access_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_sessions_listener", "listener_id"),)


class SpotifySaveRow(Base):
    """One playlist saved to one listener's Spotify account (``account`` is ``spotify:<id>``):
    the Spotify playlist it made, kept so saving again reuses it, and how far it got."""

    __tablename__ = "spotify_saves"

    playlist_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("playlists.id", ondelete="CASCADE"), primary_key=True
    )
    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    spotify_playlist_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    spotify_url: Mapped[str | None] = mapped_column(String(256), nullable=True)
    tracks_added: Mapped[int] = mapped_column(Integer, default=0)
    tracks_total: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ListenerExclusionsRow(Base):
    """What a signed-in listener leaves out of every playlist they make: the exclusion
    fields of a request (``schemas.ExclusionsIn``, by the engine's names), as JSON."""

    __tablename__ = "listener_exclusions"

    listener_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("listeners.id", ondelete="CASCADE"), primary_key=True
    )
    exclusions: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware."""
    return datetime.now(UTC)
