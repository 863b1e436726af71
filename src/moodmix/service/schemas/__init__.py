"""What clients may send, validated with messages that name the field and what it allows, and
the shapes of what they get back (for the OpenAPI document).

::

    PlaylistIn(prompt="rainy Sunday, mellow acoustic", size=20, duration="45m")
    PlaylistIn(prompt="x", size=500)   # ValidationError: size: less than or equal to 100
    duration_seconds("1h30m")          # 5400.0

One module per subject: ``fields`` (track ids, durations), ``exclusions``, ``playlists`` (the
request, the resource, pages), ``revisions`` (refine, extend, move, versions), ``shares``,
``moods``, ``system`` and ``errors``. The limits are the engine's own
(``moodmix.engine.playlist``), so the API and the engine never disagree on what is allowed.
"""

from moodmix.service.schemas.errors import ERROR_RESPONSES, ErrorOut
from moodmix.service.schemas.exclusions import (
    EXCLUSION_DEFAULTS,
    ExclusionsIn,
    ExclusionsOut,
    ExclusionText,
)
from moodmix.service.schemas.fields import (
    PERSONAL_SEED,
    TRACK_ID_PATTERN,
    TRACK_ID_SCHEMA,
    duration_seconds,
)
from moodmix.service.schemas.moods import MoodIn
from moodmix.service.schemas.playlists import (
    MIN_DURATION_S,
    LinksOut,
    PlaylistIn,
    PlaylistOut,
    PlaylistPageOut,
    PlaylistSummaryOut,
    RequestOut,
)
from moodmix.service.schemas.revisions import (
    MAX_CHANGE_CHARS,
    ExtendIn,
    MoveIn,
    RefineIn,
    VersionOut,
    VersionsOut,
)
from moodmix.service.schemas.shares import ShareLinkOut, ShareLinksOut
from moodmix.service.schemas.system import CACHE_KINDS, InvalidateIn

__all__ = [
    "CACHE_KINDS",
    "ERROR_RESPONSES",
    "EXCLUSION_DEFAULTS",
    "MAX_CHANGE_CHARS",
    "MIN_DURATION_S",
    "PERSONAL_SEED",
    "TRACK_ID_PATTERN",
    "TRACK_ID_SCHEMA",
    "ErrorOut",
    "ExclusionText",
    "ExclusionsIn",
    "ExclusionsOut",
    "ExtendIn",
    "InvalidateIn",
    "LinksOut",
    "MoodIn",
    "MoveIn",
    "PlaylistIn",
    "PlaylistOut",
    "PlaylistPageOut",
    "PlaylistSummaryOut",
    "RefineIn",
    "RequestOut",
    "ShareLinkOut",
    "ShareLinksOut",
    "VersionOut",
    "VersionsOut",
    "duration_seconds",
]
