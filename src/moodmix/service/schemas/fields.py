"""The formats the bodies share: track ids (with ``me:top`` seeds) and durations.

::

    duration_seconds("1h30m")                    # 5400.0 (a number is seconds already)
    PERSONAL_SEED.fullmatch("me:top:short")      # the signed-in listener's top tracks
    Annotated[str, WithJsonSchema(TRACK_ID_SCHEMA)]   # a track id, as OpenAPI shows it
"""

from __future__ import annotations

import re
from typing import Any, Final

from moodmix.engine.duration import parse_duration

TRACK_ID_PATTERN: Final = (
    r"^\s*([0-9A-Za-z]{22}"
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|spotify:track:[0-9A-Za-z]{22}"
    r"|https://open\.spotify\.com/track/[0-9A-Za-z]{22}"
    r"|me:top(:short|:medium|:long)?)\s*$"
)
"""What a track id looks like, for the OpenAPI document (``parse_id`` does the checking, with
messages that say what is wrong; links may also carry a query string and a locale)."""
PERSONAL_SEED: Final = re.compile(r"me:top(?::(short|medium|long))?")
"""The signed-in listener's top tracks over a time range (medium by default)."""
TRACK_ID_SCHEMA: Final = {"type": "string", "pattern": TRACK_ID_PATTERN, "maxLength": 200}


def duration_seconds(value: Any) -> float | None:
    """Seconds from a JSON number (seconds) or text as the CLI takes it (``"45m"``,
    ``"1h30m"``, ``"45:00"``; bare text numbers are minutes)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("duration must be a number of seconds or text like '45m' or '1h30m'")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return parse_duration(value)
    raise ValueError(f"duration must be a number of seconds or text like '45m', got {value!r}")
