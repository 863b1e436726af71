"""Idempotency keys: a retried POST /v1/playlists finds the job it started.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("playlists", sa.Column("idempotency_key", sa.String(255), nullable=True))
    op.create_index(
        "ux_playlists_client_idempotency_key",
        "playlists",
        ["client", "idempotency_key"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ux_playlists_client_idempotency_key", table_name="playlists")
    with op.batch_alter_table("playlists") as batch:
        batch.drop_column("idempotency_key")
