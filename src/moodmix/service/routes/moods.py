"""``POST /v1/moods/analyze``: what a mood asks of the music, without making a playlist.

::

    POST /v1/moods/analyze {"text": "late night drive, synthwave"}
    -> {"targets": {"energy": 0.6, ...}, "ranges": ..., "weights": ..., "recognised": ...}
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from moodmix.engine.mood import analyse
from moodmix.service.deps import client_id
from moodmix.service.schemas import MoodIn

router = APIRouter(prefix="/v1/moods", tags=["moods"], dependencies=[Depends(client_id)])


@router.post("/analyze", summary="The mood profile for a text")
async def analyze_mood(body: MoodIn) -> dict[str, Any]:
    """Targets, acceptable ranges and weights per audio feature, and what was recognised.
    Costs no upstream request."""
    return analyse(body.text).to_json()
