"""Job slots: a client's playlists in progress hold numbered slots, unique per client, so the
per-client cap holds however many requests race, on any number of instances.

Rows unfinished before this revision hold no slot; they finish as before.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("playlists", sa.Column("slot", sa.Integer(), nullable=True))
    op.create_index("ux_playlists_client_slot", "playlists", ["client", "slot"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_playlists_client_slot", table_name="playlists")
    with op.batch_alter_table("playlists") as batch:
        batch.drop_column("slot")
