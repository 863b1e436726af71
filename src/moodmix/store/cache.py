"""The tiered per-item cache: L1 in memory (Python objects), L2 in a ``Storage`` (bytes).

Keys are ``(kind, key)`` pairs; each kind has a ``CachePolicy`` (``store.entry``: how long an
entry is fresh, then stale)::

    cache = TieredCache(5_000, SQLiteStorage(path), {"track": CachePolicy(ttl=7200)},
                        codecs={"track": ModelCodec(Track)})
    await cache.put("track", track.id, track)
    hit = await cache.get("track", track.id)        # Lookup(state=FRESH, value=track, tier="l1")
    found = await cache.get_many("track", ids)      # L1 first, one L2 batch for the rest
    backup = await cache.get_stale_for_error("track", track.id)   # when the upstream fails

An L1 hit is a dict lookup: the object stored is the object returned (treat it as
immutable). L2 holds ``<8-byte stored_at><codec bytes>`` and drops it once the last window
closes. If L2 raises ``StorageUnavailable`` the cache answers from L1 alone, counts
the failure and retries L2 after ``l2_retry_after`` seconds.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping
from typing import Any, Final

import structlog

from moodmix.clock import Clock, wall
from moodmix.store.cachestats import CacheStats, KindStats, TierStats, tallied
from moodmix.store.codec import Codec, JsonCodec
from moodmix.store.entry import MISS, CachePolicy, Entry, Lookup, Tier
from moodmix.store.hotkeys import HotKeys
from moodmix.store.lru import LRU
from moodmix.store.storage import Storage, StorageUnavailable, Stored

log = structlog.get_logger(__name__)

CacheKey = tuple[str, str]

_HEADER = struct.Struct("<d")
NAMESPACE: Final = "cache:"
"""What every L2 key of the gateway's cache starts with."""
HOT_KEYS: Final = 1024
"""Keys whose popularity is tracked (for warming)."""


class TieredCache:
    """L1 memory LRU over an optional L2 ``Storage``, with per-kind expiry policies.

    ``codecs`` turn values into L2 bytes, per kind (JSON for a kind without one); every L2 key
    starts with ``namespace`` (``NAMESPACE`` unless given), so caches can share a storage and
    ``invalidate`` one without touching another.
    """

    def __init__(
        self,
        l1_max_entries: int,
        l2: Storage | None,
        policies: Mapping[str, CachePolicy],
        *,
        codecs: Mapping[str, Codec] | None = None,
        clock: Clock = wall,
        l2_retry_after: float = 5.0,
        namespace: str = NAMESPACE,
    ) -> None:
        if not policies:
            raise ValueError("policies must name at least one kind, e.g. {'track': CachePolicy(…)}")
        for kind, policy in policies.items():
            if not isinstance(kind, str) or not kind or ":" in kind:
                raise ValueError(f"policies: kind {kind!r} must be a non-empty string without ':'")
            if not isinstance(policy, CachePolicy):
                raise ValueError(f"policies[{kind!r}] must be a CachePolicy, got {policy!r}")
        unknown = set(codecs or {}) - set(policies)
        if unknown:
            raise ValueError(f"codecs name kinds without a policy: {sorted(unknown)}")
        if not l2_retry_after >= 0:
            raise ValueError(f"l2_retry_after must be >= 0 seconds, got {l2_retry_after!r}")
        self._l1: LRU[CacheKey, Entry] = LRU(l1_max_entries)
        self._l2 = l2
        self._policies = dict(policies)
        self._clock = clock
        default = JsonCodec()
        self._codecs = {kind: (codecs or {}).get(kind, default) for kind in policies}
        self._namespace = namespace
        self._l2_retry_after = l2_retry_after
        self._l2_down_until = float("-inf")
        self._l2_errors = 0
        self._l2_decode_errors = 0
        self._hot: HotKeys[CacheKey] = HotKeys(HOT_KEYS)
        self._counts = {kind: KindStats() for kind in policies}

    @property
    def policies(self) -> Mapping[str, CachePolicy]:
        return self._policies

    async def get(self, kind: str, key: str) -> Lookup:
        """Fresh or stale-while-revalidate value for ``(kind, key)``, else ``MISS``."""
        counts = self._kind(kind)
        ck = (kind, key)
        self._hot.add(ck)
        now = self._clock()
        entry = self._l1.get(ck)
        if entry is not None:
            if now < entry.fresh_until:
                counts.l1.hits += 1
                tallied(1, 0)
                return entry.fresh_lookup(now, "l1")
            if now >= entry.error_until:
                self._l1.pop(ck)
                entry = None
        counts.l1.misses += 1
        found = await self._read_l2(kind, [key], now)
        return self._settle(counts, ck, entry, found, now)

    async def get_many(self, kind: str, keys: Iterable[str]) -> dict[str, Lookup]:
        """``get`` for each key: L1 first, then one L2 batch read for the rest."""
        counts = self._kind(kind)
        if isinstance(keys, str):
            raise ValueError("keys must be an iterable of keys, not one string")
        now = self._clock()
        answers: dict[str, Lookup] = {}
        pending: dict[str, Entry | None] = {}
        for key in keys:
            if key in answers or key in pending:
                continue
            ck = (kind, key)
            self._hot.add(ck)
            entry = self._l1.get(ck)
            if entry is not None:
                if now < entry.fresh_until:
                    counts.l1.hits += 1
                    tallied(1, 0)
                    answers[key] = entry.fresh_lookup(now, "l1")
                    continue
                if now >= entry.error_until:
                    self._l1.pop(ck)
                    entry = None
            counts.l1.misses += 1
            pending[key] = entry
        if pending:
            found = await self._read_l2(kind, list(pending), now)
            for key, entry in pending.items():
                answers[key] = self._settle(counts, (kind, key), entry, found, now)
        return answers

    async def peek_many(self, kind: str, keys: Iterable[str]) -> dict[str, Any]:
        """Fresh values among ``keys`` from L1 or L2, counting nothing: for a process reading
        what another one just fetched (the lookup was counted when it was first asked)."""
        self._kind(kind)
        now = self._clock()
        found: dict[str, Any] = {}
        rest: list[str] = []
        for key in dict.fromkeys(keys):
            entry = self._l1.peek((kind, key))
            if entry is not None and now < entry.fresh_until:
                found[key] = entry.value
            else:
                rest.append(key)
        if rest:
            for key, entry in ((await self._read_l2(kind, rest, now)) or {}).items():
                if now < entry.fresh_until:
                    self._l1.set((kind, key), entry)
                    found[key] = entry.value
        return found

    async def get_stale_for_error(self, kind: str, key: str) -> Lookup:
        """Any value still within its ``stale_if_error`` window, for when the upstream fails.

        Fresh values come back ``FRESH``; older ones ``STALE``; past the window, ``MISS``.
        """
        counts = self._kind(kind)
        ck = (kind, key)
        now = self._clock()
        entry = self._l1.get(ck)
        if entry is not None and now >= entry.error_until:
            self._l1.pop(ck)
            entry = None
        tier: Tier = "l1"
        if entry is None:
            found = await self._read_l2(kind, [key], now)
            entry = found.get(key) if found else None
            if entry is None:
                return MISS
            self._l1.set(ck, entry)
            tier = "l2"
        if now < entry.fresh_until:
            return entry.fresh_lookup(now, tier)
        counts.served_on_error += 1
        return entry.stale_lookup(now, tier)

    async def put(self, kind: str, key: str, value: Any) -> None:
        """Store ``value`` as fresh now, in L1 and (if available) L2."""
        await self.put_many(kind, {key: value})

    async def put_many(self, kind: str, items: Mapping[str, Any]) -> None:
        """Store every item as fresh now: L1 at once, L2 in one batch write.

        Raises ``ValueError`` if a value cannot be encoded for L2 (nothing is stored then).
        """
        self._kind(kind)
        for key in items:
            if not isinstance(key, str):
                raise ValueError(f"keys must be strings, got {key!r}")
        policy = self._policies[kind]
        now = self._clock()
        entries = {key: Entry(value, now, policy) for key, value in items.items()}
        if not entries or now >= next(iter(entries.values())).error_until:
            return  # nothing given, or a policy that keeps nothing
        payload: dict[str, Stored] = {}
        if self._l2 is not None and self._l2_usable(now):
            codec = self._codecs[kind]
            header = _HEADER.pack(now)
            for key, entry in entries.items():
                try:
                    data = header + codec.encode(entry.value)
                except (TypeError, ValueError) as exc:
                    raise ValueError(
                        f"value for ({kind!r}, {key!r}) cannot be encoded by {codec!r}: {exc}"
                    ) from exc
                payload[self._namespace + kind + ":" + key] = Stored(data, entry.error_until)
        for key, entry in entries.items():
            self._l1.set((kind, key), entry)
        if payload and self._l2 is not None:
            try:
                await self._l2.set_many(payload)
            except StorageUnavailable as exc:
                self._l2_failed(exc, now)

    async def invalidate(self, kind: str | None = None) -> None:
        """Drop every entry of ``kind`` (of all kinds when ``None``) from both tiers.

        Raises ``StorageUnavailable`` if L2 cannot be cleared (L1 is cleared regardless).
        """
        if kind is None:
            self._l1.clear()
            prefix = self._namespace
        else:
            self._kind(kind)
            self._l1.remove_where(lambda ck, _: ck[0] == kind)
            prefix = self._namespace + kind + ":"
        if self._l2 is not None:
            await self._l2.clear(prefix)

    def hot_keys(self, n: int = 20) -> list[tuple[CacheKey, int]]:
        """The ``n`` most requested ``(kind, key)`` pairs with approximate request counts."""
        return self._hot.top(n)

    def holds_fresh(self, kind: str, key: str) -> bool:
        """Whether L1 holds a fresh value for ``(kind, key)``; counts nothing."""
        entry = self._l1.peek((kind, key))
        return entry is not None and self._clock() < entry.fresh_until

    def expiring(self, n: int, margin: float) -> list[CacheKey]:
        """Of the ``n`` hottest keys held in L1, those whose freshness ends within ``margin``
        of their kind's TTL (0.2: the last fifth), or that are already stale but still
        revalidatable: the keys worth refreshing before anyone misses them. Counts nothing.
        """
        if not 0.0 <= margin <= 1.0:
            raise ValueError(f"margin must be a share of the TTL from 0 to 1, got {margin!r}")
        now = self._clock()
        due: list[CacheKey] = []
        for ck, _count in self._hot.top(n):
            entry = self._l1.peek(ck)
            policy = self._policies.get(ck[0])
            if entry is None or policy is None:
                continue
            if entry.fresh_until - policy.ttl * margin <= now < entry.revalidate_until:
                due.append(ck)
        return due

    async def pull_newer(self, kind: str, keys: Iterable[str]) -> set[str]:
        """Take into L1 the L2 entries of ``keys`` stored after L1's (another process sharing
        the L2 refreshed them); returns those keys. Counts nothing."""
        self._kind(kind)
        now = self._clock()
        wanted = list(dict.fromkeys(keys))
        pulled: set[str] = set()
        for key, newer in ((await self._read_l2(kind, wanted, now)) or {}).items():
            entry = self._l1.peek((kind, key))
            if entry is None or newer.stored_at > entry.stored_at:
                self._l1.set((kind, key), newer)
                pulled.add(key)
        return pulled

    def stats(self) -> CacheStats:
        """A snapshot of hits, stale answers and misses per kind and tier."""
        return CacheStats(
            kinds={
                kind: KindStats(
                    TierStats(c.l1.hits, c.l1.stale, c.l1.misses),
                    TierStats(c.l2.hits, c.l2.stale, c.l2.misses),
                    c.misses,
                    c.served_on_error,
                )
                for kind, c in self._counts.items()
            },
            l1_entries=len(self._l1),
            l1_max_entries=self._l1.max_entries,
            l1_evictions=self._l1.evictions,
            l2_errors=self._l2_errors,
            l2_decode_errors=self._l2_decode_errors,
            l2_available=self._l2_usable(self._clock()),
        )

    async def close(self) -> None:
        """Close L2."""
        if self._l2 is not None:
            await self._l2.close()

    def _kind(self, kind: str) -> KindStats:
        counts = self._counts.get(kind)
        if counts is None:
            raise ValueError(
                f"kind {kind!r} has no cache policy; known kinds: {sorted(self._counts)}"
            )
        return counts

    def _settle(
        self,
        counts: KindStats,
        ck: CacheKey,
        entry: Entry | None,
        found: dict[str, Entry] | None,
        now: float,
    ) -> Lookup:
        """Answer a lookup L1 could not answer fresh, from L1's leftover and L2's find."""
        tier: Tier = "l1"
        if found is not None:
            newer = found.get(ck[1])
            if newer is not None and (entry is None or newer.stored_at > entry.stored_at):
                self._l1.set(ck, newer)
                if now < newer.fresh_until:
                    counts.l2.hits += 1
                    tallied(1, 0)
                    return newer.fresh_lookup(now, "l2")
                entry, tier = newer, "l2"
            counts.l2.misses += 1
        if entry is not None and now < entry.revalidate_until:
            (counts.l1 if tier == "l1" else counts.l2).stale += 1
            tallied(1, 0)
            return entry.stale_lookup(now, tier)
        counts.misses += 1
        tallied(0, 1)
        return MISS

    async def _read_l2(self, kind: str, keys: list[str], now: float) -> dict[str, Entry] | None:
        """Live L2 entries for ``keys``; ``None`` when there is no usable L2."""
        if self._l2 is None or not self._l2_usable(now):
            return None  # no L2, or it failed less than l2_retry_after ago
        prefix = self._namespace + kind + ":"
        try:
            stored = await self._l2.get_many([prefix + key for key in keys])
        except StorageUnavailable as exc:
            self._l2_failed(exc, now)
            return None
        policy = self._policies[kind]
        codec = self._codecs[kind]
        found: dict[str, Entry] = {}
        cut = len(prefix)
        for skey, item in stored.items():
            data = item.value
            if len(data) < _HEADER.size:
                self._l2_decode_errors += 1
                continue
            try:
                value = codec.decode(data[_HEADER.size :])
            except (TypeError, ValueError):
                self._l2_decode_errors += 1
                continue
            entry = Entry(value, _HEADER.unpack_from(data)[0], policy)
            if now < entry.error_until:
                found[skey[cut:]] = entry
        return found

    def _l2_usable(self, now: float) -> bool:
        return self._l2 is not None and now >= self._l2_down_until

    def _l2_failed(self, exc: StorageUnavailable, now: float) -> None:
        self._l2_errors += 1
        self._l2_down_until = now + self._l2_retry_after
        log.warning(
            "cache_l2_unavailable",
            backend=exc.backend,
            error=str(exc),
            retry_in_s=self._l2_retry_after,
        )
