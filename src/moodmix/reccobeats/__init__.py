"""Everything about ReccoBeats: the gateway, the bare client, models, ids and errors.

    from moodmix.reccobeats import ReccoBeats, Settings
    async with ReccoBeats.from_settings() as rb:
        tracks = await rb.get_tracks(["00aqkszH1FdUiJJWvX6iEl"])

``ReccoBeats`` (the gateway) is what the rest of moodmix uses; ``ReccoBeatsClient`` is the
policy-free client underneath it.
"""

from moodmix.reccobeats._stats import GatewayStats
from moodmix.reccobeats.client import ENDPOINTS, ReccoBeatsClient, ResponseHook
from moodmix.reccobeats.errors import (
    BadRequest,
    MalformedResponse,
    NotFound,
    RateLimited,
    ReccoBeatsError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from moodmix.reccobeats.gateway import ReccoBeats
from moodmix.reccobeats.ids import ParsedId, by_spotify_id, parse_id, parse_ids
from moodmix.reccobeats.models import Album, Artist, AudioFeatures, ItemList, Page, Track
from moodmix.resilience.scheduler import Priority
from moodmix.settings import Settings

__all__ = [
    "ENDPOINTS",
    "Album",
    "Artist",
    "AudioFeatures",
    "BadRequest",
    "GatewayStats",
    "ItemList",
    "MalformedResponse",
    "NotFound",
    "Page",
    "ParsedId",
    "Priority",
    "RateLimited",
    "ReccoBeats",
    "ReccoBeatsClient",
    "ReccoBeatsError",
    "ResponseHook",
    "Settings",
    "Track",
    "UpstreamTimeout",
    "UpstreamUnavailable",
    "by_spotify_id",
    "parse_id",
    "parse_ids",
]
