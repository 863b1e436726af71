"""The request key: identical requests find the playlist already made.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("playlists", sa.Column("request_key", sa.String(64), nullable=True))
    op.create_index("ix_playlists_request_key", "playlists", ["request_key", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_playlists_request_key", table_name="playlists")
    op.drop_column("playlists", "request_key")
