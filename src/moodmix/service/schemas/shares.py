"""Share links: a read-only link to a playlist, and a playlist's live links.

::

    ShareLinkOut(token="q2Vx...", url="https://.../v1/shared/q2Vx...", created_at="...")
    ShareLinksOut(items=[...])   # newest first
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class ShareLinkOut(BaseModel):
    """A read-only link to a playlist: anyone with ``url`` can read it until it is revoked."""

    token: str
    url: str = Field(description="GET it, no API key needed: the playlist, read-only")
    created_at: str


class ShareLinksOut(BaseModel):
    """The live share links of a playlist, newest first."""

    items: list[ShareLinkOut]
