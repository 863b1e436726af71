"""Every change to a playlist makes a new version, kept and numbered.

``playlist_versions`` holds each version: its number (1 is the first draft), the version it
was made from (``parent``), the playlist as JSON (tracks with features and reasons) and the
change that made it. ``playlists.version`` is the version the playlist shows now (its
``result``); ``playlists.revision`` is a change being made by a job (refine, extend) while the
row is queued or running again; ``playlists.amended_request`` is the request as refines
amended it (exclusions added), ``request`` staying as the client made it. Finished
playlists made before this revision become version 1.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("playlists") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("revision", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("amended_request", sa.JSON(), nullable=True))
    op.create_table(
        "playlist_versions",
        sa.Column(
            "playlist_id",
            sa.String(32),
            sa.ForeignKey("playlists.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("number", sa.Integer(), primary_key=True),
        sa.Column("parent", sa.Integer(), nullable=True),
        sa.Column("playlist", sa.JSON(), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(
        "INSERT INTO playlist_versions (playlist_id, number, parent, playlist, change, created_at) "
        "SELECT id, 1, NULL, result, 'made from the prompt', COALESCE(finished_at, updated_at) "
        "FROM playlists WHERE status = 'done' AND result IS NOT NULL"
    )
    op.execute("UPDATE playlists SET version = 1 WHERE status = 'done' AND result IS NOT NULL")


def downgrade() -> None:
    op.drop_table("playlist_versions")
    with op.batch_alter_table("playlists") as batch:
        batch.drop_column("amended_request")
        batch.drop_column("revision")
        batch.drop_column("version")
