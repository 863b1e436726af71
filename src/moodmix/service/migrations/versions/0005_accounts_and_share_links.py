"""Playlists belong to an account, and an account can share one through a link.

``account`` is whose playlist it is: the API key that made it (``key:…``), or ``public``
where the service needs no key. Rows made before this revision belong to their client when
that was a key, else to ``public``. ``share_links`` holds the read-only links an account made.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("playlists") as batch:
        batch.add_column(
            sa.Column("account", sa.String(64), nullable=False, server_default="public")
        )
    op.execute("UPDATE playlists SET account = client WHERE client LIKE 'key:%'")
    op.create_index("ix_playlists_account_created", "playlists", ["account", "created_at", "id"])
    op.create_table(
        "share_links",
        sa.Column("token", sa.String(64), primary_key=True),
        sa.Column(
            "playlist_id",
            sa.String(32),
            sa.ForeignKey("playlists.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_share_links_playlist", "share_links", ["playlist_id"])


def downgrade() -> None:
    op.drop_index("ix_share_links_playlist", table_name="share_links")
    op.drop_table("share_links")
    op.drop_index("ix_playlists_account_created", table_name="playlists")
    with op.batch_alter_table("playlists") as batch:
        batch.drop_column("account")
