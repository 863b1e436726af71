"""Playlist lengths as people write them: ``"60m"``, ``"1h30m"``, ``"45:00"``, ``"1:15:00"``.

::

    parse_duration("1h30m")    # 5400.0 seconds
    parse_duration("45:00")    # 2700.0
    parse_duration("90")       # 5400.0: a bare number is minutes
    format_duration(5400)      # '1h30m'
"""

from __future__ import annotations

import re
from typing import Final

_UNITS: Final = re.compile(
    r"(?P<n>\d+(?:\.\d+)?)(?P<unit>hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)"
)
_SECONDS: Final = {"h": 3600.0, "m": 60.0, "s": 1.0}


def parse_duration(text: str) -> float:
    """Seconds in ``text``; ``ValueError`` saying which forms are understood."""
    raw = text.strip().lower().replace(" ", "")
    seconds = _parse(raw)
    if seconds is None or seconds <= 0:
        raise ValueError(
            f"duration {text!r} is not understood; write it like '60m', '1h30m', '45:00' or "
            "'1:15:00' (a bare number is minutes)"
        )
    return seconds


def format_duration(seconds: float) -> str:
    """``5400`` -> ``'1h30m'``, ``2730`` -> ``'45m30s'``."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        f"{hours}h" if hours else "",
        f"{minutes}m" if minutes else "",
        f"{secs}s" if secs else "",
    ]
    return "".join(parts) or "0s"


def _parse(raw: str) -> float | None:
    if re.fullmatch(r"\d+(?:\.\d+)?", raw):
        return float(raw) * 60
    if re.fullmatch(r"\d+(?::\d{1,2}){1,2}", raw):
        parts = [int(p) for p in raw.split(":")]
        if any(p >= 60 for p in parts[1:]):
            return None
        total = 0.0
        for part in parts:
            total = total * 60 + part
        return total
    position, total = 0, 0.0
    for match in _UNITS.finditer(raw):
        if match.start() != position:
            return None
        total += float(match["n"]) * _SECONDS[match["unit"][0]]
        position = match.end()
    return total if position == len(raw) and position > 0 else None
