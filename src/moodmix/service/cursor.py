"""Opaque cursors for keyset paging of playlists, newest first::

token = encode_cursor(row.created_at, row.id)
created_at, id = decode_cursor(token)     # ValueError if it was not made by encode_cursor
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from moodmix.service.repository import Cursor


def encode_cursor(created_at: datetime, id: str) -> str:
    raw = f"{created_at.isoformat()}|{id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> Cursor:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        at, sep, id = raw.partition("|")
        if not sep or not id:
            raise ValueError
        created_at = datetime.fromisoformat(at)
        if created_at.tzinfo is None:
            raise ValueError
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValueError(
            "cursor is not one this service gave out; use the 'next' link of a previous page"
        ) from None
    return created_at, id
