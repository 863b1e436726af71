"""Storage for moodmix: the tiered per-item cache, its backends, and the id registry.

One small ``Storage`` interface over bytes with three backends (memory, SQLite by default,
Redis when several processes share), a ``TieredCache`` (L1 memory LRU over an optional L2
``Storage``) and an ``IdRegistry`` (Spotify id -> ReccoBeats id, and known-missing ids)::

    l2 = SQLiteStorage(Path.home() / ".cache" / "moodmix" / "cache.db")
    cache = TieredCache(5_000, l2, {"track": CachePolicy(ttl=7200, stale_if_error=86_400)})
    registry = IdRegistry(l2)
    found = await registry.resolve_many(spotify_ids)     # .known / .missing / .unknown
    hits = await cache.get_many("track", list(found.known.values()))
"""

from moodmix.store.cache import CacheKey, TieredCache
from moodmix.store.cachestats import CacheStats, KindStats, LookupTally, TierStats, tally_lookups
from moodmix.store.codec import Codec, JsonCodec, ListCodec, ModelCodec
from moodmix.store.entry import MISS, CachePolicy, Lookup, State
from moodmix.store.hotkeys import HotKeys
from moodmix.store.lru import LRU
from moodmix.store.memory import MemoryStorage
from moodmix.store.redis import RedisStorage
from moodmix.store.registry import IdRegistry, RegistryStats, Resolution
from moodmix.store.sqlite import SQLiteStorage
from moodmix.store.storage import Storage, StorageUnavailable, Stored

__all__ = [
    "LRU",
    "MISS",
    "CacheKey",
    "CachePolicy",
    "CacheStats",
    "Codec",
    "HotKeys",
    "IdRegistry",
    "JsonCodec",
    "KindStats",
    "ListCodec",
    "Lookup",
    "LookupTally",
    "MemoryStorage",
    "ModelCodec",
    "RedisStorage",
    "RegistryStats",
    "Resolution",
    "SQLiteStorage",
    "State",
    "Storage",
    "StorageUnavailable",
    "Stored",
    "TierStats",
    "TieredCache",
    "tally_lookups",
]
