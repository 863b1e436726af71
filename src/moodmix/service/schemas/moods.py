"""``POST /v1/moods/analyze``'s body: the mood, in words.

::

    MoodIn(text="late night drive, synthwave")
    MoodIn(text="")   # ValidationError: text: String should have at least 1 character
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from moodmix.engine.playlist import MAX_PROMPT_CHARS


class MoodIn(BaseModel):
    """``POST /v1/moods/analyze``."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"text": "late night drive, synthwave"}]}
    )

    text: str = Field(min_length=1, max_length=MAX_PROMPT_CHARS, description="the mood, in words")
