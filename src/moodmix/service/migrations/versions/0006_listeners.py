"""Listeners sign in with Spotify: who they are, their browsers' sessions, their saves.

``listeners.refresh_token`` and ``sessions.access_token`` hold Fernet-encrypted tokens;
``sessions.id`` is the SHA-256 of the token in the session cookie. A listener's playlists
belong to the account ``spotify:<id>``. ``spotify_saves`` is one playlist saved to one
listener's Spotify account: the Spotify playlist it made and how far the save got.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "listeners",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("display_name", sa.String(256), nullable=True),
        sa.Column("refresh_token", sa.Text, nullable=True),
        sa.Column("scope", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "listener_id",
            sa.String(64),
            sa.ForeignKey("listeners.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("access_token", sa.Text, nullable=False),
        sa.Column("access_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sessions_listener", "sessions", ["listener_id"])
    op.create_table(
        "spotify_saves",
        sa.Column(
            "playlist_id",
            sa.String(32),
            sa.ForeignKey("playlists.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("account", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("spotify_playlist_id", sa.String(64), nullable=True),
        sa.Column("spotify_url", sa.String(256), nullable=True),
        sa.Column("tracks_added", sa.Integer, nullable=False, server_default="0"),
        sa.Column("tracks_total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("spotify_saves")
    op.drop_index("ix_sessions_listener", table_name="sessions")
    op.drop_table("sessions")
    op.drop_table("listeners")
