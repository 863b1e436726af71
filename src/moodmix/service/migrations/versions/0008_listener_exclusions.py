"""What a signed-in listener leaves out of every playlist: ``listener_exclusions`` holds the
exclusion fields of a request (artists, tracks, explicit, longest track, years) as JSON, one
row per listener, gone with the listener.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "listener_exclusions",
        sa.Column(
            "listener_id",
            sa.String(64),
            sa.ForeignKey("listeners.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("exclusions", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("listener_exclusions")
